"""The reporting facts read model as the application's ``FactsReader`` port (``application/ports.py``).

Each snapshot is one read-only transaction on the facts projection's serving schema
(``ap_runtime.projection.read_model``), so a report never mixes two instants.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg

from ap_reporting.domain.facts import (
    AttendanceFact,
    IncidentFact,
    PermanentExclusionFact,
    PlacementFact,
    RewardFact,
    SuspensionFact,
)
from ap_reporting.domain.vocabulary import Period
from ap_reporting.projections import queries as q
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.projection import read_model


class _ConnectionFacts:
    """``ReportingFacts`` on one open read-model connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def placements_of_home_school(self, home_school_id: str, period: Period) -> list[PlacementFact]:
        return await q.placements_of_home_school(self._conn, home_school_id, period)

    async def placements_of_partnership(self, partnership_id: str) -> list[PlacementFact]:
        return await q.placements_of_partnership(self._conn, partnership_id)

    async def placements_ended(self, period: Period) -> list[PlacementFact]:
        return await q.placements_ended(self._conn, period)

    async def attendance(self, placement_ids: Sequence[UUID], period: Period) -> list[AttendanceFact]:
        return await q.attendance(self._conn, placement_ids, period)

    async def incidents(self, placement_ids: Sequence[UUID], period: Period) -> list[IncidentFact]:
        return await q.incidents(self._conn, placement_ids, period)

    async def rewards(self, placement_ids: Sequence[UUID], period: Period) -> list[RewardFact]:
        return await q.rewards(self._conn, placement_ids, period)

    async def suspensions(self, years: Sequence[str]) -> list[SuspensionFact]:
        return await q.suspensions(self._conn, years=years)

    async def permanent_exclusions(self, years: Sequence[str]) -> list[PermanentExclusionFact]:
        return await q.permanent_exclusions(self._conn, years=years)


class PostgresFactsReader:
    """``FactsReader`` on the reporting database's pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[_ConnectionFacts]:
        async with read_model(self._pool, ReportingFactsProjection.name) as conn:
            yield _ConnectionFacts(conn)
