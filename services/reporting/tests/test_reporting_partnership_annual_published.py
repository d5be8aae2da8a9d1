"""The Partnership annual report (seed 001 appendix 3) published with its provenance (issue 15), on the pipeline of
``test_reporting_as_at`` (its ``world``: incidents events through a real event store, relay and Kafka into the
reporting projections, a first batch, a noted moment, then corrections), with np-north's narrative for 2024/25
published and its budget recorded before that moment, but the last spend, recorded only now (a back-dated
correction of the Budget Summary: spent in the financial year, known later).

Rules served: ``POST /v1/reports/partnership/{id}/annual-report/{year}/publications`` records ``ReportPublished``
with the positions of the three read models it was built from (facts, commissioning's narrative, finance's ledger),
the report and rule versions and, on re-issue, the figures that changed; only that partnership's lead publishes it
(RPT-PUB-3: another partnership's lead, the LA, a school head and a Forum member are refused alike and nothing is
stored); a forged field, in the body or the query, is refused and changes nothing; a year whose narrative is not
published is refused (report.published_with_narrative), and that refusal leaves the caller's token for one valid
publication, after which the token is spent (401, nothing recorded). Two publications of one edition at once
(both built on the same editions, held at the append by a lock on the event store's ``streams`` table until both
wait there): one is recorded, the other refused 409 (report.published_once_at_a_time) saying which edition was
published meanwhile and where to see it, recording nothing and leaving its token; a command id already used for
another report is refused 409 (report_command.id_unique) naming it, recording nothing. No 500 anywhere (both were).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind, utc_now
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.finance_ledger import ReportingFinanceProjection
from ap_runtime.access import Role
from ap_runtime.eventstore import migrate
from ap_runtime.projection.store import ensure_registered
from ap_testing.reporting.finance_budget import partnership_budget
from ap_testing.reporting.narrative import narrative_events

from .test_reporting_as_at import World, world  # noqa: F401 - the pipeline fixture, reused
from .test_reporting_partnership_annual_api import apply_events, received
from .test_reporting_pipeline import FORUM, HEAD_A, LA, OTHER_NP, token

pytestmark = pytest.mark.integration

PUBLISH = "/v1/reports/partnership/np-north/annual-report/2024-25/publications"
STREAM = "report-partnership_annual-np-north-2024_25"
TERMLY = ("/v1/reports/partnership/np-north/publications", {"period": "2024/25-spring", "as_at": "2025-04-30"})
# the event store's appends, waiting on a lock (the statement's start: pg_stat_activity keeps its first 1 kB)
WAITING_APPENDS = """SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock'
                     AND query LIKE '%UPDATE streams SET version%'"""


def lead() -> dict[str, str]:
    """A fresh token of np-north's lead: a token carries one publication command (``token_replay``)."""
    headers: dict[str, str] = token("np-north", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
    return headers


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def annual(world: World) -> World:  # noqa: F811 - the fixture imported above
    """The world with np-north's narrative for 2024/25 published and its budget, recorded on 6 January 2025, but the
    budget's last spend, recorded now."""
    finance = ReportingFinanceProjection()
    await ensure_registered(world.pool, finance)
    budget = partnership_budget("np-north")
    await apply_events(world.pool, finance, received(budget[:-1], "budget-north", "finance"))
    await apply_events(world.pool, finance, received(budget[-1:], "budget-north", "finance", recorded=utc_now(),
                                                     first=len(budget) - 1))
    narrative = narrative_events("np-north", "2024/25", "lead", "chair", lambda section: f"{section}: our year.")
    await apply_events(world.pool, ReportingCommissioningFactsProjection(),
                       received(narrative, "narrative", "commissioning"))
    await migrate(world.pool)  # the reporting event store's tables, whichever test runs first
    return world


async def _published(annual: World) -> int:
    count: int = await annual.pool.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", STREAM)
    return count


async def _events(annual: World) -> int:
    count: int = await annual.pool.fetchval("SELECT count(*) FROM events")
    return count


async def test_the_lead_publishes_it_with_positions_and_versions_and_a_reissue_says_what_the_correction_changed(
        annual: World) -> None:
    then, first_id, headers = {"recorded_by": annual.between.isoformat()}, str(uuid4()), lead()
    response = await annual.api.post(PUBLISH, params=then, json={"command_id": first_id}, headers=headers)
    assert response.status_code == 201, response.text
    first = response.json()
    assert (first["report_kind"], first["organisation_id"], first["edition"], first["changes"]) == (
        "partnership_annual", "np-north", 1, [])
    assert first["period"] == {"label": "2024/25", "start": "2024-08-01", "end": "2025-07-31"}
    assert {p["topic"] for p in first["positions"]} >= {"commissioning", "finance"}
    assert len({p["topic"] for p in first["positions"]}) == 3  # the incidents topic's facts too
    assert first["report_version"] == 1 and first["rule_versions"]["suppression.small_numbers"] == "1"
    again = await annual.api.post(PUBLISH, params=then, json={"command_id": first_id}, headers=headers)
    assert again.json() == first  # the same command publishes nothing more

    now = {"recorded_by": utc_now().isoformat()}
    replayed = await annual.api.post(PUBLISH, params=now, json={"command_id": str(uuid4())}, headers=headers)
    assert replayed.status_code == 401, replayed.text  # the token carried the first command
    assert await _published(annual) == 1
    second = (await annual.api.post(PUBLISH, params=now, json={"command_id": str(uuid4())}, headers=lead())).json()
    assert second["edition"] == 2
    changes = {c["figure"]: (c["old"], c["new"]) for c in second["changes"]}
    assert changes["Budget Summary / Resources / Actual"] == ("£0.00", "£100.00"), second["changes"]
    assert changes["Budget Summary / Resources / Committed"] == ("£300.00", "£200.00")
    assert await _published(annual) == 2


async def test_a_refused_publication_leaves_the_token_for_one_valid_publication(annual: World) -> None:
    headers, before = lead(), await _events(annual)
    draft = await annual.api.post(PUBLISH.replace("2024-25", "2023-24"), json={"command_id": str(uuid4())},
                                  params={"recorded_by": annual.between.isoformat()}, headers=headers)
    assert draft.status_code == 409, draft.text
    assert draft.json()["rule"] == "report.published_with_narrative"
    assert await _events(annual) == before  # nothing recorded, the token's claim included (below)
    editions = await _published(annual)
    valid = await annual.api.post(PUBLISH, params={"recorded_by": annual.between.isoformat()},
                                  json={"command_id": str(uuid4())}, headers=headers)
    assert valid.status_code == 201, valid.text
    assert valid.json()["edition"] == editions + 1
    spent = await annual.api.post(PUBLISH, params={"recorded_by": annual.between.isoformat()},
                                  json={"command_id": str(uuid4())}, headers=headers)
    assert spent.status_code == 401, spent.text
    assert await _published(annual) == editions + 1


@pytest.mark.parametrize("caller", [OTHER_NP, LA, HEAD_A, FORUM],
                         ids=["other_partnership_lead", "la_officer", "school_head", "forum_member"])
async def test_only_the_partnership_s_own_lead_publishes_it(annual: World, caller: Mapping[str, str]) -> None:
    before = await _events(annual)
    params = {"recorded_by": annual.between.isoformat()}
    existing = await annual.api.post(PUBLISH, params=params, json={"command_id": str(uuid4())}, headers=caller)
    missing = await annual.api.post(PUBLISH.replace("np-north", "np-none"), params=params,
                                    json={"command_id": str(uuid4())}, headers=caller)
    assert (existing.status_code, missing.status_code) == (403, 403), existing.text
    assert "np-north" not in existing.text.replace(PUBLISH, "")
    assert await _events(annual) == before


@pytest.mark.parametrize(("body", "query", "field"), [
    ({"partnership_id": "np-south"}, {}, "partnership_id"),
    ({"organisation_id": "np-south"}, {}, "organisation_id"),
    ({}, {"partnership_id": "np-south"}, "partnership_id"),
], ids=["partnership_in_body", "organisation_in_body", "partnership_in_query"])
async def test_a_forged_partnership_is_refused_naming_it_and_changes_nothing(
        annual: World, body: dict[str, Any], query: dict[str, str], field: str) -> None:
    before = await _events(annual)
    response = await annual.api.post(PUBLISH, params={"recorded_by": annual.between.isoformat(), **query},
                                     json={"command_id": str(uuid4()), **body}, headers=lead())
    assert response.status_code == 422, response.text
    assert field in response.text
    assert await _events(annual) == before


@pytest.mark.parametrize(("path", "params", "rule"), [
    (PUBLISH.replace("2024-25", "2024-26"), {}, "report.fixed_period"),
    (PUBLISH, {"as_at": "2999-01-01"}, "report.as_at"),
], ids=["not_an_academic_year", "future_day"])
async def test_a_year_or_day_it_cannot_be_published_for_is_refused_naming_the_rule(
        annual: World, path: str, params: dict[str, str], rule: str) -> None:
    response = await annual.api.post(path, params=params, json={"command_id": str(uuid4())}, headers=lead())
    assert response.status_code == 422, response.text
    assert response.json()["rule"] == rule


async def _both_waiting_to_append(pool: asyncpg.Pool) -> None:
    for _ in range(300):
        if await pool.fetchval(WAITING_APPENDS) == 2:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the two publications never both waited to record their edition")


async def test_two_publications_of_one_edition_at_once_record_one_and_refuse_the_other_as_a_conflict(
        annual: World) -> None:
    params, editions, tokens = {"recorded_by": annual.between.isoformat()}, await _published(annual), [lead(), lead()]
    async with annual.pool.acquire() as conn, conn.transaction():
        await conn.execute("LOCK TABLE streams IN EXCLUSIVE MODE")  # reads go on; every append waits
        racing = [asyncio.create_task(annual.api.post(PUBLISH, params=params, json={"command_id": str(uuid4())},
                                                      headers=headers)) for headers in tokens]
        await _both_waiting_to_append(annual.pool)
    answers = await asyncio.gather(*racing)
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    won, lost = sorted(answers, key=lambda a: a.status_code)
    assert lost.headers["content-type"].startswith("application/problem+json")
    problem = lost.json()
    assert (problem["type"], problem["rule"]) == ("urn:ap:problem:conflict", "report.published_once_at_a_time")
    assert f"edition {editions + 1} of this report was published by another command" in problem["detail"]
    assert won.json()["report_id"] in problem["detail"] and "ap.reporting.events" in problem["detail"]
    assert won.json()["edition"] == editions + 1 and await _published(annual) == editions + 1
    again = await annual.api.post(PUBLISH, params=params, json={"command_id": str(uuid4())},
                                  headers=tokens[answers.index(lost)])
    assert again.status_code == 201, again.text  # the refused publication left its token unused
    assert again.json()["edition"] == editions + 2


async def test_a_command_id_used_for_another_report_is_refused_naming_it_and_records_nothing(annual: World) -> None:
    command_id = str(uuid4())
    first = await annual.api.post(PUBLISH, params={"recorded_by": annual.between.isoformat()},
                                  json={"command_id": command_id}, headers=lead())
    assert first.status_code == 201, first.text
    before, headers = await _events(annual), lead()
    path, params = TERMLY
    reused = await annual.api.post(path, params=params, json={"command_id": command_id}, headers=headers)
    assert reused.status_code == 409, reused.text
    problem = reused.json()
    assert (problem["type"], problem["rule"]) == ("urn:ap:problem:conflict", "report_command.id_unique")
    assert command_id in problem["detail"] and problem["errors"][0]["field"] == "command_id"
    assert await _events(annual) == before
    fresh = await annual.api.post(path, params=params, json={"command_id": str(uuid4())}, headers=headers)
    assert fresh.status_code == 201, fresh.text  # nothing recorded, the token's claim included
