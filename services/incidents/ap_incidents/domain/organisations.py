"""The register of organisations (stream ``organisation-<id>``): the stored facts access and placements rest on.

Rules served: a local authority answers only for the pupils of the schools registered in its area
(issue 9: an LA naming itself took over another's pupil); a placement's partnership and the key
stages it serves are the provision's registered facts, never what a caller types; a place is
commissioned only by a body responsible for the pupil. The platform administrator keeps the
register (policy ORG-1); a later registration of the same organisation replaces its facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from pydantic import Field, field_validator

from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.organisations import (
    CalendarNation,
    HalfTermDates,
    OrganisationEvent,
    OrganisationRegistered,
    TermDatesRecorded,
)
from ap_contracts.events.pupil_vocabulary import KeyStage
from ap_contracts.identifiers import OrganisationId
from ap_incidents.domain.commands import Command
from ap_incidents.domain.errors import OrganisationFactsIncomplete, OrganisationNotRegistered
from ap_incidents.domain.errors_calendar import TermDatesNotKept, term_dates_refused
from ap_incidents.domain.theme import CommandDeclaration, Theme
from ap_runtime.school_days import CalendarRefused, HalfTerm, check_recording

# Kinds whose pupils, places or budgets an LA answers for: each names the LA it belongs to.
_BELONG_TO_AN_LA = frozenset({OrgKind.HOME_SCHOOL, OrgKind.HOST_SCHOOL, OrgKind.PROVISION, OrgKind.COMMISSIONER})


@dataclass(frozen=True, slots=True)
class RegisteredOrganisation:
    organisation_id: str
    kind: OrgKind
    local_authority_id: str | None = None
    partnership_id: str | None = None
    key_stages: frozenset[KeyStage] = frozenset()
    name: str | None = None  # display name for people (finance reports); access never rests on it


def _none() -> Mapping[str, RegisteredOrganisation]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class OrganisationDirectory:
    """The registered facts of the organisations one decision needs (loaded by the application)."""

    organisations: Mapping[str, RegisteredOrganisation] = field(default_factory=_none)

    @classmethod
    def of(cls, organisations: Iterable[RegisteredOrganisation]) -> OrganisationDirectory:
        return cls(MappingProxyType({o.organisation_id: o for o in organisations}))

    def get(self, organisation_id: str | None) -> RegisteredOrganisation | None:
        return None if organisation_id is None else self.organisations.get(organisation_id)

    def local_authority_of(self, organisation_id: str | None) -> str | None:
        """The LA an organisation belongs to (an LA belongs to itself); None when not registered."""
        registered = self.get(organisation_id)
        if registered is None:
            return None
        if registered.kind is OrgKind.LOCAL_AUTHORITY:
            return registered.organisation_id
        return registered.local_authority_id

    def require(self, organisation_id: str, kind: OrgKind, what: str) -> RegisteredOrganisation:
        """The registration of ``organisation_id`` as a ``kind``, or ``OrganisationNotRegistered``."""
        registered = self.get(organisation_id)
        if registered is None or registered.kind is not kind:
            raise OrganisationNotRegistered(
                f"{what} {organisation_id} is not on the register of organisations as a {kind.value.replace('_', ' ')}"
            )
        return registered


NO_ORGANISATIONS = OrganisationDirectory()


class RegisterOrganisation(Command):
    """The platform administrator records an organisation's facts (the LA a school belongs to, a provision's
    key stages and partnership)."""

    organisation_id: OrganisationId
    kind: OrgKind
    local_authority_id: OrganisationId | None = None
    partnership_id: OrganisationId | None = None
    key_stages: tuple[KeyStage, ...] = Field(default=(), max_length=8)
    name: str | None = Field(default=None, min_length=1, max_length=200,
                             description="Display name people read in reports (optional)")


def evolve_organisation(current: RegisteredOrganisation | None, event: DomainEvent) -> RegisteredOrganisation | None:
    """Fold one event of an organisation's stream; the latest registration holds."""
    if not isinstance(event, OrganisationRegistered):
        return current
    return RegisteredOrganisation(event.organisation_id, event.kind, event.local_authority_id, event.partnership_id,
                                  frozenset(event.key_stages), event.name)


