"""Incidents events -> relay -> real Kafka -> the reporting projection -> the reporting API.

The events are appended with the real contracts to a real event store (personal fields sealed with
a real key store). The reports that leave the organisation show no 1 or 2, agree with the true
counts wherever they show a number, and carry no pupil reference; the weekly report stays with the
home school and shows its own pupils exactly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import Actor, OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupil_vocabulary import (
    AttendanceCode,
    IncidentCategory,
    KeyStage,
    PlacementEndReason,
    RewardKind,
    Severity,
    YearGroup,
)
from ap_reporting.domain.published import Table
from ap_reporting.entrypoints.api import ApiDeps, create_app
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenIssuer, TokenVerifier, generate_keypair
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_testing.reporting.events import Pupil
from ap_testing.reporting.pipeline import facts_through_kafka
from ap_testing.reporting.tables import assert_agrees, assert_publishable

pytestmark = pytest.mark.integration

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.REPORTING)
ACTOR = Actor(user_id="staff@prov", organisation_id="prov-np-north")
NewDatabase = Callable[[str], Awaitable[str]]
WEEK = date(2025, 3, 10)


def token(org: str, kind: OrgKind, *roles: Role) -> dict[str, str]:
    return {"Authorization": "Bearer " + ISSUER.mint(user_id=f"u@{org}", organisation_id=org, org_kind=kind,
                                                      roles=roles)}


NP_LEAD = token("np-north", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
OTHER_NP = token("np-south", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
LA = token("la-county", OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)
FORUM = token("forum", OrgKind.SCHOOLS_FORUM, Role.SCHOOLS_FORUM_MEMBER)
HEAD_A = token("school-a", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)
HEAD_B = token("school-b", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)


def story() -> tuple[list[Pupil], list[DomainEvent]]:
    """Seven pupils of np-north (one placed outside its key stage), one of np-south."""
    pupils = [Pupil("school-a" if i < 3 else "school-b", "np-north") for i in range(6)]
    pupils += [Pupil("school-a", "np-north", year=YearGroup.Y2)]  # KS1 pupil at the KS2 provision
    pupils += [Pupil("school-c", "np-south")]
    events: list[DomainEvent] = []
    for p in pupils:
        events += [p.registered(), p.started()]
    first = pupils[0]
    duplicate = first.incident(WEEK + timedelta(days=1), IncidentCategory.THEFT, Severity.CRITICAL)
    events += [p.incident(WEEK + timedelta(days=1), IncidentCategory.BULLYING, Severity.SERIOUS) for p in pupils[:4]]
    events += [first.incident(WEEK + timedelta(days=1), IncidentCategory.THEFT, Severity.CRITICAL), duplicate,
               first.withdrawn(duplicate)]
    events += [first.mark(WEEK + timedelta(days=d), AttendanceCode.PRESENT_AM if d else AttendanceCode.ILLNESS)
               for d in range(5)]
    events += [first.reward(WEEK, RewardKind.CERTIFICATE), first.reward(WEEK, RewardKind.REWARD_SLIP, 3)]
    events += [p.suspended(date(2025, 2, 3), 2) for p in pupils[:4]]
    excluded, kept = pupils[4].excluded(date(2025, 3, 3)), pupils[5].excluded(date(2025, 3, 3))
    events += [excluded, pupils[4].ended(date(2025, 3, 4), PlacementEndReason.PERMANENTLY_EXCLUDED,
                                         excluded.record_id)]
    events += [kept, pupils[5].reinstated(kept)]
    events += [pupils[6].ended(date(2025, 3, 1), PlacementEndReason.PLACE_WITHDRAWN, uuid4())]
    events += [pupils[7].incident(WEEK, IncidentCategory.BULLYING, Severity.SERIOUS)]
    return pupils, events


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def reporting(new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]],
                    kafka_bootstrap: str) -> AsyncIterator[tuple[httpx.AsyncClient, list[Pupil]]]:
    pupils, events = story()
    pool, audit_pool = await facts_through_kafka(new_database, new_topic, kafka_bootstrap, events, ACTOR,
                                                 "rpt")
    deps = ApiDeps(pool, AccessGuard(AuditLog(audit_pool)), TokenVerifier(load_public_key(KEYS.public_pem),
                                                                    audience=ServiceAudience.REPORTING))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)), base_url="http://t") as client:
        yield client, pupils
    for closing in (pool, audit_pool):
        await closing.close()


async def get(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> Any:
    response = await http.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def tables(report: dict[str, Any]) -> dict[str, Table]:
    return {t["name"]: Table.model_validate(t) for t in report["tables"]}


def leaks(text: str, pupils: list[Pupil]) -> list[str]:
    return [ref for p in pupils for ref in (str(p.pupil_ref), str(p.placement_id)) if ref in text]


PARTNERSHIP_URL = "/v1/reports/partnership/np-north?period=2024/25-spring"


async def test_the_partnership_report_is_suppressed_consistent_and_anonymous(
    reporting: tuple[httpx.AsyncClient, list[Pupil]],
) -> None:
    http, pupils = reporting
    report = await get(http, PARTNERSHIP_URL, NP_LEAD)
    t = tables(report)
    for table in t.values():
        assert_publishable(table)
    assert_agrees(t["pupils_served"], [[7]])
    assert t["pupils_served"].grand_total == 7
    assert_agrees(t["schools_supported"], [[2]])
    stages = [k.value for k in KeyStage]
    truth = [[6 if k == "KS2" else 0, 1 if k == "KS1" else 0] for k in stages]
    assert_agrees(t["placements_by_key_stage"], truth)
    categories = list(t["incidents_by_category_and_severity"].row_labels)
    incidents = [[0] * 5 for _ in categories]
    incidents[categories.index("bullying")][2] = 4
    incidents[categories.index("theft")][4] = 1  # the duplicate withdrawn in error does not count
    assert_agrees(t["incidents_by_category_and_severity"], incidents)
    assert "exclusions_by_phase" not in t  # published by academic year only (la_figures)
    csv = await http.get(PARTNERSHIP_URL + "&format=csv", headers=NP_LEAD)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert leaks(csv.text + str(report), pupils) == [] and "pupil_ref" not in csv.text + str(report)
    assert ",1\n" not in csv.text and ",2\n" not in csv.text


async def test_la_figures_and_strategy_data_are_suppressed_and_anonymous(
    reporting: tuple[httpx.AsyncClient, list[Pupil]],
) -> None:
    http, pupils = reporting
    annual = await get(http, "/v1/reports/annual?academic_year=2024/25", LA)
    t = tables(annual)
    for table in t.values():
        assert_publishable(table)
    assert_agrees(t["permanent_exclusions"], [[1, 0, 0]])
    assert_agrees(t["pupils_suspended"], [[4, 0, 0]])
    assert t["suspension_days_lost"].cells[0][0] == str(Decimal(4)) or t["suspension_days_lost"].cells[0][0] == 4
    reasons = list(t["placements_by_end_reason"].row_labels)
    ended = [[0, 0, 0] for _ in reasons]
    ended[reasons.index("permanently_excluded")][0] = 1
    ended[reasons.index("place_withdrawn")][0] = 1
    assert_agrees(t["placements_by_end_reason"], ended)
    assert annual["mean_length_of_stay_days"] == "c" and annual["reintegration_rate_percent"] == "c"
    strategy = await get(http, "/v1/reports/strategy?from_year=2023/24&to_year=2024/25", FORUM)
    s = tables(strategy)
    # by the excluding school's phase: this LA recorded no rolls, so every school's exclusions are "not recorded"
    assert_agrees(s["pupils_suspended_by_phase"], [[0, 0, 0, 0, 0], [0, 0, 0, 0, 4]])
    for url, who in (("/v1/reports/annual?academic_year=2024/25&format=csv", LA),
                     ("/v1/reports/strategy?from_year=2023/24&to_year=2024/25&format=csv", FORUM)):
        text = (await http.get(url, headers=who)).text
        assert leaks(text + str(annual) + str(strategy), pupils) == []


async def test_the_weekly_report_shows_the_home_school_its_own_pupils_exactly(
    reporting: tuple[httpx.AsyncClient, list[Pupil]],
) -> None:
    http, pupils = reporting
    report = await get(http, "/v1/reports/weekly/school-a?week_of=2025-03-12", HEAD_A)
    lines = {line["pupil_ref"]: line for line in report["learners"]}
    assert set(lines) == {str(p.pupil_ref) for p in pupils[:3]}  # the withdrawn KS1 place ended before the week
    first = lines[str(pupils[0].pupil_ref)]
    assert (first["sessions_possible"], first["sessions_attended"], first["attendance_percent"]) == (5, 4, "80.0")
    # exact: the duplicate withdrawn in error does not count
    assert first["incidents_by_severity"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}
    assert first["rewards_total"] == 4
    csv = await http.get("/v1/reports/weekly/school-a?week_of=2025-03-12&format=csv", headers=HEAD_A)
    assert str(pupils[0].pupil_ref) in csv.text


async def test_each_report_is_only_for_its_audience(reporting: tuple[httpx.AsyncClient, list[Pupil]]) -> None:
    http, _ = reporting
    forbidden = [
        ("/v1/reports/weekly/school-a?week_of=2025-03-12", HEAD_B),
        ("/v1/reports/weekly/school-a?week_of=2025-03-12", NP_LEAD),
        (PARTNERSHIP_URL, OTHER_NP),
        (PARTNERSHIP_URL, HEAD_A),
        ("/v1/reports/annual?academic_year=2024/25", FORUM),
        ("/v1/reports/strategy?from_year=2023/24&to_year=2024/25", HEAD_A),
    ]
    for url, who in forbidden:
        assert (await http.get(url, headers=who)).status_code == 403, url
    assert (await http.get(PARTNERSHIP_URL, headers=LA)).status_code == 200
    assert (await http.get("/v1/reports/annual?academic_year=2024-25", headers=LA)).status_code == 422
    assert (await http.get("/v1/reports/annual?academic_year=2024/25")).status_code == 401
