"""Commissioned capacity against demand, per phase (seed 003, 3.2: "the best use is made of existing
resources and future capacity is built"; seed 004: 23 fte places commissioned against the children out of
school; issue 13).

Places are recorded per provider, phase and academic year (one stream per local authority and year; the
latest record for a provider and phase stands). Demand is the referrals made to the LA's panels in that
academic year, by phase. ``capacity_against_demand`` is pure; the read model hands in both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import Field

from ap_commissioning.domain.context import CommissioningCommand, DecisionContext
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_panels import CommissionedPlacesRecorded
from ap_contracts.events.commissioning_vocabulary import AcademicYear, CommissioningEvent, Phase
from ap_contracts.identifiers import OrganisationId
from ap_runtime.access.context import ResourceContext


def capacity_stream_id(local_authority_id: str, academic_year: str) -> str:
    return f"capacity-{local_authority_id}-{academic_year}"


class RecordCommissionedPlaces(CommissioningCommand):
    """A local authority records places it commissions from a provider (only as itself: the policy compares
    ``local_authority_id`` with the caller's organisation)."""

    local_authority_id: OrganisationId
    academic_year: AcademicYear
    provider_id: OrganisationId
    phase: Phase
    places: int = Field(ge=0, le=100_000)


def record_places(command: RecordCommissionedPlaces, _: object,
                  context: DecisionContext) -> list[CommissioningEvent]:
    """Places are a fact the commissioner records; a later record for the same provider and phase replaces it."""
    return [CommissionedPlacesRecorded(**command.model_dump(exclude={"command_id"}), recorded_by=context.user_id)]


CAPACITY_FOLDS: frozenset[type[DomainEvent]] = frozenset({CommissionedPlacesRecorded})


def capacity_stream(command: RecordCommissionedPlaces) -> str:
    return capacity_stream_id(command.local_authority_id, command.academic_year)


def fold_places(events: Iterable[DomainEvent]) -> dict[tuple[str, Phase], int]:
    """The places in force per (provider, phase): the latest record stands."""
    places: dict[tuple[str, Phase], int] = {}
    for event in events:
        if isinstance(event, CommissionedPlacesRecorded):
            places[(event.provider_id, event.phase)] = event.places
    return places


def capacity_resource(command: RecordCommissionedPlaces, _: object) -> ResourceContext:
    """The local authority whose places these are (the path's; the policy: only the authority itself)."""
    return ResourceContext(organisation_id=command.local_authority_id)


@dataclass(frozen=True, slots=True)
class PhaseCapacity:
    phase: Phase
    places_commissioned: int
    referrals: int

    @property
    def shortfall(self) -> int:
        """Referrals beyond the places commissioned (0 when there is room)."""
        return max(0, self.referrals - self.places_commissioned)


def capacity_against_demand(places: Mapping[tuple[str, Phase], int],
                            referral_phases: Iterable[Phase]) -> tuple[PhaseCapacity, ...]:
    """Per phase: places commissioned (summed over providers) against referrals made in the year."""
    demand = {phase: 0 for phase in Phase}
    for phase in referral_phases:
        demand[phase] += 1
    return tuple(PhaseCapacity(phase, sum(n for (_, p), n in places.items() if p is phase), demand[phase])
                 for phase in Phase)
