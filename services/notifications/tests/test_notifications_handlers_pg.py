"""The notifications handlers on real PostgreSQL: alerts recorded once, transfers offered, confirmed and
found overdue by the scheduled check (called with a fixed ``today``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from ap_contracts.envelope import Actor
from ap_contracts.events.notifications import Audience, DeliveryFailure, NotificationDeliveryFailed, NotificationSent
from ap_contracts.events.privacy import SafeguardingFileOffered, SafeguardingFileTransferOverdue
from ap_contracts.events.pupil_vocabulary import AttendanceCode, PlacementEndReason, Severity, TimetableKind
from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.adapters.ledger import PostgresDeliveryLedger
from ap_notifications.application.dispatch import AlertDispatcher
from ap_notifications.application.ports import DeliveryError, OutboundMessage
from ap_notifications.domain.alerts import Alert, Priority
from ap_notifications.domain.commands import OfferTransfer
from ap_notifications.domain.errors import OnlyReceivingDslConfirms
from ap_notifications.domain.notification import notification_stream_id
from ap_notifications.domain.transfers import transfer_id_after_placement_end, transfer_stream_id
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.transfer_check import check_transfers
from ap_notifications.projections.alerting import AlertingProjection
from ap_runtime.projection.base import ReceivedEvent
from ap_runtime.projection.store import ensure_registered
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, NEW_SCHOOL, PROVISION, Events, received
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

DSL_ACTOR = Actor(user_id="dsl@provision", organisation_id=PROVISION, roles=("dsl",))


def file_names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def alert(**kw: object) -> Alert:
    fields: dict[str, object] = {
        "rule_name": "physical_intervention", "audience": Audience.HOME_SCHOOL,
        "recipient_organisation_id": HOME_SCHOOL, "pupil_ref": uuid4(), "cause_event_id": uuid4(),
        "cause_event_type": "PhysicalInterventionRecorded", "template_id": "physical_intervention",
        "priority": Priority.HIGH, "link_path": "/x",
    }
    return Alert(**(fields | kw))  # type: ignore[arg-type]


async def sent_events(notif: NotificationServices) -> list[NotificationSent]:
    stored = await read_everything_stored(notif.store)
    return [NotificationSent.model_validate({k: v for k, v in e.payload.items()})
            for e in stored if e.event_type == "NotificationSent"]


async def feed(notif: NotificationServices, events: Sequence[ReceivedEvent]) -> None:
    """Apply events to the alert worker's projection as its runner would, one transaction each."""
    projection = AlertingProjection(notif.dispatcher, notif.transfers, notif.book)
    schema = await ensure_registered(notif.pool, projection)
    for event in events:
        async with notif.pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {schema}, public")
            await projection.apply(conn, event)


# -- dispatch ----------------------------------------------------------------------------------------

async def test_an_alert_dispatched_twice_is_recorded_and_delivered_once(notif: NotificationServices,
                                                                      outbox: Path) -> None:
    a = alert()
    first = await notif.dispatcher.dispatch(a, uuid4())
    again = await notif.dispatcher.dispatch(a, uuid4())
    assert (first.newly_recorded, first.delivered_now) == (True, True)
    assert (again.newly_recorded, again.delivered_now) == (False, False)
    assert first.notification_id == again.notification_id
    [sent] = await sent_events(notif)
    assert (sent.notification_id, sent.audience, sent.recipient_organisation_id) == (
        first.notification_id, Audience.HOME_SCHOOL, HOME_SCHOOL)
    assert file_names(outbox) == [f"{first.notification_id}.json"]


class RefusingChannel(FileOutbox):
    async def deliver(self, message: OutboundMessage) -> None:
        raise DeliveryError(DeliveryFailure.BOUNCED, "mailbox full")


