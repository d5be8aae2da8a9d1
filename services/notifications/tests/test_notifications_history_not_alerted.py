"""Issue 14, never about the past: a rebuild, or a new deployment reading the topic from its beginning, rebuilds the
alert read model but messages nobody about events of last month, even under a rule added since they were read.

On the real Kafka and PostgreSQL. A pupil's events of last month are on the topic (their envelopes recorded 35 days
ago). Last month the worker read them live under a rule book in which a certificate was no news for parents: the
physical intervention alerted the home school, the commissioner and the parents, the certificate nobody. Today the
rule book sends certificates home (a rule that fires now over an old event): a rebuild of ``notification_alerts``
from the start of the topic, and a fresh worker on a new database, rebuild the pupil's placement terms and record
and deliver nothing for those events; a certificate granted today alerts the parents once, through the live
runner, another rebuild and the fresh worker alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
import pytest_asyncio

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupil_vocabulary import RewardKind
from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK, AlertRuleBook
from ap_notifications.entrypoints.bootstrap import NotificationServices, open_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_notifications.projections.alerting import AlertingProjection
from ap_notifications.projections.placement_terms import load_terms
from ap_runtime.eventstore.models import EncodedEvent
from ap_runtime.kafka import encode_event, idempotent_producer
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.projection import ProjectionRunner
from ap_runtime.projection.rebuild import rebuild
from ap_runtime.projection.store import read_model
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, Events, received
from ap_testing.privacy import random_ring
from ap_testing.relayed import run_until_applied
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

NewDatabase = Callable[[str], Awaitable[str]]
LAST_MONTH = datetime.now(UTC) - timedelta(days=35)
# The rule book the worker read last month's events with: no reward was worth a message home yet.
BOOK_LAST_MONTH = AlertRuleBook(version="alerts-test-last-month", parent_reward_kinds=frozenset())
BOOK_TODAY = DEFAULT_RULE_BOOK  # certificates go home


class Clock:
    """The worker's clock, set by the test (the time each notification is stamped and causes are judged by)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@dataclass
class Worker:
    """The notifications service on one database, with its own rule book and clock, and its outbox."""

    services: NotificationServices
    outbox: Path

    def projection(self, topic: str) -> AlertingProjection:
        return AlertingProjection(self.services.dispatcher, self.services.transfers, self.services.book,
                                  topics=(topic,))

    async def sent(self) -> list[tuple[str, str, str]]:
        """(rule, audience, cause event id) of every NotificationSent recorded, sorted."""
        return sorted((e.payload["rule_name"], e.payload["audience"], e.payload["cause_event_id"])
                      for e in await read_everything_stored(self.services.store) if e.event_type == "NotificationSent")

    def delivered(self) -> int:
        return len([p for p in self.outbox.iterdir() if not p.name.startswith(".")]) if self.outbox.exists() else 0


@pytest_asyncio.fixture(loop_scope="session")
async def codec(new_database: NewDatabase) -> AsyncIterator[PersonalDataCodec]:
    keys = await KeyStore.open(await new_database("hist_keys"), random_ring()[0], cache_ttl_seconds=0)
    yield PersonalDataCodec(keys)
    await keys.close()


async def open_worker(dsn: str, codec: PersonalDataCodec, kafka_bootstrap: str, outbox: Path, book: AlertRuleBook,
                      clock: Clock) -> Worker:
    settings = NotificationSettings(dsn=dsn, kafka_bootstrap=kafka_bootstrap, outbox_dir=outbox)
    services = await open_services(settings, codec=codec, delivery=FileOutbox(outbox), book=book, clock=clock)
    return Worker(services, outbox)


async def publish(kafka_bootstrap: str, topic: str, events: Sequence[DomainEvent], recorded_at: datetime) -> None:
    """Put events on the topic as the relay does, their envelopes recorded at ``recorded_at``."""
    producer = idempotent_producer(kafka_bootstrap)
    await producer.start()
    try:
        for position, event in enumerate(events):
            envelope = received(event, occurred_at=recorded_at).envelope.model_copy(update={"recorded_at": recorded_at})
            stored = EncodedEvent(0, position, envelope.stream_id, envelope.event_type, envelope.schema_version,
                                  envelope.event_id, envelope.correlation_id, None,
                                  envelope.model_dump_json().encode())
            key, value, headers = encode_event(stored, topic)
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def rebuilt(worker: Worker, topic: str, kafka_bootstrap: str) -> str:
    runner = ProjectionRunner(worker.projection(topic), worker.services.pool, kafka_bootstrap,
                              group_id=f"hist-rebuild-{uuid4().hex}")
    await runner.start()
    try:
        return await rebuild(runner, worker.services.pool, kafka_bootstrap, show_progress=False)
    finally:
        await runner.stop()


