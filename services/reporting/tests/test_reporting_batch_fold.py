"""A batch folded in memory (``projections/version_batch.py``) leaves the rows one event at a time leaves (issue 15).

Rule served: the reporting projections fold a batch's events over an in-memory view of the current versions
and write them in a few statements (a rebuild over 1,000,000 events); a report as at any moment must not
notice. Random histories of a few pupils (hypothesis, derandomised): registrations (some twice), placements,
marks and re-marks of the same sessions, incidents, rewards, scores with progress marks, suspensions and
permanent exclusions, and their corrections: amendments of counted fields, withdrawals, reinstatements,
details updates, placement ends, amendments of scores, erasures (of data recorded in error, which closes every
fact, or for another reason, which blanks the pupil's sex). Each history is cut into batches at
random points, so a correction often falls in the batch of the fact it corrects and as often in a later one
(then the fetch of stored versions answers). Each incidents-topic projection applies the history in those
batches, and again one event per transaction (``apply``: every earlier event read back from PostgreSQL);
every version of every table (each value, ``recorded_at``, ``superseded_at``) must be the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.engagement import EngagementScoreRecorded, TargetProgress, TargetProgressMark
from ap_contracts.events.privacy import ErasureReason, ErasureRequester, PupilDataErased
from ap_contracts.events.pupil_vocabulary import (
    AttendanceCode,
    IncidentCategory,
    PlacementEndReason,
    RewardKind,
    Session,
    Severity,
    YearGroup,
    key_stage_of,
)
from ap_contracts.events.pupils import PupilDetailsUpdated
from ap_contracts.events.school_exclusions import PermanentExclusionIssued
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.schema import CURRENT_KEYS
from ap_runtime.projection import Projection, ReceivedEvent
from ap_testing.infra import NewDatabase
from ap_testing.reporting.events import Pupil

from .test_reporting_as_at import amended

pytestmark = pytest.mark.integration

ACTOR = Actor(user_id="staff@prov", organisation_id="prov-1")
DAY = date(2025, 1, 13)
TARGETS = (uuid4(), uuid4())
CASES: tuple[tuple[type[Projection], tuple[str, ...]], ...] = (
    (ReportingFactsProjection, (*CURRENT_KEYS, "positions")),
    (ExclusionReasonsProjection, ("exclusion_reasons", "positions")),
)


def _fact(draw: st.DrawFn, pupil: Pupil) -> DomainEvent:
    """A new fact about the pupil: sessions of three days, so that a session is often marked again."""
    day = DAY + timedelta(days=draw(st.integers(0, 2)))
    kind = draw(st.sampled_from(("mark", "mark", "incident", "reward", "score", "target", "suspension",
                                 "exclusion", "registered")))
    if kind == "mark":
        return pupil.mark(day, draw(st.sampled_from(list(AttendanceCode))), draw(st.sampled_from(list(Session))))
    if kind == "incident":
        return pupil.incident(day, draw(st.sampled_from(list(IncidentCategory))), draw(st.sampled_from(list(Severity))))
    if kind == "reward":
        return pupil.reward(day, draw(st.sampled_from(list(RewardKind))), draw(st.integers(1, 3)))
    if kind == "score":  # progress against two targets, sometimes the same one twice (kept once)
        targets = draw(st.lists(st.sampled_from(TARGETS), max_size=2))
        return pupil.scored(day, draw(st.integers(0, 5)), progress=tuple(
            TargetProgressMark(target_id=t, progress=draw(st.sampled_from(list(TargetProgress)))) for t in targets))
    if kind == "target":
        return pupil.target(day, day + timedelta(days=20))
    if kind == "suspension":
        return pupil.suspended(day, draw(st.integers(1, 6)))
    return pupil.excluded(day) if kind == "exclusion" else pupil.registered()


def _amendment(draw: st.DrawFn, pupil: Pupil, target: Any) -> DomainEvent:
    """An amendment of a counted field of ``target`` (a field reporting does not count when it has none); a
    score's amendment is its own event (``EngagementScoreAmended``)."""
    if isinstance(target, EngagementScoreRecorded):
        return pupil.score_amended(target, draw(st.integers(0, 5)))
    values: dict[str, Any] = {
        "IncidentRecorded": {"severity": int(draw(st.sampled_from(list(Severity)))),
                             "category": draw(st.sampled_from(list(IncidentCategory))).value},
        "AttendanceRecorded": {"code": draw(st.sampled_from(list(AttendanceCode))).value},
        "RewardGranted": {"quantity": draw(st.integers(1, 9))},
        "SuspensionIssued": {"duration_half_days": draw(st.integers(1, 9))},
        "PermanentExclusionIssued": {"decided_on": (DAY + timedelta(days=draw(st.integers(3, 9)))).isoformat()},
    }.get(target.event_type, {"note": "uncounted"})
    return amended(pupil, target, **values)


