"""Overdue self-audits (issue 14) the way production reads them: commissioning events appended to a real event store
on their audit streams, relayed to a fresh Kafka topic, applied by the worker's ``notification_self_audits`` runner;
then the overdue check, run twice a day on two days. Two provisions under one commissioner: ours rated every
statement, the other did not; only the other provision, and then the commissioner, are told, each once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from uuid import uuid4

import asyncpg
import pytest

from ap_contracts.envelope import Actor
from ap_contracts.events.commissioning_quality import RagRating, SelfAuditRequested, SelfAuditStatementRated
from ap_contracts.events.commissioning_vocabulary import CommissioningEvent
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.overdue_check import check_overdue
from ap_notifications.projections.self_audits import SelfAuditsProjection
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_testing.infra import NewDatabase
from ap_testing.relayed import relay_and_apply
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

OURS, OTHER, COMMISSIONER, YEAR = "prov-east-ap", "prov-west-ap", "la-pipe-county", "2026-27"
DUE = date(2027, 4, 30)
STATEMENTS = ("behaviour-01", "behaviour-02")


def audit_events(provider: str, rated: int) -> list[CommissioningEvent]:
    request = SelfAuditRequested(provider_id=provider, commissioner_id=COMMISSIONER, academic_year=YEAR,
                                 template_version="behaviour-policies-2026.1", requested_by="officer-1", due_on=DUE,
                                 statement_count=len(STATEMENTS))
    return [request, *(SelfAuditStatementRated(provider_id=provider, academic_year=YEAR, statement_id=s,
                                               rating=RagRating.GREEN, evidence="staff survey", rated_by="manager-1")
                       for s in STATEMENTS[:rated])]


async def through_kafka(notif: NotificationServices, new_database: NewDatabase,
                        new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str) -> None:
    pool = await asyncpg.create_pool(await new_database("sa_commissioning"), min_size=1, max_size=4)
    await migrate(pool)
    store, topic, total = EventStore(pool), await new_topic("sa-commissioning"), 0
    for provider, rated in ((OURS, len(STATEMENTS)), (OTHER, 1)):
        stream, actor = f"self-audit-{provider}-{COMMISSIONER}-{YEAR}", Actor(user_id="u-1", organisation_id=provider)
        events = audit_events(provider, rated)
        await store.append(stream, 0, [NewEvent(e, actor, provider, uuid4()) for e in events])
        total += len(events)
    try:
        await relay_and_apply(pool, topic, SelfAuditsProjection(topics=(topic,)), notif.pool, kafka_bootstrap, total)
    finally:
        await pool.close()


async def test_only_the_provision_with_statements_unrated_and_its_commissioner_are_told_once(
    notif: NotificationServices, new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]],
    kafka_bootstrap: str,
) -> None:
    await through_kafka(notif, new_database, new_topic, kafka_bootstrap)
    later = DUE + timedelta(days=DEFAULT_RULE_BOOK.overdue_manager_after_days + 1)
    for today in (DUE, DUE + timedelta(days=1), DUE + timedelta(days=1), later, later):
        await check_overdue(notif, today)
    sent = sorted((e.payload["rule_name"], e.payload["audience"], e.payload["recipient_organisation_id"])
                  for e in await read_everything_stored(notif.store) if e.event_type == "NotificationSent")
    assert sent == [("self_audit_overdue", "provision", OTHER),
                    ("self_audit_overdue_to_manager", "commissioner", COMMISSIONER)]
