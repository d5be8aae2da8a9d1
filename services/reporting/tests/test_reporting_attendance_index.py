"""An attendance mark is found by its record through an index (real PostgreSQL, ``EXPLAIN``).

Rule served (issue 15, a rebuild over 1,000,000 events; corrections honoured as recorded): a withdrawal or an
amendment names the mark it corrects by its record (``writers``), and a batch fetches the current versions so named
in one statement (``version_batch.lookup_sql``). Attendance is keyed by its session, so without an index on its
record that statement read every mark of the read model for each batch holding a correction of one. The schema's
``attendance_by_record`` index (partial: current versions, the only ones looked up) serves it: the plan of the
very statement a batch runs, over 20,000 marks, scans that index. The DDL is ``CREATE INDEX IF NOT EXISTS``, run
by ``setup`` each time the projection starts (``ensure_registered``), so a read model made before the index gains it
at its projection's next start, as a new generation does at once.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.version_batch import lookup_sql
from ap_testing.infra import NewDatabase

pytestmark = pytest.mark.integration

SCHEMA = "attendance_index"
MARKS, PER_PLACEMENT = 20_000, 200
COLUMNS = ("record_id", "placement_id", "pupil_ref", "session_date", "session", "code", "attended", "possible",
           "recorded_at")


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def dsn(new_database: NewDatabase) -> str:
    made: str = await new_database("rpt_att_index")
    return made


async def _marks(conn: asyncpg.Connection) -> list[UUID]:
    """``MARKS`` current marks, two sessions a day of 100 days per placement; returns their record ids."""
    at = datetime(2025, 1, 13, 9, tzinfo=UTC)
    rows = []
    for n in range(MARKS // PER_PLACEMENT):
        placement, pupil = uuid4(), uuid4()
        rows += [(uuid4(), placement, pupil, date(2024, 9, 2) + timedelta(days=i // 2), ("am", "pm")[i % 2], "/",
                  True, True, at) for i in range(PER_PLACEMENT)]
    await conn.copy_records_to_table("attendance", schema_name=SCHEMA, columns=COLUMNS, records=rows)
    await conn.execute(f"ANALYZE {SCHEMA}.attendance")
    return [r[0] for r in rows]


async def _fresh_read_model(conn: asyncpg.Connection) -> None:
    await conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}; SET search_path TO {SCHEMA}")
    await ReportingFactsProjection().setup(conn)


async def _plan(conn: asyncpg.Connection, records: list[UUID]) -> list[dict[str, object]]:
    """The executed plan of the statement a batch runs to find these marks by their records."""
    plan: list[dict[str, object]] = json.loads(await conn.fetchval(
        "EXPLAIN (ANALYZE, FORMAT JSON) " + lookup_sql("attendance", ("record_id",)), records))
    return plan


def _index_scans(plan: object) -> list[str]:
    """The index names every node of an ``EXPLAIN (FORMAT JSON)`` plan scans."""
    if isinstance(plan, list):
        return [name for node in plan for name in _index_scans(node)]
    if not isinstance(plan, dict):
        return []
    own = [plan["Index Name"]] if "Index Name" in plan else []
    return own + [name for value in plan.values() if isinstance(value, list | dict) for name in _index_scans(value)]


async def test_a_batch_finds_a_mark_by_its_record_through_the_index(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await _fresh_read_model(conn)
        records = await _marks(conn)
        indexed = await _plan(conn, records[7_777:7_779])
        assert "attendance_by_record" in _index_scans(indexed), json.dumps(indexed, indent=1)
        found = await conn.fetch(lookup_sql("attendance", ("record_id",)), records[7_777:7_779])
        assert sorted(r["record_id"] for r in found) == sorted(records[7_777:7_779])
        await conn.execute("DROP INDEX attendance_by_record")  # the same look-up as before the index
        unindexed = await _plan(conn, records[7_777:7_779])
        assert _index_scans(unindexed) == []
        print(f"\nattendance by record, {MARKS} marks: {indexed[0]['Execution Time']:.3f} ms through the index,"
              f" {unindexed[0]['Execution Time']:.3f} ms without it")
    finally:
        await conn.close()


async def test_a_read_model_made_without_the_index_gains_it_when_its_projection_starts_again(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await _fresh_read_model(conn)
        await conn.execute("DROP INDEX attendance_by_record")  # as a read model made before the index stands
        await ReportingFactsProjection().setup(conn)  # what ``ensure_registered`` runs at each start
        indexed = await conn.fetchval("SELECT indexdef FROM pg_indexes WHERE schemaname = $1"
                                      " AND indexname = 'attendance_by_record'", SCHEMA)
        assert indexed is not None and "(record_id) WHERE (superseded_at IS NULL)" in indexed
    finally:
        await conn.close()
