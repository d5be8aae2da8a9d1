"""``finance_reintegrations`` on real PostgreSQL: after a pupil's erasure, no event about the pupil read later links
anything to the pupil's reference again (``projections/reintegrations.py``, ``ap_runtime.privacy.erased_pupils``).

Rule served (UK GDPR Art. 17; children's data): the erasure re-keys the pupil's rows to a fresh random reference (or,
for a record made in error, removes them). A ``PlacementStarted`` read again after it, delivered again or under a new
id, set the placement's ``pupil_ref`` back to the erased reference, and a suspension recorded before the erasure but
read after it was kept under that reference, joining the placement again. Each reason; one event per transaction,
as the runner applies this projection.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import ErasureReason, ErasureRequester, PupilDataErased
from ap_finance.projections.reintegrations import ReintegrationsProjection
from ap_testing.infra import NewDatabase
from ap_testing.notifications.builders import received
from ap_testing.projection_schema import apply_each, fresh_schema

from .conftest import placement_ended, placement_started, suspension_issued

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def dsn(new_database: NewDatabase) -> str:
    made: str = await new_database("fin_erased_stays")
    return made


async def _rows(conn: asyncpg.Connection, schema: str) -> dict[str, list[tuple[object, ...]]]:
    return {table: sorted(tuple(r) for r in await conn.fetch(f"SELECT * FROM {schema}.{table}"))  # nosec B608 - the test's schema and the projection's tables
            for table in ("reintegration_placements", "later_exclusions")}


def _naming(rows: dict[str, list[tuple[object, ...]]], pupil: UUID) -> list[tuple[object, ...]]:
    return [row for table in rows.values() for row in table if pupil in row]


@pytest.mark.parametrize("reason", list(ErasureReason))
async def test_no_event_read_after_an_erasure_links_the_pupils_reference_again(
        dsn: str, reason: ErasureReason) -> None:
    pupil, placement, second = uuid4(), uuid4(), uuid4()
    started, ended = placement_started(pupil, placement, date(2025, 6, 2)), placement_ended(pupil, placement,
                                                                                           date(2025, 12, 19))
    late: list[DomainEvent] = [suspension_issued(pupil, date(2026, 3, 2)), placement_started(pupil, second,
                                                                                             date(2026, 4, 13))]
    erasure = PupilDataErased(pupil_ref=pupil, reason=reason, legal_basis="UK GDPR Art. 17(1)(a)",
                              requested_by=ErasureRequester.DATA_PROTECTION_OFFICER)
    before = [received(e) for e in (started, ended, suspension_issued(pupil, date(2026, 2, 2)))]
    schema = f"fin_erased_{reason.value}"
    conn = await asyncpg.connect(dsn)
    try:
        await fresh_schema(conn, schema, ReintegrationsProjection())
        await apply_each(conn, schema, ReintegrationsProjection(), [*before, received(erasure)])
        at_erasure = await _rows(conn, schema)
        # Read after the erasure: the placement's events again (same ids), a suspension recorded before it, and
        # the same facts again under new ids.
        again = [*before[:2], *(received(e) for e in late), *(received(e, event_id=uuid4()) for e in (*late, started))]
        await apply_each(conn, schema, ReintegrationsProjection(), again)
        after = await _rows(conn, schema)
    finally:
        await conn.close()
    assert _naming(after, pupil) == []
    assert after["later_exclusions"] == at_erasure["later_exclusions"]  # none kept, none joined again
    if reason is ErasureReason.RECORDED_IN_ERROR:  # never there: no placement comes back
        assert after == at_erasure == {"reintegration_placements": [], "later_exclusions": []}
    else:  # the ended placement as the erasure left it; the second one counts of nobody
        assert [r for r in after["reintegration_placements"] if r[0] != second] == at_erasure[
            "reintegration_placements"]
        assert [r[1] for r in after["reintegration_placements"] if r[0] == second] == [None]
