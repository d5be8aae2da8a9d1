"""What is being accessed, described by the organisations responsible for it.

Working out which provision, home school, commissioner and partnership a pupil belongs to is the
calling service's job (it owns the placement data); the policy only compares those organisation
ids with the caller's. STATUTORY.md: share pupil-level data only with organisations responsible
for the pupil.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from ap_contracts.personal import RecordClass


class Relationship(StrEnum):
    """How the caller's organisation must relate to the resource for a rule to apply."""

    OWN_PROVISION = "own_provision"
    PUPIL_HOME_SCHOOL = "pupil_home_school"
    PUPIL_COMMISSIONER = "pupil_commissioner"
    PUPIL_LOCAL_AUTHORITY = "pupil_local_authority"
    OWN_PARTNERSHIP = "own_partnership"
    OWN_ORGANISATION = "own_organisation"
    PANEL_MEMBER = "panel_member"
    """the caller's organisation sits on the panel (issue 13: a panel's members see and decide its cases)"""
    ANY = "any"


@dataclass(frozen=True, slots=True)
class ResourceContext:
    """The pupil or resource an action touches and the organisations responsible for it.

    Leave a field ``None`` when it does not apply: a relationship on a ``None`` field never holds.
    ``organisation_id`` is the organisation owning a non-pupil resource (a host school's ledger,
    an organisation's audit trail). ``local_authority_id`` is the local authority of the pupil's home
    school as the register of organisations records it (never as a caller states it).
    ``record_class`` names the class of one specific record being
    read, when the call is about one record rather than a whole log.
    """

    pupil_ref: UUID | None = None
    provision_id: str | None = None
    home_school_id: str | None = None
    commissioner_id: str | None = None
    partnership_id: str | None = None
    organisation_id: str | None = None
    local_authority_id: str | None = None
    record_class: RecordClass | None = None
    panel_organisations: frozenset[str] = frozenset()
    """the organisations a panel's stored membership sits for (relationship ``panel_member``)"""

    def organisation_for(self, relationship: Relationship) -> str | None:
        """The organisation id the caller's must equal for ``relationship`` to hold."""
        return {
            Relationship.OWN_PROVISION: self.provision_id,
            Relationship.PUPIL_HOME_SCHOOL: self.home_school_id,
            Relationship.PUPIL_COMMISSIONER: self.commissioner_id,
            Relationship.OWN_PARTNERSHIP: self.partnership_id,
            Relationship.OWN_ORGANISATION: self.organisation_id,
            Relationship.PUPIL_LOCAL_AUTHORITY: self.local_authority_id,
        }.get(relationship)

    def relates(self, organisation_id: str, relationship: Relationship) -> bool:
        """True when ``organisation_id`` stands in ``relationship`` to this resource."""
        if relationship is Relationship.ANY:
            return True
        if relationship is Relationship.PANEL_MEMBER:
            return organisation_id in self.panel_organisations
        expected = self.organisation_for(relationship)
        return expected is not None and expected == organisation_id
