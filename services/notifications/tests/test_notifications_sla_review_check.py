"""Overdue SLA reviews are alerted (issue 13), on real PostgreSQL with a fixed ``today`` as the check's clock: the
day after an agreement's next review date passes without a completed review, its commissioner and its provision
are each told once, across runs and a restart of the services; a completed review sets a new date, and only its
passing alerts again. The date comes from the commissioning events (``next_review_on``), not a rule kept here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_sla import SlaReviewCompleted, SlaVersionAgreed
from ap_contracts.events.notifications import NotificationSent
from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.domain.messages import render
from ap_notifications.domain.sla_review_alerts import SlaReviewDue, overdue_review_alerts
from ap_notifications.entrypoints.bootstrap import NotificationServices, open_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_notifications.entrypoints.sla_review_check import check_sla_reviews
from ap_notifications.projections.sla_reviews import SlaReviewsProjection
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.projection.store import ensure_registered
from ap_testing.notifications.builders import received
from ap_testing.privacy import random_ring
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

PROVISION, COMMISSIONER = "pbp-sla-north", "np-sla-bath"
PARTIES = {"provision_id": PROVISION, "commissioner_id": COMMISSIONER}
DUE = date(2027, 6, 30)


def agreed(next_review_on: date | None = DUE) -> SlaVersionAgreed:
    return SlaVersionAgreed(**PARTIES, version=1, in_force_from=date(2026, 9, 1), ends_on=date(2027, 8, 31),
                            attendance_threshold_percent=85, next_review_on=next_review_on)


def completed(next_review_on: date) -> SlaReviewCompleted:
    return SlaReviewCompleted(**PARTIES, review_id=uuid4(), version=1, provider_score=12, commissioner_score=10,
                              max_score=15, actions=(), next_review_on=next_review_on, completed_by="np-lead",
                              completed_on=date(2027, 7, 2))


async def feed(notif: NotificationServices, events: list[DomainEvent]) -> None:
    projection = SlaReviewsProjection()
    schema = await ensure_registered(notif.pool, projection)
    for event in events:
        async with notif.pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {schema}, public")
            await projection.apply(conn, received(event, event_id=uuid4()))


async def sent(notif: NotificationServices) -> list[tuple[str, str, str, str | None]]:
    stored = await read_everything_stored(notif.store)
    events = [NotificationSent.model_validate(e.payload) for e in stored if e.event_type == "NotificationSent"]
    return sorted((s.rule_name, s.audience.value, s.recipient_organisation_id, s.pupil_ref and str(s.pupil_ref))
                  for s in events)


BOTH = [("sla_review_overdue", "commissioner", COMMISSIONER, None),
        ("sla_review_overdue", "provision", PROVISION, None)]


async def test_an_overdue_review_tells_both_parties_once_across_runs_and_a_restart(
    new_database: Callable[[str], Awaitable[str]], kafka_bootstrap: str, tmp_path: Path,
) -> None:
    settings = NotificationSettings(dsn=await new_database("notif_sla"), kafka_bootstrap=kafka_bootstrap,
                                    outbox_dir=tmp_path / "outbox")
    keys = await KeyStore.open(await new_database("notif_sla_keys"), random_ring()[0], cache_ttl_seconds=0)
    codec = PersonalDataCodec(keys)
    notif = await open_services(settings, codec=codec, delivery=FileOutbox(settings.outbox_dir))
    try:
        assert await check_sla_reviews(notif, DUE) == []  # nothing agreed yet: the read model is not built
        await feed(notif, [agreed()])
        assert await check_sla_reviews(notif, DUE) == []  # on the day: the review may still be completed
        first = await check_sla_reviews(notif, DUE + timedelta(days=1))
        assert [d.newly_recorded for d in first] == [True, True]
        await check_sla_reviews(notif, DUE + timedelta(days=1))  # run twice the same day
        await check_sla_reviews(notif, DUE + timedelta(days=9))  # a later day's run
    finally:
        await notif.close()
    restarted = await open_services(settings, codec=codec, delivery=FileOutbox(settings.outbox_dir))
    try:
        again = await check_sla_reviews(restarted, DUE + timedelta(days=10))
        assert [d.newly_recorded for d in again] == [False, False]
        assert await sent(restarted) == BOTH
    finally:
        await restarted.close()
        await keys.close()
    assert len(list((tmp_path / "outbox").glob("*.json"))) == 2  # delivered once each


async def test_a_completed_review_moves_the_date_and_only_its_passing_alerts_again(
    notif: NotificationServices,
) -> None:
    await feed(notif, [agreed()])
    await check_sla_reviews(notif, DUE + timedelta(days=1))
    await feed(notif, [completed(next_review_on=date(2028, 6, 30))])
    assert await check_sla_reviews(notif, date(2028, 6, 30)) == []
    assert len(await sent(notif)) == 2
    await check_sla_reviews(notif, date(2028, 7, 1))
    assert await sent(notif) == sorted(BOTH + BOTH)  # the new due date: each party once more


async def test_an_agreement_recorded_before_it_stated_its_next_review_owes_nothing(
    notif: NotificationServices,
) -> None:
    await feed(notif, [agreed(next_review_on=None)])
    assert await check_sla_reviews(notif, date(2030, 1, 1)) == []


def test_the_message_names_the_agreement_and_no_pupil() -> None:
    due = SlaReviewDue(PROVISION, COMMISSIONER, DUE, uuid4())
    assert overdue_review_alerts(due, DUE) == ()
    commissioner, provision = overdue_review_alerts(due, DUE + timedelta(days=1))
    assert commissioner.cause_event_id == provision.cause_event_id  # one cause: the event that set the date
    body = render(provision).body
    assert "Pupil reference" not in body and f"{PROVISION} with {COMMISSIONER}" in body and "2027-06-30" in body
