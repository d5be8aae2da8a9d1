"""Early warning through the real servers (issue 14, seed 003 section 2.2): incidents events -> relay -> Kafka ->
the trends projection -> ``EarlyWarningRaised`` once -> alerts to the home school's pastoral lead and the provision.

The incidents events are sealed with a real key store and published by the real relay; the projection runs in the
real runner on real PostgreSQL. Pupil a has three incidents of severity 3+ in ten school days (flagged), pupil b two
(not flagged for incidents) and an engagement score falling from 5/5 to 2/5 (flagged). Each flag cites exactly the
events it was counted from; a rebuild of the read model from the start of the topic decides again and records and
delivers nothing twice. The read API: the home school and the provision read the flags; another school, another
provision, the commissioner and the LA are refused, and nobody reads a pupil the read model knows no placement of.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import Actor, OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.engagement import EngagementScoreRecorded
from ap_contracts.events.pupil_vocabulary import Severity
from ap_notifications.application.early_warnings import EarlyWarnings
from ap_notifications.entrypoints.api import ApiDeps, create_app
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.projections.trends import TrendsProjection
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenIssuer, TokenVerifier, generate_keypair, open_audit_pool
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.projection import ProjectionRunner
from ap_runtime.projection.rebuild import rebuild
from ap_runtime.relay import Relay
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, NARRATIVE, PROVISION, Events
from ap_testing.privacy import random_ring
from ap_testing.relayed import run_until_applied
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

NewDatabase = Callable[[str], Awaitable[str]]
ACTOR = Actor(user_id="staff@provision", organisation_id=PROVISION, roles=("provision_staff",))
KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.NOTIFICATIONS)


def bearer(org: str, kind: OrgKind, role: Role) -> dict[str, str]:
    token = ISSUER.mint(user_id=f"{role.value}@{org}", organisation_id=org, org_kind=kind, roles=(role,))
    return {"Authorization": f"Bearer {token}"}


def scored(pupil: Events, on: date, score: int) -> EngagementScoreRecorded:
    return EngagementScoreRecorded(pupil_ref=pupil.pupil_ref, record_id=uuid4(), placement_id=pupil.placement_id,
                                   scored_on=on, session=None, score=score, scale_max=5, keyworker="kw-1",
                                   notes=NARRATIVE, rule_version="engagement-2026.1")


def story(a: Events, b: Events) -> tuple[list[DomainEvent], list[DomainEvent], list[DomainEvent]]:
    """All events, pupil a's severe incidents, pupil b's scores (no term dates recorded: weekdays are counted)."""
    severe = [a.incident(Severity.SERIOUS, on=date(2025, 3, 3)), a.incident(Severity.VERY_SERIOUS, on=date(2025, 3, 5)),
              a.incident(Severity.SERIOUS, on=date(2025, 3, 7))]
    scores = [scored(b, date(2025, 2, d), 5) for d in (17, 18, 19)] + [scored(b, date(2025, 3, d), 2)
                                                                       for d in (3, 4, 5)]
    events = [a.started(), a.incident(Severity.MODERATE, on=date(2025, 3, 4)), *severe,
              b.started(), b.incident(Severity.SERIOUS, on=date(2025, 3, 3)), b.incident(Severity.SERIOUS,
                                                                                        on=date(2025, 3, 5)),
              *scores]
    return events, severe, scores


async def append(store: EventStore, events: list[DomainEvent]) -> None:
    for event in events:
        stream = f"pupil-{event.pii_subject()}"
        await store.append(stream, await store.stream_version(stream),
                           [NewEvent(event, ACTOR, PROVISION, uuid4(), event_id=getattr(event, "record_id"))])


@pytest_asyncio.fixture(loop_scope="session")
async def flagged(notif: NotificationServices, new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]],
                  kafka_bootstrap: str) -> AsyncIterator[tuple[Events, Events, list[DomainEvent], list[DomainEvent],
                                                                str]]:
    """The two pupils' events through the relay, Kafka and the trends projection; yields them and the topic."""
    keys = await KeyStore.open(await new_database("ew_keys"), random_ring()[0], cache_ttl_seconds=0)
    incidents_pool = await asyncpg.create_pool(await new_database("ew_incidents"), min_size=1, max_size=4)
    await migrate(incidents_pool)
    topic = await new_topic("ew-incidents")
    a, b = Events(), Events()
    events, severe, scores = story(a, b)
    await append(EventStore(incidents_pool, PersonalDataCodec(keys)), events)
    stop = asyncio.Event()
    relay = asyncio.create_task(Relay(incidents_pool, kafka_bootstrap, "ew-relay", topic_override=topic).run(stop))
    try:
        runner = ProjectionRunner(TrendsProjection(EarlyWarnings(notif.executor, notif.dispatcher), topics=(topic,)),
                                  notif.pool, kafka_bootstrap, group_id=f"ew-{uuid4().hex}")
        await run_until_applied(runner, kafka_bootstrap, len(events))
    finally:
        stop.set()
        await relay
    yield a, b, severe, scores, topic
    await incidents_pool.close()
    await keys.close()


