"""The quarterly return as recorded by a moment (issue 15, point in time): built only from the events the event
store had recorded by then, so a back-dated spend recorded later leaves it unchanged, producing it again gives
the same bytes in JSON and CSV, and a ledger projected again from scratch gives the same bytes too."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from uuid import uuid4

import asyncpg
import httpx
import pytest

from ap_finance.adapters.event_store import migrate_finance
from ap_finance.entrypoints.handlers import finance_queries
from ap_finance.projections.directory import OrganisationDirectoryProjection
from ap_finance.projections.ledger import FinanceLedgerProjection
from ap_finance.projections.placements import PlacementCostsProjection
from ap_finance.reports.periods import ENGLAND
from ap_finance.reports.render_csv import render_csv
from ap_runtime.eventstore import EventStore
from ap_runtime.projection import ProjectionRunner

from .conftest import (
    FINANCE_OFFICER,
    HOST_FINANCE,
    OTHER_HOST_FINANCE,
    OTHER_PARTNERSHIP_LEAD,
    PARTNERSHIP_LEAD,
    PROVISION,
    PROVISION_MANAGER,
    PROVISION_STAFF,
    YEAR,
    Actor,
    World,
    budget_path,
    busy_budget,
    post_ok,
    record_placements,
)

pytestmark = pytest.mark.integration

Q1 = "/reports/quarterly-return?quarter=1"


async def last_recorded(world: World) -> datetime:
    """The moment the event store recorded its latest event (the cut-off a report as recorded is asked for)."""
    async with world.pool.acquire() as conn:
        moment: datetime = await conn.fetchval("SELECT max(recorded_at) FROM events")
    return moment


async def fetch(api: httpx.AsyncClient, query: str) -> httpx.Response:
    response = await api.get(budget_path(query), headers=FINANCE_OFFICER.headers)
    assert response.status_code == 200, response.text
    return response


def recorded_by(moment: datetime) -> str:
    return f"&recorded_by={quote(moment.isoformat())}"


async def backdated_q1_spend(api: httpx.AsyncClient, world: World) -> None:
    """A £400 Q1 invoice found and recorded after the cut-off (spent in June, recorded now)."""
    await post_ok(api, "/spend", HOST_FINANCE, spend_id=uuid4(), supplier="Late invoice", category="resources",
                  funding_source="dsg_allocation", amount_pence=40_000, spent_on="2025-06-10",
                  evidence_reference="INV-LATE")
    await world.project()


async def test_a_return_as_recorded_by_a_moment_is_unchanged_by_events_recorded_after_it(
    api: httpx.AsyncClient, world: World
) -> None:
    await busy_budget(api)
    await world.project()
    cut_off = await last_recorded(world)
    before_json = (await fetch(api, Q1 + recorded_by(cut_off))).content
    before_csv = (await fetch(api, Q1 + "&format=csv" + recorded_by(cut_off))).content

    await backdated_q1_spend(api, world)

    assert (await fetch(api, Q1 + recorded_by(cut_off))).content == before_json
    assert (await fetch(api, Q1 + "&format=csv" + recorded_by(cut_off))).content == before_csv
    # The later event is real: the return as recorded now counts it, and cites a later stream position.
    then: dict[str, Any] = json.loads(before_json)
    now = (await fetch(api, Q1)).json()
    assert now["total"]["actual_pence"] == then["total"]["actual_pence"] + 40_000
    assert now["header"]["source"]["stream_version"] == then["header"]["source"]["stream_version"] + 1
    assert datetime.fromisoformat(then["header"]["source"]["recorded_at"]) == cut_off


async def test_a_ledger_projected_again_from_scratch_gives_the_same_bytes(
    api: httpx.AsyncClient, world: World, new_database: Callable[[str], Awaitable[str]]
) -> None:
    await busy_budget(api)
    await world.project()
    cut_off = await last_recorded(world)
    await backdated_q1_spend(api, world)
    first = await world.queries.quarterly_return(FINANCE_OFFICER.principal, PROVISION, YEAR, 1,
                                                 recorded_by=cut_off)

    # A second read-model database, projected from the first event to the last (the rebuild's path).
    pool = await asyncpg.create_pool(await new_database("fin_rebuilt"), min_size=1, max_size=4)
    try:
        await migrate_finance(pool, pool)
        rebuilt = World(world.dsn, pool, world.store, world.access, world.commands,
                        finance_queries(world.store, pool, world.access),
                        [ProjectionRunner(p, pool, "unused:9092") for p in (
                            FinanceLedgerProjection(), PlacementCostsProjection(), OrganisationDirectoryProjection())])
        await rebuilt.project()
        again = await rebuilt.queries.quarterly_return(FINANCE_OFFICER.principal, PROVISION, YEAR, 1,
                                                       recorded_by=cut_off)
    finally:
        await pool.close()

    assert render_csv(again).encode() == render_csv(first).encode()
    assert json.dumps(again.model_dump(mode="json")).encode() == json.dumps(first.model_dump(mode="json")).encode()


async def test_a_moment_without_a_timezone_is_refused_and_says_why(api: httpx.AsyncClient, world: World) -> None:
    await busy_budget(api)
    await world.project()
    response = await api.get(budget_path(Q1 + "&recorded_by=2025-06-30T23:59:59"), headers=FINANCE_OFFICER.headers)
    assert response.status_code in (400, 422), response.text
    assert "recorded_by" in response.text and "timezone" in response.text


async def test_a_moment_before_the_budget_was_recorded_is_refused(api: httpx.AsyncClient, world: World) -> None:
    await busy_budget(api)
    await world.project()
    response = await api.get(budget_path(Q1 + "&recorded_by=2020-01-01T00:00:00Z"), headers=FINANCE_OFFICER.headers)
    assert response.status_code in (404, 409), response.text
    assert "recorded" in response.text


async def test_a_return_known_on_a_day_holds_what_was_recorded_by_the_end_of_it_in_england(
    api: httpx.AsyncClient, world: World
) -> None:
    await busy_budget(api)
    await world.project()
    today = (await last_recorded(world)).astimezone(ENGLAND).date()
    known_today = (await fetch(api, Q1 + f"&known_on={today}")).json()
    assert known_today["total"] == (await fetch(api, Q1)).json()["total"]
    before = await api.get(budget_path(Q1 + f"&known_on={today - timedelta(days=1)}"),
                           headers=FINANCE_OFFICER.headers)
    assert before.status_code == 404, before.text
    assert "recorded by" in before.text


async def test_a_moment_and_a_day_together_are_refused(api: httpx.AsyncClient, world: World) -> None:
    await busy_budget(api)
    await world.project()
    response = await api.get(budget_path(Q1 + "&known_on=2025-06-30&recorded_by=2025-06-30T23:00:00Z"),
                             headers=FINANCE_OFFICER.headers)
    assert response.status_code in (400, 422), response.text
    assert "known_on" in response.text


async def test_the_governing_body_summary_as_recorded_by_a_moment_is_unchanged_by_later_events(
    api: httpx.AsyncClient, world: World
) -> None:
    await busy_budget(api)
    await world.project()
    cut_off = await last_recorded(world)
    summary = "/reports/governing-body-summary?format=csv" + recorded_by(cut_off)
    before = (await fetch(api, summary)).content
    await backdated_q1_spend(api, world)
    assert (await fetch(api, summary)).content == before
    assert (await fetch(api, "/reports/governing-body-summary?format=csv")).content != before


AUDIENCE = [(FINANCE_OFFICER, 200), (HOST_FINANCE, 200), (PARTNERSHIP_LEAD, 200), (PROVISION_MANAGER, 200),
            (OTHER_HOST_FINANCE, 403), (OTHER_PARTNERSHIP_LEAD, 403), (PROVISION_STAFF, 403)]


@pytest.mark.parametrize(("actor", "status"), AUDIENCE, ids=[a.user_id for a, _ in AUDIENCE])
@pytest.mark.parametrize("report", ["/reports/quarterly-return?quarter=1", "/reports/governing-body-summary?"],
                         ids=["quarterly-return", "governing-body-summary"])
async def test_each_audience_reads_only_its_own_reports_as_recorded(
    api: httpx.AsyncClient, world: World, actor: Actor, status: int, report: str
) -> None:
    await busy_budget(api)
    await world.project()
    cut_off = await last_recorded(world)
    response = await api.get(budget_path(report + recorded_by(cut_off)), headers=actor.headers)
    assert response.status_code == status, response.text
    # Asked for a moment before the budget existed, a stranger is refused too: no 404 tells it the budget exists.
    early = await api.get(budget_path(report + "&recorded_by=2020-01-01T00:00:00Z"), headers=actor.headers)
    assert early.status_code == (404 if status == 200 else 403), early.text


async def test_a_year_closed_after_the_moment_is_open_in_the_return_as_recorded_by_it(
    api: httpx.AsyncClient, world: World
) -> None:
    await busy_budget(api)
    await world.project()
    cut_off = await last_recorded(world)
    await post_ok(api, "/close", FINANCE_OFFICER, closed_on="2026-04-10")
    await world.project()
    then = (await fetch(api, "/reports/quarterly-return?quarter=4" + recorded_by(cut_off))).json()
    now = (await fetch(api, "/reports/quarterly-return?quarter=4")).json()
    assert (then["header"]["year_closed_on"], now["header"]["year_closed_on"]) == (None, "2026-04-10")
    assert then["year_end"]["surplus_pence"] is None and now["year_end"]["surplus_pence"] is not None


async def test_placements_recorded_after_the_moment_leave_the_return_as_recorded_by_it_unchanged(
    api: httpx.AsyncClient, world: World, incidents: EventStore
) -> None:
    await busy_budget(api)
    await record_placements(incidents, [(date(2025, 4, 28), None), (date(2025, 5, 6), date(2025, 6, 27)),
                                        (date(2025, 6, 2), None)])
    await world.project(extra=incidents)
    async with incidents.pool.acquire() as conn:
        cut_off = max(await last_recorded(world), await conn.fetchval("SELECT max(recorded_at) FROM events"))
    before = (await fetch(api, Q1 + recorded_by(cut_off))).content

    # Found later: a placement that began in April and ended in June.
    await record_placements(incidents, [(date(2025, 4, 7), date(2025, 6, 13))])
    await world.project(extra=incidents)

    assert (await fetch(api, Q1 + recorded_by(cut_off))).content == before
    then, now = json.loads(before), (await fetch(api, Q1)).json()
    assert (then["placement_costs"]["placements"], now["placement_costs"]["placements"]) == (3, 4)
