"""Every reporting report as at a moment, rebuilt from scratch and published with its provenance (issue 15).

Incidents events go through a real event store, relay and Kafka topic into the reporting projections. A first
batch is recorded and every report read (JSON and CSV); then corrections and new facts are recorded (an
incident's severity amended, one withdrawn, an exclusion reinstated, a placement ended, a session re-marked,
a suspension shortened, new incidents and scores). Rules served: a report as recorded by the moment between
the two batches gives the first reading's bytes; rebuilding every reporting projection into a new generation
gives the same bytes, now and as at that moment; publishing records ``ReportPublished`` with the read model's
offsets, and a re-issue lists the figures the corrections changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import Actor, OrgKind, utc_now
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupil_corrections import CorrectionReason, RecordAmended
from ap_contracts.events.pupil_vocabulary import AttendanceCode, IncidentCategory, PlacementEndReason, Severity
from ap_reporting.entrypoints.api import ApiDeps, create_app
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection, read_exclusion_reasons
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenVerifier, open_audit_pool
from ap_runtime.access.keys import load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import EventStore, migrate
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.projection import ProjectionRunner, active_schema
from ap_runtime.projection.rebuild import rebuild
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay
from ap_testing.privacy import random_ring
from ap_testing.reporting.events import NARRATIVE, Pupil
from ap_testing.reporting.pipeline import append_each

from .test_reporting_pipeline import HEAD_A, KEYS, LA, NP_LEAD, OTHER_NP, WEEK, token

pytestmark = pytest.mark.integration

ACTOR = Actor(user_id="staff@prov", organisation_id="prov-np-north")
PROVISION = token("prov-np-north", OrgKind.PROVISION, Role.PROVISION_STAFF)
REPORTS: dict[str, tuple[str, dict[str, str]]] = {
    "weekly": (f"/v1/reports/weekly/school-a?week_of={WEEK}", HEAD_A),
    "partnership": ("/v1/reports/partnership/np-north?period=2024/25-spring", NP_LEAD),
    "annual": ("/v1/reports/annual?academic_year=2024/25", LA),
    "strategy": ("/v1/reports/strategy?from_year=2023/24&to_year=2024/25", LA),
    "forum": ("/v1/reports/schools-forum?from_year=2023/24&to_year=2024/25", LA),
    "engagement": ("/v1/reports/engagement/prov-np-north?term=2024/25-spring", PROVISION),
    "board": ("/v1/reports/achievement-board/prov-np-north?term=2024/25-spring", PROVISION),
}
WITH_CSV = ("weekly", "partnership", "annual", "strategy", "forum")


def amended(pupil: Pupil, target: Any, **values: Any) -> RecordAmended:
    return RecordAmended(pupil_ref=pupil.pupil_ref, record_id=uuid4(), target_record_id=target.record_id,
                         target_event_type=target.event_type, reason=CorrectionReason.WRONG_VALUE,
                         explanation=NARRATIVE, corrected_values=values)


def first_batch(pupils: list[Pupil]) -> tuple[list[DomainEvent], dict[str, Any]]:
    events: list[DomainEvent] = [e for p in pupils for e in (p.registered(), p.started())]
    kept = {"incident": pupils[0].incident(WEEK, IncidentCategory.BULLYING, Severity.SERIOUS),
            "duplicate": pupils[1].incident(WEEK, IncidentCategory.THEFT, Severity.LOW_LEVEL),
            "suspension": pupils[2].suspended(date(2025, 2, 3), 4),
            "exclusion": pupils[3].excluded(date(2025, 3, 3)),
            "score": pupils[0].scored(WEEK, 4)}
    events += list(kept.values())
    events += [p.incident(WEEK + timedelta(days=1), IncidentCategory.BULLYING, Severity.SERIOUS) for p in pupils]
    events += [p.suspended(date(2025, 2, 10), 2) for p in pupils[:4]]
    events += [pupils[0].mark(WEEK + timedelta(days=d), AttendanceCode.PRESENT_AM) for d in range(3)]
    events += [p.scored(WEEK + timedelta(days=1), 3) for p in pupils]
    return events, kept


def second_batch(pupils: list[Pupil], kept: dict[str, Any]) -> list[DomainEvent]:
    return [amended(pupils[0], kept["incident"], severity=int(Severity.CRITICAL)),
            pupils[1].withdrawn(kept["duplicate"]),
            amended(pupils[2], kept["suspension"], duration_half_days=1),
            pupils[3].reinstated(kept["exclusion"]),
            pupils[4].ended(date(2025, 3, 14), PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL),
            pupils[0].mark(WEEK, AttendanceCode.OTHER_UNAUTHORISED),
            *[p.incident(WEEK + timedelta(days=2), IncidentCategory.THEFT, Severity.SERIOUS) for p in pupils[:5]],
            *[p.scored(WEEK + timedelta(days=2), 1) for p in pupils]]


@dataclass
class World:
    api: httpx.AsyncClient
    pool: asyncpg.Pool
    runners: list[ProjectionRunner]
    kafka: str
    between: datetime  # after every event of the first batch was recorded, before any of the second
    first: dict[str, bytes]  # each report (and its CSV) read once the first batch was applied
    later: dict[str, bytes]  # the same once the second batch was applied


def at(url: str, params: dict[str, str]) -> httpx.URL:
    """``url`` with ``params`` added to its own query (httpx's ``params=`` would replace it)."""
    return httpx.URL(url).copy_merge_params(params)


async def read_all(api: httpx.AsyncClient, **params: str) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for name, (url, headers) in REPORTS.items():
        for fmt in ("json", "csv") if name in WITH_CSV else ("json",):
            extra = {"format": fmt} if fmt == "csv" else {}
            response = await api.get(at(url, {**params, **extra}), headers=headers)
            assert response.status_code == 200, (name, response.text)
            found[f"{name}.{fmt}"] = response.content
    return found


async def applied(runners: Sequence[ProjectionRunner], count: int) -> None:
    deadline = asyncio.get_running_loop().time() + 90
    while any(r.applied < count for r in runners):
        assert asyncio.get_running_loop().time() < deadline, [r.applied for r in runners]
        await asyncio.sleep(0.2)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def world(new_database: Any, new_topic: Any, kafka_bootstrap: str) -> AsyncIterator[World]:
    pupils = [Pupil("school-a" if i < 3 else "school-b", "np-north") for i in range(7)]
    events, kept = first_batch(pupils)
    later_events = second_batch(pupils, kept)
    keys = await KeyStore.open(await new_database("asat_keys"), random_ring()[0], cache_ttl_seconds=0)
    incidents = await asyncpg.create_pool(await new_database("asat_incidents"), min_size=1, max_size=4)
    await migrate(incidents)
    pool = await asyncpg.create_pool(await new_database("asat_rpt"), min_size=1, max_size=8)
    audit_pool = await open_audit_pool(await new_database("asat_audit"))
    topic = await new_topic("asat-incidents")
    store = EventStore(incidents, PersonalDataCodec(keys))
    stop = asyncio.Event()
    relay = asyncio.create_task(Relay(incidents, kafka_bootstrap, "asat-relay", topic_override=topic).run(stop))
    projections = (ReportingFactsProjection(topics=(topic,)), ExclusionReasonsProjection(topics=(topic,)))
    runners = [ProjectionRunner(p, pool, kafka_bootstrap, group_id=f"asat-{uuid4().hex}") for p in projections]
    # the Schools Forum tables read the commissioning facts too (none here: an empty topic, so not waited for)
    panels = ProjectionRunner(ReportingCommissioningFactsProjection(topics=(await new_topic("asat-comm"),)), pool,
                              kafka_bootstrap, group_id=f"asat-comm-{uuid4().hex}")
    verifier = TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.REPORTING)
    app = build_app([*runners, panels], kafka_bootstrap)
    try:
        async with app.broker, httpx.AsyncClient(  # type: ignore[union-attr]
                transport=httpx.ASGITransport(app=create_app(ApiDeps(pool, AccessGuard(AuditLog(audit_pool)),
                                                                     verifier))), base_url="http://t") as api:
            for runner in (*runners, panels):
                await runner.start()
            await app.broker.start()  # type: ignore[union-attr]
            await append_each(store, events, ACTOR)
            await applied(runners, len(events))
            first = await read_all(api)
            between = await incidents.fetchval("SELECT max(recorded_at) FROM events")
            await asyncio.sleep(0.05)
            await append_each(store, later_events, ACTOR)
            await applied(runners, len(events) + len(later_events))
            for runner in (*runners, panels):
                await runner.stop()
            yield World(api, pool, runners, kafka_bootstrap, between, first, await read_all(api))
    finally:
        stop.set()
        await relay
        for closing in (incidents, pool, audit_pool):
            await closing.close()
        await keys.close()


