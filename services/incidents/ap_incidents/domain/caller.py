"""Who is acting: the organisation, its kind and the caller's roles, as the access layer resolved them.

Some rules of the pupil path are about who may act (only the home school head excludes from
school; only the commissioner decides on withdrawing a place), so the domain sees the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from ap_contracts.envelope import OrgKind

# Role names as the access policy spells them (ap_runtime.access.roles.Role values).
HOME_SCHOOL_HEAD = "home_school_head"
DSL = "dsl"


@dataclass(frozen=True, slots=True)
class Caller:
    user_id: str
    organisation_id: str
    org_kind: OrgKind
    roles: frozenset[str] = frozenset()

    def acts_for(self, organisation_id: str | None) -> bool:
        return organisation_id is not None and self.organisation_id == organisation_id

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_local_authority(self) -> bool:
        return self.org_kind is OrgKind.LOCAL_AUTHORITY
