"""Commissioning's panel referrals and Fair Access cases reach the Schools Forum tables (seed 004).

Commissioning events -> a real event store -> the relay -> a real Kafka topic -> the reporting
projection of commissioning facts (``projections/commissioning_facts.py``) -> its reader -> the
tables. The facts are those of ``test_reporting_seed004_tables`` (the seed's referrals 2012/13 to
2014/15, children referred twice among them, and Fair Access 2011/12 per panel area), so the tables
must print the seed's figures. And the reporting principal may now read the commissioning topic
under its group prefix (``ap_runtime.kafka_acls``), but still not write it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import TopicAuthorizationFailedError

from ap_contracts.envelope import Actor, OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_panels import FairAccessCaseClosed, PanelReferralMade
from ap_contracts.events.commissioning_vocabulary import Phase
from ap_reporting.domain.schools_forum import (
    FairAccessFact,
    PanelReferralFact,
    fair_access_table,
    panel_referrals_table,
)
from ap_reporting.entrypoints.api import ApiDeps, create_app
from ap_reporting.projections.commissioning_facts import (
    CommissioningFactsReader,
    ReportingCommissioningFactsProjection,
)
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_runtime import kafka_acls
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenIssuer, TokenVerifier, generate_keypair, open_audit_pool
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.kafka import client_security
from ap_runtime.projection import ProjectionRunner
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay
from ap_testing.infra import NewTopicFactory
from ap_testing.kafka_principals import new_principal
from ap_testing.reporting.seed004 import (
    FAIR_ACCESS,
    FAIR_ACCESS_TOTAL,
    PANELS,
    REFERRALS,
    cumulative_reading,
    referrals,
)

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

ACTOR = Actor(user_id="coordinator@la", organisation_id="la-banes")
KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.REPORTING)


def referral_event(fact: PanelReferralFact) -> PanelReferralMade:
    return PanelReferralMade(panel_id=fact.panel_id, referral_id=fact.referral_id, pupil_ref=fact.pupil_ref,
                             phase=Phase.SECONDARY, service_id="svc-outreach", referred_by="senco@school",
                             referred_by_organisation_id="school-a", referred_on=fact.referred_on)


def closed_event(fact: FairAccessFact) -> FairAccessCaseClosed:
    return FairAccessCaseClosed(panel_id=fact.panel_id, case_id=fact.case_id, closed_on=fact.closed_on,
                                placed_at="school-b", placed_on=fact.closed_on, closed_by="coordinator@la",
                                school_days_without_place=fact.school_days_without_place,
                                beyond_expectation=fact.school_days_without_place > 20, counted_with="la-banes")


async def append(store: EventStore, stream: str, events: Sequence[DomainEvent]) -> None:
    for start in range(0, len(events), 200):
        await store.append(stream, start, [NewEvent(e, ACTOR, ACTOR.organisation_id, uuid4())
                                           for e in events[start:start + 200]])


async def test_the_seeds_referrals_and_fair_access_cases_come_through_kafka_into_the_tables(
    new_database: Callable[[str], Awaitable[str]], new_topic: NewTopicFactory, kafka_bootstrap: str,
) -> None:
    referrals_made, cases = referrals(), cumulative_reading()
    events_pool = await asyncpg.create_pool(await new_database("rpt_comm_events"), min_size=1, max_size=4)
    pool = await asyncpg.create_pool(await new_database("rpt_comm"), min_size=1, max_size=4)
    topic = await new_topic("rpt-commissioning")
    await migrate(events_pool)
    store = EventStore(events_pool)
    await append(store, "referrals-seed004", [referral_event(r) for r in referrals_made])
    await append(store, "fair-access-seed004", [closed_event(c) for c in cases])
    stop = asyncio.Event()
    relay = asyncio.create_task(Relay(events_pool, kafka_bootstrap, "rpt-comm-relay", topic_override=topic).run(stop))
    runner = ProjectionRunner(ReportingCommissioningFactsProjection(topics=(topic,)), pool, kafka_bootstrap,
                              group_id=f"ap.projection.reporting_commissioning-{uuid4().hex[:8]}")
    # the report's reasons table reads the exclusion reasons projection too (no exclusions here)
    reasons = ProjectionRunner(ExclusionReasonsProjection(topics=(await new_topic("rpt-comm-incidents"),)), pool,
                               kafka_bootstrap, group_id=f"ap.projection.reporting_reasons-{uuid4().hex[:8]}")
    app = build_app([runner, reasons], kafka_bootstrap)
    try:
        async with app.broker:  # type: ignore[union-attr]
            await runner.start()
            await reasons.start()
            await app.broker.start()  # type: ignore[union-attr]
            deadline = asyncio.get_running_loop().time() + 90
            while runner.applied < len(referrals_made) + len(cases):
                assert asyncio.get_running_loop().time() < deadline, f"applied {runner.applied}"
                await asyncio.sleep(0.2)
            await runner.stop()
            await reasons.stop()
        read_referrals, read_cases = await CommissioningFactsReader(pool).read()
        forum = await schools_forum_api(pool, await open_audit_pool(await new_database("rpt_comm_audit")))
    finally:
        stop.set()
        await relay
        await pool.close()
        await events_pool.close()
    table = panel_referrals_table(list(REFERRALS), read_referrals)
    assert [row[0] for row in table.cells] == list(REFERRALS.values())
    exact = fair_access_table("2011/12", PANELS, read_cases, cumulative=True, suppressed=False)
    assert [*exact.cells, exact.column_totals] == [*(FAIR_ACCESS[p] for p in PANELS), FAIR_ACCESS_TOTAL]
    # and through the reporting API, as the Schools Forum reads it (suppressed: the seed's 1s and 2s are c)
    published = {t["name"]: t for t in forum["tables"]}
    assert [row[0] for row in published["panel_referrals"]["cells"]] == list(REFERRALS.values())
    fair_access = published["fair_access_2011_12"]
    assert fair_access["row_labels"] == sorted(PANELS)
    seed = [FAIR_ACCESS[p] for p in fair_access["row_labels"]]
    for shown_row, seed_row in zip([*fair_access["cells"], fair_access["column_totals"]], [*seed, FAIR_ACCESS_TOTAL],
                                   strict=True):
        for shown, figure in zip(shown_row, seed_row, strict=True):
            assert shown in ("c", figure), (shown_row, seed_row)  # suppression hides, never alters
            if figure in (1, 2):
                assert shown == "c"
    assert fair_access["grand_total"] == FAIR_ACCESS_TOTAL[0]


async def schools_forum_api(pool: asyncpg.Pool, audit_pool: asyncpg.Pool) -> dict[str, Any]:
    """The Schools Forum's GETs of 2011/12 (Fair Access) and 2012/13 to 2014/15 (referrals), in-process."""
    deps = ApiDeps(pool, AccessGuard(AuditLog(audit_pool)), TokenVerifier(load_public_key(KEYS.public_pem),
                                                                    audience=ServiceAudience.REPORTING))
    forum = {"Authorization": "Bearer " + ISSUER.mint(user_id="member@forum", organisation_id="forum",
                                                      org_kind=OrgKind.SCHOOLS_FORUM,
                                                      roles=(Role.SCHOOLS_FORUM_MEMBER,))}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)),
                                     base_url="http://t") as http:
            fair = await http.get("/v1/reports/schools-forum?from_year=2011/12&to_year=2011/12", headers=forum)
            assert fair.status_code == 200, fair.text
            years = await http.get("/v1/reports/schools-forum?from_year=2012/13&to_year=2014/15", headers=forum)
            assert years.status_code == 200, years.text
            refused = await http.get("/v1/reports/schools-forum?from_year=2012/13&to_year=2014/15"
                                     "&first_day=2013-01-01", headers=forum)
            assert refused.status_code == 422, refused.text
    finally:
        await audit_pool.close()
    referrals = [t for t in years.json()["tables"] if t["name"] == "panel_referrals"]
    tables = [*(t for t in fair.json()["tables"] if t["name"] != "panel_referrals"), *referrals]
    return {"tables": tables}


async def test_the_reporting_principal_reads_the_commissioning_events_and_cannot_write_them(
    kafka_bootstrap: str, new_topic: NewTopicFactory,
) -> None:
    topics = kafka_acls.Topics(commissioning_events=await new_topic("acl-rpt-commissioning"))
    as_reporting = await new_principal(kafka_bootstrap, "reporting", topics)
    consumer = AIOKafkaConsumer(topics.commissioning_events, bootstrap_servers=kafka_bootstrap,
                                **client_security(as_reporting), group_id="ap.projection.reporting_commissioning",
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        await consumer.getmany(timeout_ms=3_000)  # refused before the grant: TopicAuthorizationFailedError
    finally:
        await consumer.stop()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, **client_security(as_reporting),
                                request_timeout_ms=15_000)
    await producer.start()
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait(topics.commissioning_events, b"not reporting's to write")
    finally:
        await producer.stop()