async def terms_known(worker: Worker, placement_id: UUID) -> tuple[str, str] | None:
    async with read_model(worker.services.pool, "notification_alerts") as conn:
        terms = await load_terms(conn, placement_id)
    return None if terms is None else (terms.home_school_id, terms.commissioner_id)


async def test_a_rebuild_and_a_new_deployment_message_nobody_about_last_month_and_a_new_event_alerts_once(
    new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str,
    codec: PersonalDataCodec, tmp_path: Path,
) -> None:
    topic = await new_topic("hist-incidents")
    pupil = Events()
    intervention, old_certificate = pupil.intervention(), pupil.reward(RewardKind.CERTIFICATE)
    last_month = [pupil.started(), intervention, old_certificate]
    await publish(kafka_bootstrap, topic, last_month, LAST_MONTH)

    # Last month: the worker read the events live, a minute after they were recorded, under last month's book.
    clock = Clock(LAST_MONTH + timedelta(minutes=1))
    dsn = await new_database("hist_notif")
    then = await open_worker(dsn, codec, kafka_bootstrap, tmp_path / "outbox",
                             BOOK_LAST_MONTH, clock)
    live_group = f"hist-live-{uuid4().hex}"
    live = ProjectionRunner(then.projection(topic), then.services.pool, kafka_bootstrap, group_id=live_group)
    await run_until_applied(live, kafka_bootstrap, len(last_month))
    sent_last_month = await then.sent()
    told = {(rule, audience) for rule, audience, _ in sent_last_month}
    assert {("physical_intervention_parents", "parent")} <= told, told  # the same-day notice went, that day
    assert {cause for _, _, cause in sent_last_month} == {str(intervention.record_id)}  # the certificate: nobody
    delivered_last_month = then.delivered()
    assert delivered_last_month == len(sent_last_month)
    await then.services.close()

    # Today, with certificates worth a message home: a rebuild reads last month again.
    clock.at = datetime.now(UTC)
    today = await open_worker(dsn, codec, kafka_bootstrap, tmp_path / "outbox", BOOK_TODAY, clock)
    try:
        schema = await rebuilt(today, topic, kafka_bootstrap)
        assert schema.endswith("_g2")
        assert await terms_known(today, pupil.placement_id) == (HOME_SCHOOL, COMMISSIONER)  # the state is rebuilt
        assert await today.sent() == sent_last_month  # nothing new recorded about last month
        assert today.delivered() == delivered_last_month  # and nothing delivered

        # A certificate granted today reaches the parents once: live, and not again through another rebuild.
        new_certificate = pupil.reward(RewardKind.CERTIFICATE)
        await publish(kafka_bootstrap, topic, [new_certificate], datetime.now(UTC))
        live = ProjectionRunner(today.projection(topic), today.services.pool, kafka_bootstrap, group_id=live_group)
        await run_until_applied(live, kafka_bootstrap, 1)
        expected_today = sorted([*sent_last_month, ("reward_achieved", "parent", str(new_certificate.record_id))])
        assert await today.sent() == expected_today
        assert today.delivered() == delivered_last_month + 1
        await rebuilt(today, topic, kafka_bootstrap)
        assert await today.sent() == expected_today and today.delivered() == delivered_last_month + 1
    finally:
        await today.services.close()

    # A new deployment on a new database reads the whole topic from its beginning today.
    fresh = await open_worker(await new_database("hist_fresh"), codec, kafka_bootstrap, tmp_path / "fresh_outbox",
                              BOOK_TODAY, clock)
    try:
        live = ProjectionRunner(fresh.projection(topic), fresh.services.pool, kafka_bootstrap,
                                group_id=f"hist-fresh-{uuid4().hex}")
        await run_until_applied(live, kafka_bootstrap, len(last_month) + 1)
        assert await terms_known(fresh, pupil.placement_id) == (HOME_SCHOOL, COMMISSIONER)
        assert await fresh.sent() == [("reward_achieved", "parent", str(new_certificate.record_id))]
        assert fresh.delivered() == 1
    finally:
        await fresh.services.close()
