"""Pupils on roll, per school and academic year, as the local authority records them (issue 15, seed 004: rates
per 100 pupils on roll in the Schools Forum's exclusion tables).

Why commissioning owns them: the roll is a local authority's statistical fact about its schools, recorded by
its officers, with no pupil in it; commissioning is the service of the LA's own records that hold no personal
data (its panels, Fair Access and commissioned places, which the Schools Forum tables already read), and its
capacity figures are recorded the same way. Incidents keeps pupils' records and the register of organisations
that access rests on; a headcount decides no access and no pupil's rule, so it does not belong there.

One stream per local authority and academic year; the latest record for a school stands (a census
correction replaces the figure). Only the authority itself records (the policy compares the path's
``local_authority_id`` with the caller's organisation).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from ap_commissioning.domain.context import CommissioningCommand, DecisionContext
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_headcounts import PupilsOnRollRecorded, SchoolPhase
from ap_contracts.events.commissioning_vocabulary import AcademicYear, CommissioningEvent
from ap_contracts.identifiers import OrganisationId
from ap_runtime.access.context import ResourceContext


class RecordPupilsOnRoll(CommissioningCommand):
    """The school's headcount from the census and its phase (the phase its exclusions count in)."""

    local_authority_id: OrganisationId
    academic_year: AcademicYear
    school_id: OrganisationId
    phase: SchoolPhase
    pupils: int = Field(ge=0, le=1_000_000)


def roll_stream(command: RecordPupilsOnRoll) -> str:
    return f"roll-{command.local_authority_id}-{command.academic_year}"


def record_pupils_on_roll(command: RecordPupilsOnRoll, _: object,
                          context: DecisionContext) -> list[CommissioningEvent]:
    """A headcount is a fact the LA records; a later record for the same school and year replaces it."""
    return [PupilsOnRollRecorded(**command.model_dump(exclude={"command_id"}), recorded_by=context.user_id)]


ROLL_FOLDS: frozenset[type[DomainEvent]] = frozenset({PupilsOnRollRecorded})


def fold_roll(events: Iterable[DomainEvent]) -> dict[str, tuple[SchoolPhase, int]]:
    """Each school's phase and pupils on roll in the year: the latest record stands."""
    return {e.school_id: (e.phase, e.pupils) for e in events if isinstance(e, PupilsOnRollRecorded)}


def roll_resource(command: RecordPupilsOnRoll, _: object) -> ResourceContext:
    """The local authority whose schools these are (the path's; the policy: only the authority itself)."""
    return ResourceContext(organisation_id=command.local_authority_id)