async def stored(notif: NotificationServices, event_type: str) -> list[dict[str, Any]]:
    return [e.payload for e in await read_everything_stored(notif.store) if e.event_type == event_type]


def outbox_files(outbox: Path) -> list[str]:
    return [p.read_text() for p in outbox.iterdir() if not p.name.startswith(".")]


def record_ids(events: list[DomainEvent]) -> set[str]:
    return {str(getattr(e, "record_id")) for e in events}


async def test_flags_are_raised_once_citing_their_events_and_alert_only_the_home_school_and_provision(
    flagged: tuple[Events, Events, list[DomainEvent], list[DomainEvent], str], notif: NotificationServices,
    kafka_bootstrap: str, outbox: Path,
) -> None:
    a, b, severe, scores, topic = flagged
    raised = {(r["pupil_ref"], r["rule_name"]): r for r in await stored(notif, "EarlyWarningRaised")}
    assert set(raised) == {(str(a.pupil_ref), "severe_incidents"), (str(b.pupil_ref), "engagement_falling")}
    incidents_flag = raised[(str(a.pupil_ref), "severe_incidents")]
    assert set(incidents_flag["cited_event_ids"]) == record_ids(severe)  # not the moderate one
    assert incidents_flag["explanation"] == ("3 incidents of severity 3+ in the last 10 school days 2025-02-24 to"
                                             " 2025-03-07; the rule: 3 or more")
    assert incidents_flag["counted_with"] == "weekdays" and incidents_flag["rule_version"] == "early-warning-2026.1"
    engagement_flag = raised[(str(b.pupil_ref), "engagement_falling")]
    assert set(engagement_flag["cited_event_ids"]) == record_ids(scores)
    assert engagement_flag["explanation"].startswith("average engagement score 40% of the scale over the last 10"
                                                     " school days 2025-02-20 to 2025-03-05 (3 scores), down from 100%")

    sent = await stored(notif, "NotificationSent")
    assert sorted((s["pupil_ref"], s["audience"], s["recipient_organisation_id"]) for s in sent) == sorted(
        (str(p.pupil_ref), audience, org) for p in (a, b)
        for audience, org in (("pastoral_lead", HOME_SCHOOL), ("provision", PROVISION)))
    assert COMMISSIONER not in {s["recipient_organisation_id"] for s in sent}
    messages = [json.loads(text) for text in await asyncio.to_thread(outbox_files, outbox)]
    assert len(messages) == 4 and all(NARRATIVE not in json.dumps(m) for m in messages)
    assert any(incidents_flag["explanation"] in m["body"] for m in messages)

    # The read model rebuilt from the start of the topic: every flag decided again, nothing recorded or sent twice.
    runner = ProjectionRunner(TrendsProjection(EarlyWarnings(notif.executor, notif.dispatcher), topics=(topic,)),
                              notif.pool, kafka_bootstrap, group_id=f"ew-rebuild-{uuid4().hex}")
    await runner.start()
    try:
        await rebuild(runner, notif.pool, kafka_bootstrap, show_progress=False)
    finally:
        await runner.stop()
    assert runner.applied > 0
    assert len(await stored(notif, "EarlyWarningRaised")) == 2 and len(await stored(notif, "NotificationSent")) == 4
    assert len(await asyncio.to_thread(outbox_files, outbox)) == 4


@pytest_asyncio.fixture(loop_scope="session")
async def http(notif: NotificationServices, new_database: NewDatabase) -> AsyncIterator[httpx.AsyncClient]:
    audit_pool = await open_audit_pool(await new_database("ew_audit"))
    deps = ApiDeps(notif, AccessGuard(AuditLog(audit_pool)),
                   TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.NOTIFICATIONS))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)), base_url="http://t") as client:
        yield client
    await audit_pool.close()


async def test_the_home_school_and_the_provision_read_the_flags_and_nobody_else(
    flagged: tuple[Events, Events, list[DomainEvent], list[DomainEvent], str], http: httpx.AsyncClient,
) -> None:
    a, _, severe, _, _ = flagged
    path = f"/v1/pupils/{a.pupil_ref}/early-warnings"
    for allowed in (bearer(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_STAFF),
                    bearer(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)):
        response = await http.get(path, headers=allowed)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["placement_id"] == str(a.placement_id)
        [flag] = body["flags"]
        assert flag["rule_name"] == "severe_incidents" and set(flag["cited_event_ids"]) == record_ids(severe)
        assert flag["measures"] == [{"metric": "severe_incidents", "value": 3, "unit": "incidents"}]
    refused = (bearer("school-other-9", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD),
               bearer("provision-south", OrgKind.PROVISION, Role.PROVISION_MANAGER),
               bearer(COMMISSIONER, OrgKind.LOCAL_AUTHORITY, Role.COMMISSIONER),
               bearer(COMMISSIONER, OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER))
    for hostile in refused:
        response = await http.get(path, headers=hostile)
        assert response.status_code == 403, response.text
        assert "severe_incidents" not in response.text
    unknown = await http.get(f"/v1/pupils/{UUID(int=7)}/early-warnings",
                             headers=bearer(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_STAFF))
    assert unknown.status_code == 403
