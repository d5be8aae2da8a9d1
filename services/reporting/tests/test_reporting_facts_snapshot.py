"""The reporting facts reader on the real PostgreSQL read model: one snapshot, one instant.

A report reads several tables one after the other (placements, then their attendance, incidents
and rewards); facts the projection commits between two of those reads must not appear in the
later ones, or one report would count a placement in one table and miss it in the next.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from uuid import UUID, uuid4

import asyncpg
import pytest

from ap_reporting.domain.vocabulary import Period
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.facts_reader import PostgresFactsReader
from ap_runtime.projection.store import ensure_registered

pytestmark = pytest.mark.integration

NewDatabase = Callable[[str], Awaitable[str]]
TERM = Period(date(2025, 1, 6), date(2025, 3, 28))


async def _add_placement(pool: asyncpg.Pool, schema: str, partnership_id: str) -> UUID:
    placement_id = uuid4()
    await pool.execute(
        f"INSERT INTO {schema}.placements (placement_id, pupil_ref, provision_id, home_school_id, partnership_id,"
        " start_date, pupil_key_stage, outside_key_stage) VALUES ($1, $2, 'prov-a', 'school-a', $3, $4, 'KS3', false)",
        placement_id, uuid4(), partnership_id, TERM.first_day,
    )
    return placement_id


async def test_facts_committed_during_a_snapshot_are_not_seen_by_its_later_reads(new_database: NewDatabase) -> None:
    pool = await asyncpg.create_pool(await new_database("rpt_snapshot"), min_size=1, max_size=3)
    try:
        schema = await ensure_registered(pool, ReportingFactsProjection())
        first = await _add_placement(pool, schema, "np-north")
        async with PostgresFactsReader(pool).snapshot() as facts:
            before = await facts.placements_of_partnership("np-north")
            await _add_placement(pool, schema, "np-north")
            again = await facts.placements_of_partnership("np-north")
            home_school = await facts.placements_of_home_school("school-a", TERM)
        assert [p.placement_id for p in before] == [first]
        assert [p.placement_id for p in again] == [first]
        assert [p.placement_id for p in home_school] == [first]
        async with PostgresFactsReader(pool).snapshot() as facts:
            assert len(await facts.placements_of_partnership("np-north")) == 2
    finally:
        await pool.close()
