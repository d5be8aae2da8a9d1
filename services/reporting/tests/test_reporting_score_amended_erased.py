"""Reporting's facts on real PostgreSQL: an amended engagement score counts as amended (issue 16), and an erasure
leaves no sex linked to the pupil reference while a report as recorded before it is unchanged (UK GDPR Art. 17).

The facts projection applies each event as its runner would (one transaction per event, one minute apart). A score
of 5 reduced by 1 is amended to 2: the term average counts 2 - 1 = 1 from the amendment on, and 4 as recorded
before it. A pupil erased for any reason other than a record made in error keeps its counted facts (no personal
data) but its sex is blanked; the sexes read as recorded by a moment before the erasure are those recorded then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import asyncpg
import pytest
import pytest_asyncio

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import ErasureReason, ErasureRequester, PupilDataErased
from ap_contracts.events.pupil_vocabulary import IncidentCategory, Severity, Sex
from ap_reporting.domain.engagement import average
from ap_reporting.domain.vocabulary import Period
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.queries import FactsQueries
from ap_reporting.projections.versions import as_recorded_by
from ap_testing.infra import NewDatabase
from ap_testing.reporting.events import Pupil

from .test_reporting_batch_fold import _applied, _received

pytestmark = pytest.mark.integration

TERM = Period(date(2025, 1, 6), date(2025, 4, 4))
SCHEMA = "score_amended_erased"


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def dsn(new_database: NewDatabase) -> str:
    made: str = await new_database("rpt_amend_erase")
    return made


async def _folded(dsn: str, events: Sequence[DomainEvent]) -> tuple[asyncpg.Connection, list[datetime]]:
    """A connection reading the facts the projection folded, and each event's recorded moment."""
    received = _received(events)
    conn = await asyncpg.connect(dsn)
    await _applied(conn, SCHEMA, ReportingFactsProjection(), [[e] for e in received])
    return conn, [e.envelope.recorded_at for e in received]


async def _term_average(conn: asyncpg.Connection, placement_id: UUID, moment: datetime | None) -> Decimal | None:
    async with conn.transaction():
        await as_recorded_by(conn, moment)
        return average((await FactsQueries(conn).engagement([placement_id], TERM)).scores)


async def _sexes(conn: asyncpg.Connection, refs: list[UUID], moment: datetime | None) -> dict[UUID, Sex]:
    async with conn.transaction():
        await as_recorded_by(conn, moment)
        return await FactsQueries(conn).pupil_sexes(refs)


async def test_the_term_average_counts_the_amended_score_from_the_amendment_on(dsn: str) -> None:
    pupil = Pupil("school-a", "np-1")
    score = pupil.scored(date(2025, 1, 14), 5)
    conn, moments = await _folded(dsn, [pupil.registered(), pupil.started(), score, pupil.reduced(score, 1),
                                        pupil.score_amended(score, 2)])
    try:
        assert await _term_average(conn, pupil.placement_id, None) == Decimal("1.0")  # 2, less the reduction
        assert await _term_average(conn, pupil.placement_id, moments[3]) == Decimal("4.0")  # before the amendment
    finally:
        await conn.close()


@pytest.mark.parametrize("reason", [r for r in ErasureReason if r is not ErasureReason.RECORDED_IN_ERROR])
async def test_an_erasure_blanks_the_sex_and_a_report_before_it_is_unchanged(dsn: str, reason: ErasureReason) -> None:
    erased, kept = Pupil("school-a", "np-1"), Pupil("school-a", "np-1")
    incident = erased.incident(date(2025, 1, 14), IncidentCategory.PHYSICAL_AGGRESSION_TO_PUPIL, Severity.MODERATE)
    erasure = PupilDataErased(pupil_ref=erased.pupil_ref, reason=reason, legal_basis="UK GDPR Art. 17(1)(a)",
                              requested_by=ErasureRequester.DATA_PROTECTION_OFFICER)
    events = [erased.registered(), erased.started(), kept.registered(), incident, erasure]
    conn, moments = await _folded(dsn, events)
    refs = [erased.pupil_ref, kept.pupil_ref]
    try:
        assert await _sexes(conn, refs, None) == {kept.pupil_ref: Sex.FEMALE}
        assert await _sexes(conn, refs, moments[3]) == {erased.pupil_ref: Sex.FEMALE, kept.pupil_ref: Sex.FEMALE}
        assert await _sexes(conn, refs, moments[4] - timedelta(seconds=1)) == await _sexes(conn, refs, moments[3])
        rows = await conn.fetch(f"SELECT sex, superseded_at FROM {SCHEMA}.pupils WHERE pupil_ref = $1"  # nosec B608 - the test's own schema name
                                " ORDER BY recorded_at", erased.pupil_ref)
        assert [(r["sex"], r["superseded_at"]) for r in rows] == [(Sex.FEMALE.value, moments[4]), (None, None)]
        counted = await conn.fetchval(f"SELECT count(*) FROM {SCHEMA}.incidents_as_recorded"  # nosec B608 - the test's own schema name
                                      " WHERE pupil_ref = $1", erased.pupil_ref)
        assert counted == 1  # the count holds no personal data and stays
    finally:
        await conn.close()
