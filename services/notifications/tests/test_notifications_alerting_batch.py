"""The alert projection applied a batch at a time (``projections/alerting_batch.py``, issue 14 benchmark) has the
effect of applying each event in turn (the ``Projection.apply_batch`` contract): the same read model rows and the
same alerts. On real PostgreSQL, two notifications databases fed the same story, one in one batch, one event by
event. The story makes the batch view's reads matter: marks taking a placement below its agreed attendance and
back, a session marked again with another code, two pupils interleaved, thresholds agreed mid-way, incidents."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from ap_contracts.events.pupil_vocabulary import AttendanceCode, Session, Severity
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.projections.alerting import AlertingProjection
from ap_runtime.projection.base import ReceivedEvent
from ap_runtime.projection.store import ensure_registered
from ap_testing.notifications.builders import Events, received
from ap_testing.notifications.checks import services_with_check_env
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

PRESENT, ABSENT = AttendanceCode.PRESENT_AM, AttendanceCode.OTHER_UNAUTHORISED


def story() -> list[ReceivedEvent]:
    a, b = Events(), Events()
    first = date.today() - timedelta(days=30)
    events: list[Any] = [a.started(), b.started()]
    for i in range(12):  # both present, pupil b absent every third day: below 90% once enough sessions are known
        day = first + timedelta(days=i)
        events += [a.mark(day, PRESENT), b.mark(day, ABSENT if i % 3 == 0 else PRESENT)]
    events += [a.mark(first + timedelta(days=12), ABSENT), a.mark(first + timedelta(days=13), ABSENT)]
    events += [b.thresholds(first + timedelta(days=13), Severity.MODERATE, attendance=60)]
    events += [b.mark(first, PRESENT), b.mark(first + timedelta(days=3), PRESENT)]  # two sessions marked again
    events += [b.incident(Severity.MODERATE, on=first + timedelta(days=14))]
    events += [a.mark(first + timedelta(days=14 + i), PRESENT) for i in range(8)]  # back to the agreed level
    events += [a.mark(first + timedelta(days=22 + i), ABSENT) for i in range(3)]  # and below again
    events += [a.mark(first + timedelta(days=25), ABSENT, Session.PM), a.incident(Severity.SERIOUS)]
    return [received(e) for e in events]


async def project(services: NotificationServices, events: Sequence[ReceivedEvent], in_one_batch: bool) -> None:
    projection = AlertingProjection(services.dispatcher, services.transfers, services.book)
    schema = await ensure_registered(services.pool, projection)
    for batch in ([events] if in_one_batch else [[e] for e in events]):
        async with services.pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {schema}, public")
            await projection.apply_batch(conn, batch)


async def outcome(services: NotificationServices) -> tuple[list[Any], list[Any], list[tuple[str, str, str, str]]]:
    schema = await ensure_registered(services.pool, AlertingProjection(
        services.dispatcher, services.transfers, services.book))
    async with services.pool.acquire() as conn:
        marks = await conn.fetch(f"SELECT * FROM {schema}.attendance_marks ORDER BY 1, 2, 3")
        states = await conn.fetch(f"SELECT placement_id, attendance_below, review_alerted FROM {schema}.placements"
                                  " ORDER BY 1")
    sent = [(e.payload["rule_name"], e.payload["audience"], e.payload["recipient_organisation_id"],
             e.payload["cause_event_id"]) for e in await read_everything_stored(services.store)
            if e.event_type == "NotificationSent"]
    return [tuple(r) for r in marks], [tuple(r) for r in states], sorted(sent)


@pytest_asyncio.fixture(loop_scope="session")
async def second(new_database: Callable[[str], Awaitable[str]], kafka_bootstrap: str,
                 tmp_path: Path) -> AsyncIterator[NotificationServices]:
    async with services_with_check_env(new_database, kafka_bootstrap, tmp_path / "outbox-2", "batch") as (s, _):
        yield s


async def test_a_batch_applied_at_once_leaves_what_its_events_applied_one_by_one_leave(
    notif: NotificationServices, second: NotificationServices,
) -> None:
    events = story()
    await project(notif, events, in_one_batch=True)
    await project(second, events, in_one_batch=False)
    batched, one_by_one = await outcome(notif), await outcome(second)
    assert batched == one_by_one
    marks, states, sent = batched
    assert len(marks) == 12 * 2 + 2 + 8 + 3 + 1  # the two sessions marked again are one row each
    assert any(below for _, below, _ in states)
    rules = [rule for rule, *_ in sent]
    assert rules.count("attendance_below_agreed_level") == 3  # pupil b once (before its 60%), pupil a twice
    assert "incident_at_threshold" in rules
