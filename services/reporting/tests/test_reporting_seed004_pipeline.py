"""Seed 004's exclusion tables through the platform's event path: incidents events -> a real event
store (personal fields sealed with a real key store) -> the relay -> real Kafka -> the reporting facts
projection -> the strategy report over HTTP, as the Schools Forum reads it (issue 15), by the phase of the excluding
school as the LA recorded it with the school's roll.

The events are the seed's pupil-level facts (``ap_testing.reporting.seed004``): permanent exclusions
2009/10 to 2014/15 by phase with one reinstated exclusion per year and phase (not counted), and the
2013/14 suspensions of 89 primary and 694 secondary pupils, every third of them suspended twice, the
first time for a lunchtime (a half day). The strategy report allows three academic years a request
(rule report.year_range_limit), so the seed's six-year table is two requests. Suppression: the
Forum's report is published, so the seed's primary figures of 1 (2009/10) and 2 (2012/13) show as
``c`` and, by the line rule, so does that year's secondary figure; every other figure and every
year's total ("No. of Pupils") is the seed's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import Actor, OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupil_vocabulary import YearGroup
from ap_reporting.domain.vocabulary import Phase
from ap_reporting.entrypoints.api import ApiDeps, create_app
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenIssuer, TokenVerifier, generate_keypair, open_audit_pool
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.projection import ProjectionRunner, active_schema
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay
from ap_testing.privacy import random_ring
from ap_testing.reporting.events import Pupil
from ap_testing.reporting.seed004 import (
    FPE_2013,
    PEX_PRIMARY,
    PEX_PUPILS,
    PEX_SECONDARY,
    PEX_YEARS,
    exclusions,
    suspensions,
)

pytestmark = pytest.mark.integration

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.REPORTING)
ACTOR = Actor(user_id="head@school", organisation_id="school-a")
FORUM = {"Authorization": "Bearer " + ISSUER.mint(user_id="member@forum", organisation_id="forum",
                                                  org_kind=OrgKind.SCHOOLS_FORUM, roles=(Role.SCHOOLS_FORUM_MEMBER,))}
YEAR_OF_PHASE = {Phase.PRIMARY: YearGroup.Y4, Phase.SECONDARY: YearGroup.Y9}
SCHOOL_OF_PHASE = {Phase.PRIMARY: "school-pri", Phase.SECONDARY: "school-sec"}
"""The excluding schools: the tables count each exclusion in the phase of its school, as the LA recorded its roll."""


def seed_events() -> list[list[DomainEvent]]:
    """Each pupil's events, one list per pupil stream: registered (with the phase's year group), then
    the exclusions (and reinstatements) and suspensions of the seed's facts."""
    streams: dict[UUID, tuple[Pupil, list[DomainEvent]]] = {}

    def pupil(ref: UUID, phase: Phase) -> tuple[Pupil, list[DomainEvent]]:
        if ref not in streams:
            p = Pupil(SCHOOL_OF_PHASE[phase], "np-north", year=YEAR_OF_PHASE[phase])
            streams[ref] = (p, [p.registered()])
        return streams[ref]

    for e in exclusions():
        p, events = pupil(e.pupil_ref, e.phase)
        issued = p.excluded(e.decided_on, e.academic_year)
        events += [issued, p.reinstated(issued)] if e.reinstated else [issued]
    for phase, (n, days) in FPE_2013.items():
        for s in suspensions(phase, n, days):
            p, events = pupil(s.pupil_ref, s.phase)
            events.append(p.suspended(s.first_day, s.half_days, s.academic_year))
    return [events for _, events in streams.values()]


async def append(store: EventStore, streams: list[list[DomainEvent]]) -> None:
    async def one(events: list[DomainEvent]) -> None:
        stream = f"pupil-{events[0].pii_subject()}"
        await store.append(stream, 0, [NewEvent(e, ACTOR, ACTOR.organisation_id, uuid4(),
                                                event_id=getattr(e, "record_id")) for e in events])

    for start in range(0, len(streams), 32):  # concurrent appends, a pool's worth at a time
        await asyncio.gather(*(one(events) for events in streams[start:start + 32]))


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def forum(new_database: Callable[[str], Awaitable[str]], new_topic: Callable[..., Awaitable[str]],
                kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    keys = await KeyStore.open(await new_database("s004_keys"), random_ring()[0], cache_ttl_seconds=0)
    incidents_pool = await asyncpg.create_pool(await new_database("s004_incidents"), min_size=2, max_size=16)
    await migrate(incidents_pool)
    pool = await asyncpg.create_pool(await new_database("s004"), min_size=2, max_size=8)
    audit_pool = await open_audit_pool(await new_database("s004_audit"))
    topic = await new_topic("s004-incidents")
    streams = seed_events()
    await append(EventStore(incidents_pool, PersonalDataCodec(keys)), streams)
    stop = asyncio.Event()
    relay = asyncio.create_task(Relay(incidents_pool, kafka_bootstrap, "s004-relay", topic_override=topic).run(stop))
    runner = ProjectionRunner(ReportingFactsProjection(topics=(topic,)), pool, kafka_bootstrap,
                              group_id=f"s004-{uuid4().hex}")
    reasons = ProjectionRunner(ExclusionReasonsProjection(topics=(topic,)), pool, kafka_bootstrap,
                               group_id=f"s004-reasons-{uuid4().hex}")
    # the Schools Forum report reads the commissioning facts too (none here: an empty topic)
    panels = ProjectionRunner(ReportingCommissioningFactsProjection(topics=(await new_topic("s004-comm"),)), pool,
                              kafka_bootstrap, group_id=f"s004-comm-{uuid4().hex}")
    app = build_app([runner, reasons, panels], kafka_bootstrap)
    total = sum(len(events) for events in streams)
    try:
        async with app.broker:  # type: ignore[union-attr]
            for each in (runner, reasons, panels):
                await each.start()
            await app.broker.start()  # type: ignore[union-attr]
            deadline = asyncio.get_running_loop().time() + 120
            while runner.applied < total or reasons.applied < total:
                assert asyncio.get_running_loop().time() < deadline, f"applied {runner.applied}/{total}"
                await asyncio.sleep(0.2)
            for each in (runner, reasons, panels):
                await each.stop()
    finally:
        stop.set()
        await relay
    await record_rolls(pool)
    deps = ApiDeps(pool, AccessGuard(AuditLog(audit_pool)), TokenVerifier(load_public_key(KEYS.public_pem),
                                                                    audience=ServiceAudience.REPORTING))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)), base_url="http://t") as client:
        yield client
    for closing in (pool, audit_pool, incidents_pool):
        await closing.close()
    await keys.close()


