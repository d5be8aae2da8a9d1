"""What a notification's delivery guarantees when workers crash or race (issue 11, more than one worker).

Recording is exactly once (the command id is the notification id); delivery is at least once: the
ledger is written after the channel, so a crash between the two, or two workers dispatching the same
alert around a rebalance, delivers again. With the file outbox a repeat rewrites the one file named
by the notification id; these tests pin both halves on real PostgreSQL and a real outbox directory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import pytest

from ap_contracts.events.notifications import Audience, Channel, NotificationSent
from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.adapters.ledger import PostgresDeliveryLedger, migrate_ledger
from ap_notifications.application.dispatch import AlertDispatcher
from ap_notifications.domain.alerts import Alert, Priority
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_runtime.commands import CommandExecutor
from ap_testing.notifications.builders import HOME_SCHOOL
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration


class WorkerKilled(BaseException):
    """Stands for a SIGKILL: nothing after it in the dispatch runs."""


class LedgerKilledBeforeRecording(PostgresDeliveryLedger):
    """The real ledger, but the process 'dies' after the channel delivered and before the ledger row."""

    async def record_delivered(self, notification_id: UUID, channel: Channel) -> None:
        raise WorkerKilled


def alert() -> Alert:
    return Alert(rule_name="physical_intervention", audience=Audience.HOME_SCHOOL,
                 recipient_organisation_id=HOME_SCHOOL, pupil_ref=uuid4(), cause_event_id=uuid4(),
                 cause_event_type="PhysicalInterventionRecorded", template_id="physical_intervention",
                 priority=Priority.HIGH, link_path="/x")


async def sent_count(notif: NotificationServices) -> int:
    return sum(1 for e in await read_everything_stored(notif.store) if e.event_type == "NotificationSent")


def outbox_files(outbox: Path) -> list[str]:
    return sorted(p.name for p in outbox.iterdir() if not p.name.startswith(".tmp-"))


async def test_a_crash_between_delivering_and_recording_delivers_again_to_the_same_file(
    notif: NotificationServices, outbox: Path,
) -> None:
    a = alert()
    dying = AlertDispatcher(CommandExecutor(notif.store), FileOutbox(outbox), LedgerKilledBeforeRecording(notif.pool))
    with pytest.raises(WorkerKilled):
        await dying.dispatch(a, uuid4())
    [written] = outbox_files(outbox)
    first_write = (outbox / written).stat().st_mtime_ns

    # The other worker is handed the same cause event (its batch was never committed) and dispatches it.
    again = await notif.dispatcher.dispatch(a, uuid4())
    assert (again.newly_recorded, again.delivered_now) == (False, True)  # at least once: delivered a second time
    assert outbox_files(outbox) == [written] == [f"{again.notification_id}.json"]  # ... over the same file
    assert (outbox / written).stat().st_mtime_ns >= first_write
    assert await sent_count(notif) == 1
    attempts = await notif.pool.fetchval("SELECT attempts FROM notification_deliveries WHERE notification_id = $1",
                                         again.notification_id)
    assert attempts == 1  # the ledger saw one delivery: the one before the crash left no row


async def test_two_workers_dispatching_one_alert_at_once_record_it_once_and_leave_one_file(
    notif: NotificationServices, outbox: Path,
) -> None:
    alerts = [alert() for _ in range(20)]
    # Two workers: each its own executor and ledger over the one notifications database.
    workers = [AlertDispatcher(CommandExecutor(notif.store), FileOutbox(outbox), PostgresDeliveryLedger(notif.pool))
               for _ in range(2)]
    results = await asyncio.gather(*(w.dispatch(a, uuid4()) for a in alerts for w in workers))
    ids = {r.notification_id for r in results}
    assert len(ids) == len(alerts)
    assert sum(r.newly_recorded for r in results) == len(alerts)  # exactly one of each pair recorded it
    assert await sent_count(notif) == len(alerts)
    assert outbox_files(outbox) == sorted(f"{i}.json" for i in ids)
    stored = [e for e in await read_everything_stored(notif.store) if e.event_type == "NotificationSent"]
    assert {NotificationSent.model_validate(dict(e.payload)).notification_id for e in stored} == ids


async def test_workers_starting_at_once_on_a_new_database_all_create_the_delivery_ledger(
    new_database: Callable[[str], Awaitable[str]],
) -> None:
    """Two or more workers (and APIs) start together on a database nobody has migrated yet (a first
    deployment with replicas): each creates the ledger if it is missing, and none may fail to start."""
    for round_ in range(3):
        dsn = await new_database(f"ledger_migrate_{round_}")
        pools = [await asyncpg.create_pool(dsn, min_size=1, max_size=1) for _ in range(8)]  # eight processes' pools
        try:
            await asyncio.gather(*(migrate_ledger(pool) for pool in pools))
            assert await pools[0].fetchval("SELECT count(*) FROM notification_deliveries") == 0
        finally:
            for pool in pools:
                await pool.close()