async def test_a_report_as_recorded_by_a_past_moment_is_unchanged_by_what_was_recorded_after_it(
        world: World) -> None:
    as_then = await read_all(world.api, recorded_by=world.between.isoformat())
    assert as_then == world.first
    changed = {name for name in world.first if world.first[name] != world.later[name]}
    assert {"weekly.json", "weekly.csv", "partnership.json", "annual.json", "engagement.json"} <= changed


async def test_a_report_as_at_a_day_holds_what_was_recorded_by_its_end_and_says_so(world: World) -> None:
    today = world.between.date()
    response = await world.api.get(at(REPORTS["partnership"][0], {"as_at": str(today)}), headers=NP_LEAD)
    assert response.content == world.later["partnership.json"]
    assert response.headers["Report-As-At"] == str(today)
    before = await world.api.get(at(REPORTS["partnership"][0], {"as_at": str(today - timedelta(days=1))}),
                                 headers=NP_LEAD)
    assert before.status_code == 200
    assert before.content not in (world.first["partnership.json"], world.later["partnership.json"])
    assert before.headers["Report-Recorded-By"].startswith(str(today - timedelta(days=1)))


@pytest.mark.parametrize(("params", "field"), [
    ({"as_at": "2999-01-01"}, "as_at"),
    ({"recorded_by": "2999-01-01T00:00:00Z"}, "recorded_by"),
    ({"as_at": "2025-01-01", "recorded_by": "2025-01-01T00:00:00Z"}, "recorded_by"),
    ({"recorded_by": "2025-01-01T00:00:00"}, "recorded_by"),
])
async def test_a_future_or_doubly_given_as_at_is_refused_naming_the_field(
        world: World, params: dict[str, str], field: str) -> None:
    response = await world.api.get(at(REPORTS["annual"][0], params), headers=LA)
    assert response.status_code == 422, response.text
    assert response.json()["rule"] == "report.as_at"
    assert response.json()["errors"][0]["field"] == field