def decide_registration(command: RegisterOrganisation,
                        current: RegisteredOrganisation | None) -> list[OrganisationEvent]:
    """An organisation is registered with every fact its kind is relied on for; the same facts again record nothing."""
    _require_complete(command)
    facts = RegisteredOrganisation(command.organisation_id, command.kind, command.local_authority_id,
                                   command.partnership_id, frozenset(command.key_stages), command.name)
    if facts == current:
        return []
    return [OrganisationRegistered(
        organisation_id=command.organisation_id, kind=command.kind, local_authority_id=command.local_authority_id,
        partnership_id=command.partnership_id, key_stages=tuple(sorted(set(command.key_stages))), name=command.name,
    )]


def _require_complete(command: RegisterOrganisation) -> None:
    missing = []
    if command.kind in _BELONG_TO_AN_LA and command.local_authority_id is None:
        missing.append("local_authority_id (the local authority it belongs to)")
    if command.kind is OrgKind.LOCAL_AUTHORITY and command.local_authority_id not in (None, command.organisation_id):
        missing.append("no other local_authority_id (a local authority belongs to itself)")
    if command.kind is OrgKind.PROVISION:
        if not command.key_stages:
            missing.append("key_stages (the key stages it is registered to serve)")
        if command.partnership_id is None:
            missing.append("partnership_id (the partnership it serves)")
    elif command.key_stages:
        missing.append("no key_stages (only a provision serves key stages)")
    if missing:
        raise OrganisationFactsIncomplete(f"a {command.kind.value.replace('_', ' ')} is registered with "
                                          + "; ".join(missing))


# Organisations that keep term dates: an LA for its area, a school or provision for itself (issue 13).
_KEEP_OWN_TERM_DATES = frozenset({OrgKind.HOME_SCHOOL, OrgKind.HOST_SCHOOL, OrgKind.PROVISION})


class RecordTermDates(Command):
    """A local authority records its area's term dates for one academic year (six half terms and its INSET days);
    a school or provision records its own INSET days, and an academy its own six half terms."""

    organisation_id: OrganisationId
    academic_year: str = Field(pattern=r"^(19|20|21)\d{2}-\d{2}$",
                               description="1 September to 31 August, as 2026-27 (years 1900 to 2199)")
    nation: CalendarNation | None = Field(default=None, description="Whose bank holidays apply (an LA's; England)")
    half_terms: tuple[HalfTermDates, ...] = Field(default=(), max_length=6)
    inset_days: tuple[date, ...] = Field(default=(), max_length=30)

    @field_validator("academic_year")
    @classmethod
    def _consecutive_years(cls, year: str) -> str:
        if (int(year[:4]) + 1) % 100 != int(year[5:]):
            raise ValueError("an academic year runs from one year into the next, as 2026-27")
        return year


def decide_term_dates(command: RecordTermDates, registered: RegisteredOrganisation | None,
                      la_half_terms: tuple[HalfTerm, ...] = ()) -> list[OrganisationEvent]:
    """Term dates that run in order, do not overlap, make a whole year and keep INSET days inside the terms
    (``la_half_terms``: the LA's, for a school keeping them); the LA they count for is the registered one."""
    if registered is None:
        raise OrganisationNotRegistered(f"organisation {command.organisation_id} is not on the register of "
                                        "organisations")
    if registered.kind is OrgKind.LOCAL_AUTHORITY:
        local_authority_id: str | None = registered.organisation_id
    elif registered.kind in _KEEP_OWN_TERM_DATES:
        local_authority_id = registered.local_authority_id
    else:
        raise TermDatesNotKept(f"a {registered.kind.value.replace('_', ' ')} keeps no term dates: a local authority"
                               " keeps its area's and a school or provision its own")
    assert local_authority_id is not None  # the register requires it of every kind keeping its own dates
    recorded = TermDatesRecorded(
        organisation_id=command.organisation_id, local_authority_id=local_authority_id,
        academic_year=command.academic_year, nation=command.nation or CalendarNation.ENGLAND,
        half_terms=tuple(sorted(command.half_terms, key=lambda h: h.first_day)),
        inset_days=tuple(sorted(set(command.inset_days))),
    )
    try:
        check_recording(recorded, la_half_terms)
    except CalendarRefused as refused:
        raise term_dates_refused(refused) from refused
    return [recorded]


THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(RegisterOrganisation, decide_registration, "incidents.register_organisation",
                           (OrganisationRegistered,), "registration",
                           "Register an organisation's facts (platform administrator)", scope_field="organisation_id"),
        CommandDeclaration(RecordTermDates, decide_term_dates, "incidents.record_term_dates",
                           (TermDatesRecorded,), "term-dates",
                           "Record an academic year's term dates (an LA for its area, a school for itself)",
                           scope_field="organisation_id"),
    ),
)