def _correction(draw: st.DrawFn, pupil: Pupil, made: Sequence[Any]) -> DomainEvent:
    """A correction of one of the pupil's facts, or of the pupil or placement."""
    kind = draw(st.sampled_from(("amend", "withdraw", "reinstate", "details", "end", "erase")))
    if kind in ("amend", "withdraw", "reinstate") and made:
        target = draw(st.sampled_from(list(made)))
        if kind == "amend":
            return _amendment(draw, pupil, target)
        if kind == "reinstate" and isinstance(target, PermanentExclusionIssued):
            return pupil.reinstated(target)
        return pupil.withdrawn(target)
    if kind == "details":
        year = draw(st.sampled_from(list(YearGroup)))
        return PupilDetailsUpdated(pupil_ref=pupil.pupil_ref, record_id=uuid4(), effective_from=DAY,
                                   year_group=year, key_stage=key_stage_of(year),
                                   home_school_id=draw(st.sampled_from((None, "school-moved"))))
    if kind == "erase":
        return PupilDataErased(pupil_ref=pupil.pupil_ref, reason=draw(st.sampled_from(list(ErasureReason))),
                               legal_basis="UK GDPR Art. 16", requested_by=ErasureRequester.DATA_PROTECTION_OFFICER)
    return pupil.ended(DAY + timedelta(days=draw(st.integers(3, 9))), PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[DomainEvent], list[int]]:
    """Events of one to three pupils, and where the history is cut into batches."""
    pupils = [Pupil(f"school-{i}", "np-1") for i in range(draw(st.integers(1, 3)))]
    # A pupil not registered is counted by its placement's key stage (the writers' phase lookup).
    events: list[DomainEvent] = [e for p in pupils for e in ((p.started(),) if draw(st.booleans())
                                                            else (p.registered(), p.started()))]
    made: dict[int, list[Any]] = {id(p): [] for p in pupils}
    for _ in range(draw(st.integers(1, 60))):
        pupil = draw(st.sampled_from(pupils))
        event = (_correction(draw, pupil, made[id(pupil)]) if draw(st.integers(0, 2)) == 0
                 else _fact(draw, pupil))
        if "record_id" in vars(event):  # an erasure is no record
            made[id(pupil)].append(event)
        events.append(event)
    cuts = sorted(draw(st.sets(st.integers(1, len(events) - 1), max_size=4)))
    return events, cuts


def _received(events: Sequence[DomainEvent]) -> list[ReceivedEvent]:
    """The events as the runner hands them on, one minute apart."""
    out: list[ReceivedEvent] = []
    for offset, event in enumerate(events):
        at = datetime(2025, 1, 13, 9, tzinfo=UTC) + timedelta(minutes=offset)
        event_id = vars(event).get("record_id") or uuid4()
        envelope = EventEnvelope(
            event_id=event_id, event_type=event.event_type, schema_version=event.schema_version,
            stream_id=f"pupil-{event.pii_subject()}", stream_version=offset + 1, occurred_at=at, recorded_at=at,
            actor=ACTOR, organisation_id="prov-1", correlation_id=event_id, pii_subject=event.pii_subject(),
            payload=event.model_dump(mode="json"))
        out.append(ReceivedEvent(envelope, envelope.payload, "incidents", 0, offset))
    return out


async def _rows(conn: asyncpg.Connection, schema: str, tables: Sequence[str]) -> dict[str, list[str]]:
    """Every row of every table, each as the text of its columns, sorted."""
    return {t: sorted(repr(sorted(dict(r).items())) for r in await conn.fetch(f"SELECT * FROM {schema}.{t}"))  # nosec B608 - table names are constants of the schema
            for t in tables}


async def _applied(conn: asyncpg.Connection, schema: str, projection: Projection,
                   batches: Sequence[Sequence[ReceivedEvent]]) -> None:
    await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path TO {schema}")
    await projection.setup(conn)
    for batch in batches:
        async with conn.transaction():
            if len(batch) == 1:
                await projection.apply(conn, batch[0])
            else:
                await projection.apply_batch(conn, batch)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def dsn(new_database: NewDatabase) -> str:
    made: str = await new_database("rpt_fold")
    return made


@given(histories())
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
async def test_a_batch_leaves_the_rows_one_event_at_a_time_leaves(
        dsn: str, history: tuple[list[DomainEvent], list[int]]) -> None:
    events, cuts = history
    received = _received(events)
    bounds = [0, *cuts, len(received)]
    batches = [received[a:b] for a, b in pairwise(bounds)]
    conn = await asyncpg.connect(dsn)
    try:
        for projection_class, tables in CASES:
            await _applied(conn, "one_by_one", projection_class(), [[e] for e in received])
            await _applied(conn, "batched", projection_class(), batches)
            assert await _rows(conn, "batched", tables) == await _rows(conn, "one_by_one", tables), \
                f"{projection_class.name}: batches cut at {cuts}"
    finally:
        await conn.close()