async def test_a_failed_delivery_is_recorded_and_a_later_dispatch_delivers_it(notif: NotificationServices,
                                                                              outbox: Path) -> None:
    a = alert()
    failing = AlertDispatcher(notif.executor, RefusingChannel(outbox), PostgresDeliveryLedger(notif.pool))
    result = await failing.dispatch(a, uuid4())
    assert result.newly_recorded and not result.delivered_now
    history = await notif.store.load(notification_stream_id(result.notification_id))
    assert [type(e) for e in history] == [NotificationSent, NotificationDeliveryFailed]
    failed = history[1]
    assert isinstance(failed, NotificationDeliveryFailed) and failed.failure is DeliveryFailure.BOUNCED
    retried = await notif.dispatcher.dispatch(a, uuid4())
    assert retried.delivered_now and not retried.newly_recorded
    assert len(await sent_events(notif)) == 1


# -- the alert worker's projection, applied directly --------------------------------------------------

async def test_the_worker_keeps_thresholds_over_time_and_alerts_once_per_event(ev: Events,
                                                                              notif: NotificationServices) -> None:
    incident_before = ev.incident(Severity.SERIOUS, on=date(2025, 2, 20))
    incident_after = ev.incident(Severity.SERIOUS, on=date(2025, 3, 5))
    stream = [received(ev.started()), received(ev.thresholds(date(2025, 3, 1), Severity.VERY_SERIOUS)),
              received(incident_after), received(incident_before), received(ev.concern())]
    await feed(notif, stream)
    await feed(notif, stream)  # a replay (rebuilt read model) alerts nobody again
    sent = await sent_events(notif)
    assert sorted((s.rule_name, s.audience.value, s.recipient_organisation_id) for s in sent) == sorted([
        ("incident_at_threshold", "home_school", HOME_SCHOOL),
        ("incident_at_threshold", "commissioner", COMMISSIONER),
        ("safeguarding_concern", "home_school", HOME_SCHOOL),
        ("safeguarding_concern", "dsl", PROVISION),
        ("safeguarding_concern", "dsl", HOME_SCHOOL),
    ])
    assert {s.cause_event_id for s in sent if s.rule_name == "incident_at_threshold"} == {incident_before.record_id}
    assert all(s.pupil_ref == ev.pupil_ref and s.recipient_contact is None for s in sent)


async def test_the_worker_tells_the_commissioner_when_attendance_falls_below_the_agreed_level(
    ev: Events, notif: NotificationServices
) -> None:
    days = [date(2025, 3, d) for d in (3, 4, 5, 6, 7, 10, 11, 12, 13, 14)]
    marks = [ev.mark(d, AttendanceCode.PRESENT_AM) for d in days[:8]]
    marks += [ev.mark(d, AttendanceCode.OTHER_UNAUTHORISED) for d in days[8:]]
    marks += [ev.mark(date(2025, 3, 17), AttendanceCode.OTHER_UNAUTHORISED)]
    await feed(notif, [received(ev.started()), *(received(m) for m in marks)])
    [sent] = await sent_events(notif)
    assert (sent.rule_name, sent.recipient_organisation_id) == ("attendance_below_agreed_level", COMMISSIONER)
    assert sent.threshold is not None and (sent.threshold.threshold_value, sent.threshold.observed_value) == (
        9000, 8000)
    assert sent.cause_event_id == marks[9].record_id


async def test_the_worker_tells_the_commissioner_of_a_reduced_timetable_past_review_once(
    ev: Events, notif: NotificationServices
) -> None:
    started = ev.started(timetable=TimetableKind.REDUCED)
    late = [ev.mark(date(2025, 2, d), AttendanceCode.PART_TIME_TIMETABLE) for d in (11, 12)]
    reviewed = ev.timetable_reviewed(date(2025, 2, 13), date(2025, 3, 3))
    after_new_review = ev.mark(date(2025, 3, 4), AttendanceCode.PRESENT_AM)
    await feed(notif, [received(e) for e in (started, *late, reviewed, after_new_review)])
    sent = await sent_events(notif)
    assert sorted(s.cause_event_id for s in sent) == sorted([started.record_id, reviewed.record_id])
    assert {s.rule_name for s in sent} == {"reduced_timetable_past_review"}


