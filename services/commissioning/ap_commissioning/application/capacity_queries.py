"""Commissioned capacity against demand per phase for a local authority and academic year (seed 003 3.2,
seed 004; issue 13). Places come from each provider's service level agreement with the authority in force on
the day asked (``SlaTerms.places_by_phase``) and, for providers with no agreement in force, from the places
the authority recorded; demand is the referrals made to the authority's panels in the academic year."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from ap_commissioning.domain.capacity import PhaseCapacity, capacity_against_demand, capacity_stream_id, fold_places
from ap_commissioning.domain.declarations import READ_CAPACITY
from ap_commissioning.domain.panel_state import panel_stream_id
from ap_commissioning.domain.sla import fold as fold_sla
from ap_commissioning.domain.sla import sla_stream_id
from ap_contracts.events.commissioning_panels import PanelReferralMade
from ap_contracts.events.commissioning_vocabulary import Phase
from ap_runtime.access import Authoriser, Principal, ResourceContext
from ap_runtime.eventstore.port import EventStorePort
from ap_runtime.school_days import academic_year_of

ProvidersOf = Callable[[str], Awaitable[list[tuple[str, str]]]]
"""organisation -> (provision, commissioner) of the agreements it is a party to"""
PanelsOf = Callable[[str], Awaitable[list[str]]]


@dataclass(frozen=True, slots=True)
class PlacesLine:
    provider_id: str
    phase: Phase
    places: int
    source: str
    """``sla`` (the agreement in force on the day asked) or ``recorded`` (no agreement in force)"""


@dataclass(frozen=True, slots=True)
class CapacityView:
    local_authority_id: str
    academic_year: str
    on: date
    places: tuple[PlacesLine, ...]
    by_phase: tuple[PhaseCapacity, ...]


class CapacityQueries:
    def __init__(self, store: EventStorePort, agreements_of: ProvidersOf, panels_of: PanelsOf,
                 authoriser: Authoriser) -> None:
        self._store = store
        self._agreements_of = agreements_of
        self._panels_of = panels_of
        self._authoriser = authoriser

    async def _sla_places(self, local_authority_id: str, on: date) -> list[PlacesLine]:
        lines = []
        for provision, commissioner in await self._agreements_of(local_authority_id):
            if commissioner != local_authority_id:
                continue
            found = fold_sla(await self._store.load(sla_stream_id(provision, commissioner))).in_force_on(on)
            if found is not None:
                lines += [PlacesLine(provision, p.phase, p.places, "sla") for p in found[1].terms.places_by_phase]
        return lines

    async def capacity(self, principal: Principal, local_authority_id: str, academic_year: str, on: date,
                       purpose: str | None = None) -> CapacityView:
        await self._authoriser.check(principal, READ_CAPACITY, ResourceContext(organisation_id=local_authority_id),
                                     purpose=purpose)
        lines = await self._sla_places(local_authority_id, on)
        under_sla = {line.provider_id for line in lines}
        recorded = fold_places(await self._store.load(capacity_stream_id(local_authority_id, academic_year)))
        lines += [PlacesLine(provider, phase, places, "recorded") for (provider, phase), places in recorded.items()
                  if provider not in under_sla]
        phases = [event.phase for panel in await self._panels_of(local_authority_id)
                  for event in await self._store.load(panel_stream_id(panel))
                  if isinstance(event, PanelReferralMade) and academic_year_of(event.referred_on) == academic_year]
        places = {(line.provider_id, line.phase): line.places for line in lines}
        return CapacityView(local_authority_id, academic_year, on, tuple(lines),
                            capacity_against_demand(places, phases))
