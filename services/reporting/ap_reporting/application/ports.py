"""What the report builders need from the outside world: the reporting facts, read at one instant.

Rule served: the application depends on ports, not on a driver (issue 10, layers). The PostgreSQL
implementation is ``projections/facts_reader.py`` over the facts read model; the API wires it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol
from uuid import UUID

from ap_contracts.events.pupil_vocabulary import Sex
from ap_reporting.domain.engagement import EngagementFacts
from ap_reporting.domain.facts import (
    AttendanceFact,
    IncidentFact,
    PermanentExclusionFact,
    PlacementFact,
    RewardFact,
    SuspensionFact,
)
from ap_reporting.domain.schools_forum import ExclusionReasonFact
from ap_reporting.domain.schools_forum_phases import SchoolRoll
from ap_reporting.domain.vocabulary import Period


class ReportingFacts(Protocol):
    """The facts one report reads, each narrowed to what the report needs."""

    async def placements_of_home_school(self, home_school_id: str, period: Period) -> list[PlacementFact]: ...

    async def placements_of_partnership(self, partnership_id: str) -> list[PlacementFact]: ...

    async def placements_ended(self, period: Period) -> list[PlacementFact]: ...

    async def attendance(self, placement_ids: Sequence[UUID], period: Period) -> list[AttendanceFact]: ...

    async def incidents(self, placement_ids: Sequence[UUID], period: Period) -> list[IncidentFact]: ...

    async def rewards(self, placement_ids: Sequence[UUID], period: Period) -> list[RewardFact]: ...

    async def suspensions(self, years: Sequence[str]) -> list[SuspensionFact]: ...

    async def permanent_exclusions(self, years: Sequence[str]) -> list[PermanentExclusionFact]: ...

    async def placements_of_provision(self, provision_id: str, period: Period) -> list[PlacementFact]: ...

    async def engagement(self, placement_ids: Sequence[UUID], period: Period) -> EngagementFacts: ...

    async def pupil_sexes(self, pupil_refs: Sequence[UUID]) -> dict[UUID, Sex]: ...


class FactsReader(Protocol):
    """Opens the facts for one report: every read inside one snapshot sees the same instant."""

    def snapshot(self) -> AbstractAsyncContextManager[ReportingFacts]: ...


class ExclusionsByPhaseReader(Protocol):
    """The exclusions of some academic years with their reasons and excluding schools, and the schools' rolls and
    phases the LA recorded for those years: what the tables by phase of school are counted from."""

    async def read(self, years: Sequence[str]) -> tuple[list[ExclusionReasonFact], list[SchoolRoll]]: ...