async def record_rolls(pool: asyncpg.Pool) -> None:
    """Each school's roll and phase for every year, as the LA records them through commissioning (written into its
    read model here: the seed gives no headcounts, and only the phases matter to these tables)."""
    async with pool.acquire() as conn, conn.transaction():
        schema = await active_schema(conn, ReportingCommissioningFactsProjection.name)
        await conn.execute(f"SET LOCAL search_path TO {schema}")
        await conn.executemany("INSERT INTO pupils_on_roll (academic_year, school_id, phase, pupils)"
                               " VALUES ($1, $2, $3, 5000)",
                               [(year, school, phase.value) for year in PEX_YEARS
                                for phase, school in SCHOOL_OF_PHASE.items()])


async def strategy(http: httpx.AsyncClient, first: str, last: str) -> dict[str, Any]:
    response = await http.get(f"/v1/reports/strategy?from_year={first}&to_year={last}", headers=FORUM)
    assert response.status_code == 200, response.text
    return {t["name"]: t for t in response.json()["tables"]}


@pytest.mark.asyncio(loop_scope="session")
async def test_the_forum_reads_the_seeds_permanent_exclusions_2009_to_2015_by_phase(forum: httpx.AsyncClient) -> None:
    rows: list[list[Any]] = []
    totals: list[Any] = []
    for first, last in (("2009/10", "2011/12"), ("2012/13", "2014/15")):
        pex = (await strategy(forum, first, last))["permanent_exclusions_by_phase"]
        columns = pex["column_labels"]
        rows += [[row[columns.index("primary")], row[columns.index("secondary")]] for row in pex["cells"]]
        totals += pex["row_totals"]
    assert totals == list(PEX_PUPILS)  # reinstated exclusions not counted
    for y, (primary, secondary) in enumerate(rows):
        seed = (PEX_PRIMARY[y], PEX_SECONDARY[y])
        if PEX_PRIMARY[y] in (1, 2):
            assert (primary, secondary) == ("c", "c"), PEX_YEARS[y]  # a 1 or 2, and its row partner
        else:
            assert (primary, secondary) == seed, PEX_YEARS[y]


@pytest.mark.asyncio(loop_scope="session")
async def test_the_forum_reads_the_seeds_2013_14_suspensions_pupils_once_and_half_days_added(
    forum: httpx.AsyncClient,
) -> None:
    tables = await strategy(forum, "2013/14", "2013/14")
    columns = tables["pupils_suspended_by_phase"]["column_labels"]
    for phase, (pupils, days) in FPE_2013.items():
        j = columns.index(phase.value)
        assert tables["pupils_suspended_by_phase"]["cells"][0][j] == pupils
        assert Decimal(str(tables["suspension_days_lost_by_phase"]["cells"][0][j])) == Decimal(days)


@pytest.mark.asyncio(loop_scope="session")
async def test_the_forum_reads_2013_14_exclusions_by_dfe_reason_code_without_the_reinstated_one(
    forum: httpx.AsyncClient,
) -> None:
    response = await forum.get("/v1/reports/schools-forum?from_year=2013/14&to_year=2013/14", headers=FORUM)
    assert response.status_code == 200, response.text
    table = {t["name"]: t for t in response.json()["tables"]}["exclusion_reasons_2013_14"]
    by_reason = dict(zip(table["row_labels"], table["cells"], strict=True))
    suspended = sum(1 for phase, (n, days) in FPE_2013.items() for _ in suspensions(phase, n, days))
    # the seed's facts: every suspension for disruptive behaviour (DB), every permanent exclusion for
    # physical assault against an adult (PA); 2013/14 had 15 standing and 2 reinstated
    assert by_reason["DB"] == [suspended, 0]
    assert by_reason["PA"] == [0, PEX_PUPILS[PEX_YEARS.index("2013/14")]]
    assert table["grand_total"] == suspended + 15