async def test_a_placement_ending_in_a_move_offers_the_file_to_the_new_setting(
    ev: Events, notif: NotificationServices
) -> None:
    ended = ev.ended(reason=PlacementEndReason.MANAGED_MOVE, destination_id=NEW_SCHOOL)
    at = datetime(2025, 3, 14, 16, tzinfo=UTC)  # a Friday
    await feed(notif, [received(ev.started()), received(ended, occurred_at=at)])
    await feed(notif, [received(ended, occurred_at=at)])
    transfer_id = transfer_id_after_placement_end(ended.record_id)
    [offered] = await notif.store.load(transfer_stream_id(transfer_id))
    assert isinstance(offered, SafeguardingFileOffered)
    assert (offered.from_organisation_id, offered.to_organisation_id, offered.due_by) == (
        PROVISION, NEW_SCHOOL, date(2025, 3, 21))
    assert sorted((s.rule_name, s.recipient_organisation_id) for s in await sent_events(notif)) == [
        ("placement_ended", HOME_SCHOOL), ("safeguarding_file_offered", NEW_SCHOOL)]


# -- transfers and the scheduled check ----------------------------------------------------------------

def offer_command(**kw: object) -> OfferTransfer:
    fields: dict[str, object] = {
        "transfer_id": uuid4(), "pupil_ref": uuid4(), "from_organisation_id": PROVISION,
        "to_organisation_id": NEW_SCHOOL, "receiving_dsl_organisation_id": NEW_SCHOOL,
        "offered_at": datetime(2025, 3, 10, 10, tzinfo=UTC),
    }
    return OfferTransfer(**(fields | kw))  # type: ignore[arg-type]


async def test_the_check_records_an_unconfirmed_transfer_overdue_once_and_alerts_both_dsls(
    notif: NotificationServices,
) -> None:
    late, confirmed = offer_command(), offer_command()
    for command in (late, confirmed):
        await notif.transfers.offer(command, DSL_ACTOR, PROVISION, uuid4())
    await notif.transfers.confirm(confirmed.transfer_id, Actor(user_id="dsl@new", organisation_id=NEW_SCHOOL),
                                  NEW_SCHOOL, datetime(2025, 3, 12, tzinfo=UTC), uuid4())
    assert await check_transfers(notif, date(2025, 3, 17)) == []  # the due date itself
    [found] = await check_transfers(notif, date(2025, 3, 18))
    assert found.transfer_id == late.transfer_id and found.newly_recorded and len(found.notification_ids) == 2
    [again] = await check_transfers(notif, date(2025, 3, 19))
    assert not again.newly_recorded and again.notification_ids == found.notification_ids
    history = await notif.store.load(transfer_stream_id(late.transfer_id))
    overdue = [e for e in history if isinstance(e, SafeguardingFileTransferOverdue)]
    assert len(overdue) == 1 and overdue[0].detected_on == date(2025, 3, 18)
    overdue_alerts = [s for s in await sent_events(notif) if s.rule_name == "safeguarding_file_transfer_overdue"]
    assert sorted(s.recipient_organisation_id for s in overdue_alerts) == sorted([PROVISION, NEW_SCHOOL])
    assert {s.audience for s in overdue_alerts} == {Audience.DSL}


async def test_only_the_receiving_dsl_can_confirm_and_a_refusal_writes_nothing(notif: NotificationServices) -> None:
    command = offer_command()
    recorded = await notif.transfers.offer(command, DSL_ACTOR, PROVISION, uuid4())
    assert recorded.offered is not None and recorded.offered.due_by == date(2025, 3, 17)
    with pytest.raises(OnlyReceivingDslConfirms):
        await notif.transfers.confirm(command.transfer_id, Actor(user_id="x", organisation_id=HOME_SCHOOL),
                                      HOME_SCHOOL, datetime.now(UTC), uuid4())
    assert (await notif.transfers.state(command.transfer_id)).confirmed is None
    again = await notif.transfers.offer(command, DSL_ACTOR, PROVISION, uuid4())
    assert again.outcome.duplicate
