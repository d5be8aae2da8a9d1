"""Engagement events -> relay -> real Kafka -> the reporting projection -> the reporting API (issue 14).

The weekly report to the home school carries the week's scores (a reduction counted, a withdrawn score gone),
targets and progress; the provision reads its term averages, trip list and Achievement Board; the board is the
provision's alone (a home school, another provision and the local authority are refused), and a term that is
not one of the fixed calendar's is refused naming the field.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import Actor, OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.engagement import TargetProgress, TargetProgressMark
from ap_contracts.events.pupil_vocabulary import Session
from ap_reporting.domain.engagement import EngagementRuleBook
from ap_reporting.entrypoints.api import ApiDeps, create_app
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenIssuer, TokenVerifier, generate_keypair
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_testing.reporting.events import Pupil
from ap_testing.reporting.pipeline import facts_through_kafka

pytestmark = pytest.mark.integration

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.REPORTING)
ACTOR = Actor(user_id="staff@prov", organisation_id="prov-np-north")
MONDAY = date(2025, 3, 10)
NewDatabase = Callable[[str], Awaitable[str]]
LENIENT: list[httpx.AsyncClient] = []  # the API under another rule book, beside the fixture's client


def token(org: str, kind: OrgKind, *roles: Role) -> dict[str, str]:
    return {"Authorization": "Bearer " + ISSUER.mint(user_id=f"u@{org}", organisation_id=org, org_kind=kind,
                                                      roles=roles)}


PROVISION_STAFF = token("prov-np-north", OrgKind.PROVISION, Role.PROVISION_STAFF)
OTHER_PROVISION = token("prov-np-south", OrgKind.PROVISION, Role.PROVISION_MANAGER)
HEAD_A = token("school-a", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)
LA = token("la-county", OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)


def story() -> tuple[list[Pupil], list[DomainEvent]]:
    """Two learners of school-a at prov-np-north: one keeps a high average and exceeds a target, the other's
    high score is reduced as a sanction; a third scored at prov-np-south."""
    star, sanctioned, elsewhere = Pupil("school-a", "np-north"), Pupil("school-a", "np-north"), Pupil("school-c",
                                                                                                    "np-south")
    events: list[DomainEvent] = [e for p in (star, sanctioned, elsewhere) for e in (p.registered(), p.started())]
    target = star.target(MONDAY - timedelta(7), MONDAY + timedelta(14))
    exceeded = (TargetProgressMark(target_id=target.target_id, progress=TargetProgress.EXCEEDED),)
    duplicate = star.scored(MONDAY + timedelta(2), 1)
    high = sanctioned.scored(MONDAY, 5)
    events += [target, star.scored(MONDAY, 5, progress=exceeded), star.scored(MONDAY, 4, Session.PM),
               duplicate, star.withdrawn(duplicate), high, sanctioned.scored(MONDAY, 4, Session.PM),
               sanctioned.reduced(high, 4), elsewhere.scored(MONDAY, 5)]
    return [star, sanctioned, elsewhere], events


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def engagement_api(new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]],
                         kafka_bootstrap: str) -> AsyncIterator[tuple[httpx.AsyncClient, list[Pupil]]]:
    pupils, events = story()
    pool, audit_pool = await facts_through_kafka(new_database, new_topic, kafka_bootstrap, events, ACTOR,
                                                 "eng")
    deps = ApiDeps(pool, AccessGuard(AuditLog(audit_pool)), TokenVerifier(load_public_key(KEYS.public_pem),
                                                                    audience=ServiceAudience.REPORTING))
    # The same facts under a provision's own rule book (a lower trip threshold): the rule book is data, replaceable.
    local_rules = EngagementRuleBook(version="local-1", trip_min_term_average=Decimal("2.5"))
    lenient = create_app(replace(deps, engagement_rules=local_rules))
    async with (httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)), base_url="http://t") as client,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=lenient), base_url="http://t") as other):
        LENIENT.append(other)
        yield client, pupils
    for closing in (pool, audit_pool):
        await closing.close()


async def _get(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> Any:
    response = await http.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.asyncio(loop_scope="session")
async def test_the_weekly_report_carries_scores_targets_and_progress(engagement_api) -> None:
    http, (star, sanctioned, _) = engagement_api
    report = await _get(http, f"/v1/reports/weekly/school-a?week_of={MONDAY}", HEAD_A)
    by_pupil = {line["pupil_ref"]: line["engagement"] for line in report["learners"]}
    mine = by_pupil[str(star.pupil_ref)]
    assert [(s["session"], s["counted_score"]) for s in mine["scores"]] == [("AM", 5), ("PM", 4)]  # withdrawn gone
    assert mine["average_score"] == "4.5"
    [target] = mine["targets"]
    assert target["latest_progress"] == "exceeded" and target["due_by"] == str(MONDAY + timedelta(14))
    reduced = by_pupil[str(sanctioned.pupil_ref)]
    assert [(s["score"], s["reduced_by"], s["counted_score"]) for s in reduced["scores"]] == [(5, 4, 1), (4, 0, 4)]


@pytest.mark.asyncio(loop_scope="session")
async def test_the_provision_reads_its_term_averages_trip_list_and_board(engagement_api) -> None:
    http, (star, sanctioned, elsewhere) = engagement_api
    term = await _get(http, "/v1/reports/engagement/prov-np-north?term=2024/25-spring", PROVISION_STAFF)
    averages = {line["pupil_ref"]: line["term_average"] for line in term["learners"]}
    assert averages == {str(star.pupil_ref): "4.5", str(sanctioned.pupil_ref): "2.5"}
    assert term["trip_list"] == [str(star.pupil_ref)]  # the reduction cost the other learner the trip
    board = await _get(http, "/v1/reports/achievement-board/prov-np-north?term=2024/25-spring", PROVISION_STAFF)
    assert [line["pupil_ref"] for line in board["learners"]] == [str(star.pupil_ref)]
    assert str(elsewhere.pupil_ref) not in str(term) + str(board)
    assert (term["rule_version"], term["trip_min_term_average"]) == ("engagement-2026.1", "4.0")
    local = await _get(LENIENT[0], "/v1/reports/engagement/prov-np-north?term=2024/25-spring", PROVISION_STAFF)
    assert local["rule_version"] == "local-1"
    assert local["trip_list"] == [str(star.pupil_ref), str(sanctioned.pupil_ref)]


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("who", ["home_school", "other_provision", "local_authority"])
async def test_the_achievement_board_is_the_provisions_alone(engagement_api, who) -> None:
    http, pupils = engagement_api
    headers = {"home_school": HEAD_A, "other_provision": OTHER_PROVISION, "local_authority": LA}[who]
    for report in ("achievement-board", "engagement"):
        response = await http.get(f"/v1/reports/{report}/prov-np-north?term=2024/25-spring", headers=headers)
        assert response.status_code == 403, response.text
        assert not any(str(p.pupil_ref) in response.text for p in pupils)


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("term", ["2024/25-spring-1", "2024/25", "2025-03", "spring"])
async def test_a_term_outside_the_fixed_calendar_is_refused_naming_the_field(engagement_api, term) -> None:
    http, _ = engagement_api
    response = await http.get(f"/v1/reports/engagement/prov-np-north?term={term}", headers=PROVISION_STAFF)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["rule"] == "report.fixed_period" and body["errors"][0]["field"] == "term"