async def test_rebuilding_every_reporting_projection_gives_the_same_bytes_now_and_as_at_the_moment(
        world: World) -> None:
    reasons_then = await read_exclusion_reasons(world.pool, ["2024/25"], world.between)
    reasons_now = await read_exclusion_reasons(world.pool, ["2024/25"])
    assert reasons_then != reasons_now  # the reinstatement is in one and not the other
    for live in world.runners:
        async with world.pool.acquire() as conn:
            serving = await active_schema(conn, live.projection.name)
        runner = ProjectionRunner(live.projection, world.pool, world.kafka, group_id=f"asat-rebuild-{uuid4().hex}")
        await runner.start()
        try:
            assert await rebuild(runner, world.pool, world.kafka, show_progress=False) != serving
        finally:
            await runner.stop()
    assert await read_all(world.api) == world.later
    assert await read_all(world.api, recorded_by=world.between.isoformat()) == world.first
    assert await read_exclusion_reasons(world.pool, ["2024/25"], world.between) == reasons_then
    assert await read_exclusion_reasons(world.pool, ["2024/25"]) == reasons_now


PUBLISH = "/v1/reports/partnership/np-north/publications"


async def test_a_publication_records_its_positions_and_a_reissue_says_what_the_corrections_changed(
        world: World) -> None:
    then = {"period": "2024/25-spring", "recorded_by": world.between.isoformat()}
    first_id = str(uuid4())
    response = await world.api.post(PUBLISH, params=then, json={"command_id": first_id}, headers=NP_LEAD)
    assert response.status_code == 201, response.text
    first = response.json()
    assert (first["edition"], first["changes"], first["sources"]) == (1, [], [])
    assert first["positions"] and all(p["offset"] >= 0 for p in first["positions"])
    assert first["rule_versions"] and first["report_version"] == 1
    again = await world.api.post(PUBLISH, params=then, json={"command_id": first_id}, headers=NP_LEAD)
    assert again.json() == first  # the same command publishes nothing more

    now = {"period": "2024/25-spring", "recorded_by": utc_now().isoformat()}
    replayed = await world.api.post(PUBLISH, params=now, json={"command_id": str(uuid4())}, headers=NP_LEAD)
    assert replayed.status_code == 401, replayed.text  # the token carried the first command: one command a token
    fresh = token("np-north", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
    second = (await world.api.post(PUBLISH, params=now, json={"command_id": str(uuid4())}, headers=fresh)).json()
    assert second["edition"] == 2
    assert second["changes"], "the amendment, withdrawal and new incidents change the termly figures"
    assert await world.pool.fetchval("SELECT count(*) FROM events WHERE event_type = 'ReportPublished'") == 2


async def test_another_partnership_cannot_publish_a_report_that_is_not_its_own(world: World) -> None:
    await migrate(world.pool)  # the store's tables, whichever test runs first
    before = await world.pool.fetchval("SELECT count(*) FROM events")
    response = await world.api.post(PUBLISH, params={"period": "2024/25-spring",
                                                     "recorded_by": world.between.isoformat()},
                                    json={"command_id": str(uuid4())}, headers=OTHER_NP)
    assert response.status_code == 403
    assert "np-north" not in response.text.replace(PUBLISH, "")
    assert await world.pool.fetchval("SELECT count(*) FROM events") == before


async def test_a_report_is_not_published_as_at_a_day_that_has_not_ended(world: World) -> None:
    response = await world.api.post(PUBLISH, params={"period": "2024/25-spring", "as_at": str(date.today())},
                                    json={"command_id": str(uuid4())}, headers=NP_LEAD)
    assert response.status_code == 422, response.text
    assert response.json()["rule"] == "report.published_as_at_past_day"


async def test_the_page_says_what_day_it_is_as_at_and_what_it_holds(world: World) -> None:
    moment = world.between.isoformat()
    page = await world.api.get(at(REPORTS["annual"][0], {"recorded_by": moment, "format": "html"}), headers=LA)
    assert page.status_code == 200, page.text
    assert str(world.between.date()) in page.text and moment in page.text
