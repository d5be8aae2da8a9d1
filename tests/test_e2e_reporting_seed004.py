"""Seed 004's Schools Forum tables reproduced through the public APIs (issue 15's must-show), on the real
PostgreSQL and Kafka.

Pupil-level facts whose counts, by the DfE definitions, are the seed's published figures are fed as HTTP
commands (``ap_testing.reporting.seed004_feed``): registrations, permanent exclusions (one reinstated per
year and phase, which must not count), 2013/14 suspensions (every third pupil twice, the first time for a
lunchtime half day) through the incidents API (an OS process, its relay another); the schools' rolls, the
panels, referrals (a tenth of the children twice in a year) and 2011/12 Fair Access cases (waits at the band
edges, counted by the service on the LA's recorded 2011-12 calendar) through the commissioning API. The
commissioning relay and the reporting projections run here on the topics; the Schools Forum report is then
read over HTTP as a Forum member reads it, and must print the seed's numbers.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_commissioning.adapters.event_store import migrate_commissioning
from ap_commissioning.entrypoints.api import create_app as commissioning_app
from ap_commissioning.entrypoints.bootstrap import CommissioningDeps
from ap_commissioning.projections.calendars import CommissioningCalendarProjection, stored_calendars
from ap_contracts.envelope import OrgKind
from ap_reporting.domain.published import Table
from ap_reporting.domain.vocabulary import Phase
from ap_reporting.entrypoints.api import create_app as reporting_app
from ap_reporting.entrypoints.bootstrap import ApiDeps
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenVerifier, ensure_schema, generate_keypair
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import EventStore
from ap_runtime.projection import ProjectionRunner
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import PlatformProcess, free_port, incidents_process_env, wait_for_platform
from ap_testing.reporting import seed004_feed as feed
from ap_testing.reporting.seed004 import (
    FAIR_ACCESS,
    FAIR_ACCESS_TOTAL,
    FPE_2013,
    PEX_PRIMARY,
    PEX_PUPILS,
    PEX_SECONDARY,
    PEX_YEARS,
    REFERRALS,
    ROLLS,
    SPECIAL_AND_AP_2013,
)
from ap_testing.reporting.tables import assert_publishable

pytestmark = pytest.mark.e2e

KEYS = generate_keypair()
PRIVATE = load_private_key(KEYS.private_pem)
FORUM = feed.Caller("member@forum", "forum", OrgKind.SCHOOLS_FORUM, Role.SCHOOLS_FORUM_MEMBER)
ROLL = {phase: sum(n for p, n in ROLLS.values() if p == phase) for phase, _ in ROLLS.values()}


@dataclass(frozen=True, slots=True)
class Platform:
    reporting: httpx.AsyncClient
    commissioning: httpx.AsyncClient


async def _caught_up(runners: list[ProjectionRunner], pools: list[tuple[asyncpg.Pool, list[ProjectionRunner]]],
                     processes: list[PlatformProcess]) -> None:
    """Wait until each runner applied every event its store holds (the relays publish them all)."""
    async def done() -> bool:
        for pool, readers in pools:
            total = await pool.fetchval("SELECT count(*) FROM events")
            if any(r.applied < total for r in readers):
                return False
        return True

    await wait_for_platform(done, "the reporting projections to apply every event", processes, seconds=600)


async def _feed_everything(f: feed.Feed, comm_pool: asyncpg.Pool, processes: list[PlatformProcess]) -> None:
    await feed.register_and_term_dates(f)

    async def calendar_kept() -> bool:
        return (await stored_calendars(comm_pool)()).for_area(feed.LA) is not None

    await wait_for_platform(calendar_kept, "commissioning to keep the LA's 2011-12 term dates", processes)
    calendar = (await stored_calendars(comm_pool)()).for_area(feed.LA)
    assert calendar is not None

    async def commissioning() -> None:
        await feed.record_rolls(f)
        await feed.constitute_panels(f)
        await feed.fair_access(f, calendar)
        await feed.refer(f)

    await asyncio.gather(commissioning(), feed.exclusions_and_suspensions(f))


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def forum(new_database: Callable[[str], Awaitable[str]], new_topic: Callable[..., Awaitable[str]],
                kafka_bootstrap: str) -> AsyncIterator[Platform]:
    dsns = {name: await new_database(f"e2e_s004_{name}") for name in ("events", "audit", "keys")}
    topics = {name: await new_topic(f"e2e-s004-{name}") for name in ("events", "commands", "results", "comm")}
    port, logs = free_port(), Path(tempfile.mkdtemp(prefix="e2e-seed004-"))
    env = incidents_process_env(dsns, topics, master_keys=master_keys_env(random_ring("mk-s004")[1], "mk-s004"),
                                token_public_pem=KEYS.public_pem, bootstrap=kafka_bootstrap, port=port)
    processes = [PlatformProcess("incidents-api", ["-m", "ap_incidents.entrypoints.api"], env, logs)]
    comm_pool = await asyncpg.create_pool(await new_database("e2e_s004_comm"), min_size=1, max_size=8)
    pool = await asyncpg.create_pool(await new_database("e2e_s004_reporting"), min_size=1, max_size=8)
    incidents_pool = await asyncpg.create_pool(dsns["events"], min_size=1, max_size=2)
    await migrate_commissioning(comm_pool)
    async with comm_pool.acquire() as conn:
        await ensure_schema(conn)
    audit = AuditLog(comm_pool)
    verifier = TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.COMMISSIONING)
    deps = CommissioningDeps(EventStore(comm_pool), verifier, AccessGuard(audit), calendars=stored_calendars(comm_pool))
    incidents = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60)
    commissioning = httpx.AsyncClient(transport=httpx.ASGITransport(app=commissioning_app(deps)),
                                      base_url="http://commissioning.test", timeout=60)
    calendars = ProjectionRunner(CommissioningCalendarProjection(topics=(topics["events"],)), comm_pool,
                                 kafka_bootstrap, group_id=f"s004-cal-{uuid4().hex}")
    facts = ProjectionRunner(ReportingFactsProjection(topics=(topics["events"],)), pool, kafka_bootstrap,
                             group_id=f"s004-facts-{uuid4().hex}")
    reasons = ProjectionRunner(ExclusionReasonsProjection(topics=(topics["events"],)), pool, kafka_bootstrap,
                               group_id=f"s004-reasons-{uuid4().hex}")
    panels = ProjectionRunner(ReportingCommissioningFactsProjection(topics=(topics["comm"],)), pool,
                              kafka_bootstrap, group_id=f"s004-comm-{uuid4().hex}")
    runners = [calendars, facts, reasons, panels]
    app, stop = build_app(runners, kafka_bootstrap), asyncio.Event()
    try:
        await wait_for_platform(lambda: _ready(incidents), "the incidents API to be ready", processes)
        processes.append(PlatformProcess("incidents-relay", ["-m", "ap_runtime.relay", "--service", "incidents",
                                                             "--dsn", dsns["events"], "--topic", topics["events"]],
                                         env, logs))
        relay = asyncio.create_task(Relay(comm_pool, kafka_bootstrap, "s004-comm-relay",
                                          topic_override=topics["comm"]).run(stop))
        async with app.broker:
            for each in runners:
                await each.start()
            await app.broker.start()
            await _feed_everything(feed.Feed(incidents, commissioning, PRIVATE), comm_pool, processes)
            await _caught_up(runners, [(incidents_pool, [facts, reasons]), (comm_pool, [panels])], processes)
            for each in runners:
                await each.stop()
        stop.set()
        await relay
        guard = AccessGuard(AuditLog(pool))
        async with pool.acquire() as conn:
            await ensure_schema(conn)
        reporting = reporting_app(ApiDeps(pool, guard, TokenVerifier(load_public_key(KEYS.public_pem),
                                                                      audience=ServiceAudience.REPORTING)))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=reporting), base_url="http://t") as client:
            yield Platform(client, commissioning)
    finally:
        stop.set()
        for process in reversed(processes):
            process.stop()
        await incidents.aclose()
        await commissioning.aclose()
        await audit.aclose()
        for closing in (pool, comm_pool, incidents_pool):
            await closing.close()


async def _ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/readyz")).status_code == 200


async def schools_forum(http: httpx.AsyncClient, first: str, last: str, bands: str = "cumulative") -> dict[str, Any]:
    headers = feed.Feed(http, http, PRIVATE).headers(FORUM, ServiceAudience.REPORTING)
    answer = await http.get(f"/v1/reports/schools-forum?from_year={first}&to_year={last}&bands={bands}",
                            headers=headers)
    assert answer.status_code == 200, answer.text
    return {t["name"]: t for t in answer.json()["tables"]}


def rate(count: int, roll: int) -> Decimal:
    """Per 100 on roll, two places, rounded half up: worked out here, not by the code under test."""
    return (Decimal(count) * 100 / Decimal(roll)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def column(table: dict[str, Any], row: int, name: str) -> Any:
    return table["cells"][row][table["column_labels"].index(name)]


@pytest.mark.asyncio(loop_scope="session")
async def test_permanent_exclusions_2009_to_2015_by_phase_with_rates_per_100_on_roll(
    forum: Platform,
) -> None:
    years = list(PEX_YEARS)
    for first, last in ((0, 2), (3, 5)):
        tables = await schools_forum(forum.reporting, years[first], years[last])
        pex, rates = tables["permanent_exclusions_by_phase"], tables["permanent_exclusion_rate"]
        for row, y in enumerate(range(first, last + 1)):
            assert pex["row_totals"][row] == PEX_PUPILS[y], years[y]  # the reinstated ones not counted
            seed = {"primary": PEX_PRIMARY[y], "secondary": PEX_SECONDARY[y]}
            for phase, n in seed.items():
                shown = column(pex, row, phase)
                assert shown == n or (shown == "c" and PEX_PRIMARY[y] in (1, 2)), (years[y], phase, shown)
                if shown != "c":
                    assert Decimal(str(column(rates, row, phase))) == rate(n, ROLL[phase]), (years[y], phase)
            assert [column(pex, row, p) for p in ("special", "alternative_provision", "not recorded")] == [0, 0, 0]


@pytest.mark.asyncio(loop_scope="session")
async def test_2013_14_suspensions_pupils_once_half_days_added_in_four_phases(forum: Platform) -> None:
    tables = await schools_forum(forum.reporting, "2013/14", "2013/14")
    seed = {Phase.PRIMARY.value: FPE_2013[Phase.PRIMARY], Phase.SECONDARY.value: FPE_2013[Phase.SECONDARY],
            **SPECIAL_AND_AP_2013}
    for phase, (pupils, days) in seed.items():
        assert column(tables["pupils_suspended_by_phase"], 0, phase) == pupils, phase
        assert Decimal(str(column(tables["suspension_days_lost_by_phase"], 0, phase))) == Decimal(days), phase
        assert Decimal(str(column(tables["pupils_suspended_rate"], 0, phase))) == rate(pupils, ROLL[phase]), phase
        assert column(tables["pupils_on_roll"], 0, phase) == ROLL[phase], phase
    # every third pupil was suspended twice, so there are more suspensions than pupils
    suspended = tables["suspensions_by_phase"]
    assert all(column(suspended, 0, p) > pupils for p, (pupils, _) in seed.items())


@pytest.mark.asyncio(loop_scope="session")
async def test_children_referred_to_the_panels_2012_to_2015(forum: Platform) -> None:
    table = (await schools_forum(forum.reporting, "2012/13", "2014/15"))["panel_referrals"]
    assert [row[0] for row in table["cells"]] == list(REFERRALS.values())


@pytest.mark.asyncio(loop_scope="session")
async def test_fair_access_2011_12_by_panel_area_in_the_seeds_cumulative_bands(forum: Platform) -> None:
    """The LA's own table (commissioning, exact counts) is the seed's, cell by cell; the Forum's (published)
    shows the seed's figure wherever it shows a number and hides every 1 and 2."""
    answer = await forum.commissioning.get(
        f"/v1/local-authorities/{feed.LA}/fair-access-table?academic_year=2011-12",
        headers=feed.Feed(forum.commissioning, forum.commissioning, PRIVATE).headers(
            feed.OFFICER, ServiceAudience.COMMISSIONING))
    assert answer.status_code == 200, answer.text
    exact = {r["panel_id"]: (r["cases"], *(r["by_band"][str(t)] for t in (38, 69, 100))) for r in answer.json()["rows"]}
    assert exact == FAIR_ACCESS
    table = (await schools_forum(forum.reporting, "2011/12", "2011/12"))["fair_access_2011_12"]
    seed = [*(FAIR_ACCESS[p] for p in table["row_labels"]), FAIR_ACCESS_TOTAL]
    for shown_row, seed_row in zip([*table["cells"], table["column_totals"]], seed, strict=True):
        for shown, figure in zip(shown_row, seed_row, strict=True):
            assert shown == "c" if figure in (1, 2) else shown in ("c", figure), (shown, figure)
    assert table["grand_total"] == FAIR_ACCESS_TOTAL[0]
    exclusive = (await schools_forum(forum.reporting, "2011/12", "2011/12", "exclusive"))["fair_access_2011_12"]
    assert_publishable(Table.model_validate(exclusive))


@pytest.mark.asyncio(loop_scope="session")
async def test_a_school_head_cannot_read_the_forums_report_nor_another_la_record_its_rolls(forum: Platform) -> None:
    headers = feed.Feed(forum.reporting, forum.reporting, PRIVATE).headers(feed.head("school-pri"),
                                                                             ServiceAudience.REPORTING)
    answer = await forum.reporting.get("/v1/reports/schools-forum?from_year=2013/14&to_year=2013/14", headers=headers)
    assert answer.status_code == 403, answer.text
    other = feed.Caller("officer@other", "la-other", OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)
    forged = await forum.commissioning.post(
        f"/v1/rolls/{feed.LA}/2013-14/schools/school-pri",
        json={"command_id": str(uuid4()), "phase": "primary", "pupils": 1},
        headers=feed.Feed(forum.commissioning, forum.commissioning, PRIVATE).headers(other,
                                                                                    ServiceAudience.COMMISSIONING))
    assert forged.status_code == 403, forged.text
    roll = (await schools_forum(forum.reporting, "2013/14", "2013/14"))["pupils_on_roll"]
    assert column(roll, 0, "primary") == ROLL["primary"]  # unchanged by the refused record
