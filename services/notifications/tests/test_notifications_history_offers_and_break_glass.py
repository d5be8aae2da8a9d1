"""Issue 14, never about the past, for the other event-driven alerts: break-glass reads and safeguarding file offers.

On real PostgreSQL, applied as the runner applies them (one transaction each). A rebuild or a new deployment reads
old events again: a break-glass read recorded longer ago than its window (14 days) tells no DSL, and a placement's
end of last month offers no file now (it would open a transfer already past its five school days and chase the
receiving DSL about it), while the same events recorded today do both, and the placement's terms are kept either way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from ap_contracts.events.placement_vocabulary import PlacementEndReason
from ap_contracts.events.privacy import AccessPurposeCategory, BreakGlassAccessUsed
from ap_contracts.personal import RecordClass
from ap_notifications.domain.transfers import transfer_id_after_placement_end, transfer_stream_id
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.projections.access_alerting import AccessAlertProjection
from ap_notifications.projections.alerting import AlertingProjection
from ap_notifications.projections.placement_terms import load_terms
from ap_runtime.projection import Projection, ReceivedEvent
from ap_runtime.projection.store import ensure_registered
from ap_testing.notifications.builders import HOME_SCHOOL, PROVISION, Events, received
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

NEW_SCHOOL = "school-new-setting"


def recorded(event: ReceivedEvent, days_ago: float) -> ReceivedEvent:
    """The event as it comes back from the topic, its envelope recorded ``days_ago``."""
    at = datetime.now(UTC) - timedelta(days=days_ago)
    envelope = event.envelope.model_copy(update={"recorded_at": at, "occurred_at": at})
    return ReceivedEvent(envelope, event.payload, event.topic, event.partition, event.offset)


async def feed(notif: NotificationServices, projection: Projection, events: list[ReceivedEvent]) -> None:
    schema = await ensure_registered(notif.pool, projection)
    for event in events:
        async with notif.pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {schema}, public")
            await projection.apply(conn, event)


async def sent(notif: NotificationServices) -> list[tuple[str, str]]:
    return sorted((e.payload["rule_name"], e.payload["cause_event_id"])
                  for e in await read_everything_stored(notif.store) if e.event_type == "NotificationSent")


def break_glass() -> BreakGlassAccessUsed:
    return BreakGlassAccessUsed(
        pupil_ref=uuid4(), accessed_by_user_id="head-77", accessed_by_roles=("home_school_head",),
        accessed_by_organisation_id=HOME_SCHOOL, action="incidents.read_safeguarding_detail",
        policy_rule_id="SG-BG-1", purpose_category=AccessPurposeCategory.MISSING_CHILD,
        record_class=RecordClass.SAFEGUARDING, accessed_at=datetime.now(UTC), provision_id=PROVISION,
        home_school_id=HOME_SCHOOL)


async def test_a_break_glass_read_older_than_its_window_tells_no_dsl_and_a_recent_one_tells_both(
    notif: NotificationServices,
) -> None:
    old, recent = recorded(received(break_glass()), days_ago=15), recorded(received(break_glass()), days_ago=13)
    await feed(notif, AccessAlertProjection(notif.dispatcher), [old, recent])
    assert await sent(notif) == sorted([("break_glass_access", str(recent.envelope.event_id))] * 2)


async def test_a_placement_end_of_last_month_offers_no_file_and_one_of_today_does(
    notif: NotificationServices,
) -> None:
    last_month, today = Events(), Events()
    old_end = last_month.ended(reason=PlacementEndReason.MANAGED_MOVE, destination_id=NEW_SCHOOL)
    new_end = today.ended(reason=PlacementEndReason.MANAGED_MOVE, destination_id=NEW_SCHOOL)
    projection = AlertingProjection(notif.dispatcher, notif.transfers, notif.book)
    await feed(notif, projection, [recorded(received(last_month.started()), 40), recorded(received(old_end), 35),
                                   recorded(received(today.started()), 1), recorded(received(new_end), 0)])

    assert await notif.store.load(transfer_stream_id(transfer_id_after_placement_end(old_end.record_id))) == []
    assert len(await notif.store.load(transfer_stream_id(transfer_id_after_placement_end(new_end.record_id)))) == 1
    placement_ended, file_offered = await sent(notif)  # the offer's alert is caused by the offer recorded today
    assert placement_ended == ("placement_ended", str(new_end.record_id))
    assert file_offered[0] == "safeguarding_file_offered"
    schema = await ensure_registered(notif.pool, projection)
    async with notif.pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {schema}, public")
        kept = await load_terms(conn, last_month.placement_id)
    assert kept is not None and kept.home_school_id == HOME_SCHOOL  # the read model still knows the old placement
