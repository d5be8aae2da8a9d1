"""Reporting on real PostgreSQL: after a pupil's erasure, no later event brings back what the erasure removed.

Rule served (UK GDPR Art. 17; children's data): the facts projection blanks an erased pupil's sex (the one clear
field of the person it keeps), or for data recorded in error removes the pupil from every figure. Events about
the pupil can still arrive after the erasure: a ``PupilDetailsUpdated`` naming the sex, a details update recorded
before the erasure but delivered after it, and a registration and placement start delivered again under new ids.
Before ``erasures``, the details update wrote the sex back into the current row, so the partnership annual
report's "pupils served, by sex" counted the erased pupils by sex again, and a late registration of a pupil
erased in error put the pupil back into the figures. Each history is applied one event per transaction and as one
batch (``version_batch``): the read model, the sexes every report reads and the report itself lack the field.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from uuid import UUID, uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import ErasureReason, ErasureRequester, PupilDataErased
from ap_contracts.events.pupil_vocabulary import Sex
from ap_contracts.events.pupils import PupilDetailsUpdated
from ap_reporting.application.reports import partnership_annual_figures
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.queries import FactsQueries
from ap_runtime.projection import ReceivedEvent
from ap_testing.infra import NewDatabase
from ap_testing.reporting.events import Pupil

from .test_reporting_batch_fold import _applied, _received

pytestmark = pytest.mark.integration

SCHEMA = "erased_stays_erased"
PUPILS = 6  # enough that the report's by-sex table is not suppressed: the sex would show if it came back


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def dsn(new_database: NewDatabase) -> str:
    made: str = await new_database("rpt_erased_stays")
    return made


def _erasure(pupil: Pupil, reason: ErasureReason) -> PupilDataErased:
    return PupilDataErased(pupil_ref=pupil.pupil_ref, reason=reason, legal_basis="UK GDPR Art. 17(1)(a)",
                           requested_by=ErasureRequester.DATA_PROTECTION_OFFICER)


def _details(pupil: Pupil, **changes: object) -> PupilDetailsUpdated:
    return PupilDetailsUpdated(pupil_ref=pupil.pupil_ref, record_id=uuid4(), effective_from=date(2025, 2, 3),
                               sex=Sex.MALE, **changes)


def _history(pupils: Sequence[Pupil], reason: ErasureReason) -> tuple[list[ReceivedEvent], int]:
    """Each pupil registered (female) and placed; a details update naming the sex recorded next but delivered
    only after the erasure; the erasure; a details update after it; registration and start delivered again.
    Returns the events in delivery order and the position of the first event delivered after the erasures."""
    recorded: list[DomainEvent] = [e for p in pupils for e in (p.registered(), p.started())]
    older = [_details(p) for p in pupils]
    erasures = [_erasure(p, reason) for p in pupils]
    after = [*(_details(p, home_school_id="school-moved") for p in pupils),
             *(e for p in pupils for e in (p.registered(), p.started()))]
    received = _received([*recorded, *older, *erasures, *after])
    placed, late, erased, rest = (received[:len(recorded)], received[len(recorded):len(recorded) + len(pupils)],
                                  received[len(recorded) + len(pupils):len(recorded) + 2 * len(pupils)],
                                  received[len(recorded) + 2 * len(pupils):])
    return [*placed, *erased, *rest, *late], len(placed) + len(erased)


class _SchemaFacts:
    """The application's ``FactsReader`` over the test's schema (the connection's search path)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[FactsQueries]:
        async with self._conn.transaction(isolation="repeatable_read", readonly=True):
            yield FactsQueries(self._conn)


async def _sex_written_after(conn: asyncpg.Connection, refs: list[UUID], moment: object) -> int:
    count: int = await conn.fetchval(f"SELECT count(*) FROM {SCHEMA}.pupils WHERE pupil_ref = ANY($1::uuid[])"  # nosec B608 - the test's own schema name
                                     " AND sex IS NOT NULL AND recorded_at >= $2", refs, moment)
    return count


@pytest.mark.parametrize("batched", [False, True], ids=["one_by_one", "one_batch"])
@pytest.mark.parametrize("reason", list(ErasureReason))
async def test_no_event_after_an_erasure_brings_the_sex_back_into_the_read_model_or_a_report(
        dsn: str, reason: ErasureReason, batched: bool) -> None:
    pupils = [Pupil("school-a", "np-1") for _ in range(PUPILS)]
    delivered, first_after = _history(pupils, reason)
    refs = [p.pupil_ref for p in pupils]
    conn = await asyncpg.connect(dsn)
    try:
        await _applied(conn, SCHEMA, ReportingFactsProjection(), [delivered] if batched else [[e] for e in delivered])
        erased_at = delivered[first_after - 1].envelope.recorded_at
        assert await _sex_written_after(conn, refs, erased_at) == 0
        async with _SchemaFacts(conn).snapshot() as facts:
            assert await facts.pupil_sexes(refs) == {}
        figures = await partnership_annual_figures(_SchemaFacts(conn), "np-1", "2024/25")
        by_sex = next(t for t in figures.tables if t.name == "pupils_by_sex")
        current = await conn.fetch(f"SELECT home_school_id FROM {SCHEMA}.pupils_as_recorded"  # nosec B608 - the test's own schema name
                                   " WHERE pupil_ref = ANY($1::uuid[])", refs)
        if reason is ErasureReason.RECORDED_IN_ERROR:  # never there: neither the pupils nor their placements return
            assert current == [] and by_sex.grand_total == 0
        else:  # the counts stay, by no sex; a field erasure did not remove still changes
            assert by_sex.column_labels == (*(s.value for s in Sex), "not recorded")
            assert by_sex.cells == ((*(0 for _ in Sex), PUPILS),)
            assert {r["home_school_id"] for r in current} == {"school-moved"}
    finally:
        await conn.close()


async def test_an_exclusion_of_a_pupil_erased_in_error_delivered_after_the_erasure_is_not_counted(dsn: str) -> None:
    pupil, other = Pupil("school-a", "np-1"), Pupil("school-a", "np-1")
    late = pupil.suspended(date(2025, 1, 20), 2)
    received = _received([pupil.suspended(date(2025, 1, 14), 1), late, other.suspended(date(2025, 1, 14), 1),
                          _erasure(pupil, ErasureReason.RECORDED_IN_ERROR)])
    conn = await asyncpg.connect(dsn)
    try:
        await _applied(conn, SCHEMA, ExclusionReasonsProjection(), [[e] for e in (*received[:1], *received[2:],
                                                                               received[1])])
        counted = await conn.fetch(f"SELECT pupil_ref FROM {SCHEMA}.exclusion_reasons_as_recorded")  # nosec B608 - the test's own schema name
        assert [r["pupil_ref"] for r in counted] == [other.pupil_ref]
    finally:
        await conn.close()
