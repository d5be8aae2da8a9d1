"""Break-glass reads alert the DSLs responsible for the pupil: the rule (pure), the message, and the
worker's consumer on real PostgreSQL (each DSL told once, however often the event arrives)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from ap_contracts.events.notifications import Audience, NotificationSent
from ap_contracts.events.privacy import AccessPurposeCategory, BreakGlassAccessUsed
from ap_contracts.personal import RecordClass
from ap_contracts.topics import PRIVACY_EVENTS
from ap_notifications.domain.access_alerts import BREAK_GLASS_RULE, break_glass_alerts
from ap_notifications.domain.alerts import Priority
from ap_notifications.domain.messages import render
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_notifications.projections.access_alerting import AccessAlertProjection
from ap_runtime.projection.store import ensure_registered
from ap_testing.notifications.builders import HOME_SCHOOL, PROVISION, Events, received
from ap_testing.store_reads import read_everything_stored


def used(provision: str | None = PROVISION, home_school: str | None = HOME_SCHOOL) -> BreakGlassAccessUsed:
    return BreakGlassAccessUsed(
        pupil_ref=uuid4(), accessed_by_user_id="head-77", accessed_by_roles=("home_school_head",),
        accessed_by_organisation_id=HOME_SCHOOL, action="incidents.read_safeguarding_detail",
        policy_rule_id="SG-BG-1", purpose_category=AccessPurposeCategory.MISSING_CHILD,
        record_class=RecordClass.SAFEGUARDING, accessed_at=datetime(2025, 3, 10, 9, 15, tzinfo=UTC),
        provision_id=provision, home_school_id=home_school)


def test_both_dsls_are_told_urgently_with_who_read_and_why_in_categories() -> None:
    event, cause = used(), uuid4()
    alerts = break_glass_alerts(event, cause)
    assert [(a.audience, a.recipient_organisation_id) for a in alerts] == [(Audience.DSL, PROVISION),
                                                                          (Audience.DSL, HOME_SCHOOL)]
    assert {(a.rule_name, a.priority, a.cause_event_id, a.pupil_ref) for a in alerts} == {
        (BREAK_GLASS_RULE, Priority.URGENT, cause, event.pupil_ref)}
    body = render(alerts[0]).body
    for shown in ("head-77", "home_school_head", HOME_SCHOOL, "missing_child", "safeguarding", "SG-BG-1",
                  str(event.pupil_ref), "2025-03-10T09:15:00+00:00"):
        assert shown in body, shown


def test_one_organisation_is_told_once_and_none_known_tells_nobody() -> None:
    assert len(break_glass_alerts(used(provision=HOME_SCHOOL), uuid4())) == 1
    assert len(break_glass_alerts(used(provision=None), uuid4())) == 1
    assert break_glass_alerts(used(provision=None, home_school=None), uuid4()) == ()


def test_the_worker_reads_break_glass_events_from_the_privacy_topic_or_the_one_test_topic() -> None:
    assert NotificationSettings.from_env({}).privacy_topic == PRIVACY_EVENTS
    assert NotificationSettings.from_env({"AP_NOTIFY_INCIDENTS_TOPIC": "t-1"}).privacy_topic == "t-1"
    assert NotificationSettings.from_env({"AP_NOTIFY_INCIDENTS_TOPIC": "t-1",
                                          "AP_NOTIFY_PRIVACY_TOPIC": "p-1"}).privacy_topic == "p-1"


@pytest.mark.integration
async def test_each_dsl_is_alerted_once_however_often_the_event_arrives(notif: NotificationServices,
                                                                        outbox: Path, ev: Events) -> None:
    projection = AccessAlertProjection(notif.dispatcher)
    schema = await ensure_registered(notif.pool, projection)
    event = received(used(), event_id=uuid4())
    for delivery in (event, event, received(ev.concern())):
        async with notif.pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {schema}, public")
            await projection.apply(conn, delivery)
    stored = await read_everything_stored(notif.store)
    sent = [NotificationSent.model_validate(e.payload) for e in stored if e.event_type == "NotificationSent"]
    assert sorted((s.rule_name, s.recipient_organisation_id) for s in sent) == [
        (BREAK_GLASS_RULE, PROVISION), (BREAK_GLASS_RULE, HOME_SCHOOL)]
    assert {s.cause_event_id for s in sent} == {event.envelope.event_id}
    delivered = outbox_texts(outbox)
    assert len(delivered) == 2 and all("head-77" in text for text in delivered)


def outbox_texts(directory: Path) -> list[str]:
    return [path.read_text() for path in sorted(directory.iterdir())]
