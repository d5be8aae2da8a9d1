"""The scripted commissioning year for one local authority with three panel areas (issue 13's first must-show).

Through the public HTTP APIs against the real PostgreSQL and Kafka: the local authority's term dates are recorded
through the incidents API (an OS process), published by the incidents relay (an OS process) to the incidents
topic, and kept by the commissioning projection runner (``ap_commissioning.entrypoints.projections``, an OS
process) in the commissioning database; the commissioning API (in process on that database, its clock moved
through the year) then counts every wait on those recorded dates. Over the academic year 2025-26: an SLA agreed,
signed and reviewed; a self-audit rated and moderated; a referral decided by each of the Bath, Keynsham and Chew
Valley, and Norton Radstock panels; a Fair Access case opened and placed in each area, across the February half
term, Easter (with an INSET day the LA recorded) and the May bank holiday and half term. Every wait in school
days is checked against a count made here by hand from the dates this test recorded and England's bank holidays
listed below, not with the calendar functions under test.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_commissioning.adapters.event_store import migrate_commissioning
from ap_commissioning.entrypoints.api import create_app
from ap_commissioning.entrypoints.bootstrap import CommissioningDeps
from ap_commissioning.projections.calendars import stored_calendars
from ap_contracts.envelope import OrgKind
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenIssuer, TokenVerifier, ensure_schema, generate_keypair
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import EventStore
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import PlatformProcess, free_port, incidents_process_env, processes_report, wait_for_platform

pytestmark = pytest.mark.e2e

NewDatabase = Callable[[str], Awaitable[str]]
KEYS = generate_keypair()
PRIVATE = load_private_key(KEYS.private_pem)

LA = "la-year-county"
PARTNERSHIP = "np-year-bath"
PROVISION = "pbp-year-north"
PANELS = {"panel-bath": ("Bath Panel", "school-year-bath"),
          "panel-keynsham-chew-valley": ("Keynsham and Chew Valley Panel", "school-year-keynsham"),
          "panel-norton-radstock": ("Norton Radstock Panel", "school-year-norton")}

# The LA's term dates for 2025-26 as this test records them, and England's bank holidays in that year (gov.uk).
HALF_TERMS = ((date(2025, 9, 3), date(2025, 10, 24)), (date(2025, 11, 3), date(2025, 12, 19)),
              (date(2026, 1, 5), date(2026, 2, 13)), (date(2026, 2, 23), date(2026, 3, 27)),
              (date(2026, 4, 13), date(2026, 5, 22)), (date(2026, 6, 1), date(2026, 7, 22)))
INSET_DAYS = (date(2026, 1, 5), date(2026, 4, 13))  # the second is this LA's own: no packaged calendar has it
BANK_HOLIDAYS = {date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6),
                 date(2026, 5, 4), date(2026, 5, 25), date(2026, 8, 31)}


def school_days_by_hand(first: date, last: date) -> int:
    """Days from ``first`` to ``last`` inclusive that are weekdays inside a half term, not INSET, not a holiday."""
    count, day = 0, first
    while day <= last:
        in_term = any(start <= day <= end for start, end in HALF_TERMS)
        if day.weekday() < 5 and in_term and day not in INSET_DAYS and day not in BANK_HOLIDAYS:
            count += 1
        day += timedelta(days=1)
    return count


@dataclass(frozen=True, slots=True)
class Caller:
    user_id: str
    organisation_id: str
    org_kind: OrgKind
    role: Role

    def headers(self, audience: ServiceAudience = ServiceAudience.COMMISSIONING) -> dict[str, str]:
        issuer = TokenIssuer(PRIVATE, audience=audience)  # one token per write: a fresh one each call
        token = issuer.mint(user_id=self.user_id, organisation_id=self.organisation_id, org_kind=self.org_kind,
                            roles=[self.role])
        return {"Authorization": f"Bearer {token}"}


ADMIN = Caller("operator", "platform-year", OrgKind.PLATFORM, Role.PLATFORM_ADMIN)
OFFICER = Caller("la-officer", LA, OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)
LEAD = Caller("np-lead", PARTNERSHIP, OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
MANAGER = Caller("pbp-manager", PROVISION, OrgKind.PROVISION, Role.PROVISION_MANAGER)


def head(panel: str) -> Caller:
    school = PANELS[panel][1]
    return Caller(f"head@{school}", school, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)


def senco(panel: str) -> Caller:
    school = PANELS[panel][1]
    return Caller(f"senco@{school}", school, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_STAFF)


@dataclass
class Year:
    incidents: httpx.AsyncClient
    commissioning: httpx.AsyncClient
    pool: asyncpg.Pool
    processes: list[PlatformProcess]
    today: date = date(2025, 9, 1)
    outcomes: list[tuple[str, int, str]] = field(default_factory=list)

    def clock(self) -> datetime:
        return datetime.combine(self.today, time(10), tzinfo=UTC)

    async def post(self, caller: Caller, path: str, **body: Any) -> dict[str, Any]:
        answer = await self.commissioning.post(path, json={"command_id": str(uuid4()), **body},
                                               headers=caller.headers())
        assert answer.status_code == 200, f"{path}: {answer.text}"
        result: dict[str, Any] = answer.json()
        return result

    async def get(self, caller: Caller, path: str, status: int = 200) -> dict[str, Any]:
        answer = await self.commissioning.get(path, headers=caller.headers())
        assert answer.status_code == status, f"{path}: {answer.text}"
        result: dict[str, Any] = answer.json()
        return result


@pytest_asyncio.fixture(loop_scope="session")
async def year(new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]],
               kafka_bootstrap: str) -> AsyncIterator[Year]:
    dsns = {name: await new_database(f"e2e_year_{name}") for name in ("events", "audit", "keys")}
    topics = {name: await new_topic(f"e2e-year-{name}") for name in ("events", "commands", "results")}
    commissioning_dsn = await new_database("e2e_year_comm")
    _ring, raw = random_ring("mk-year")
    port = free_port()
    env = incidents_process_env(dsns, topics, master_keys=master_keys_env(raw, "mk-year"),
                                token_public_pem=KEYS.public_pem, bootstrap=kafka_bootstrap, port=port)
    logs = Path(tempfile.mkdtemp(prefix="e2e-commissioning-year-"))
    processes = [PlatformProcess("incidents-api", ["-m", "ap_incidents.entrypoints.api"], env, logs)]
    pool = await asyncpg.create_pool(commissioning_dsn, min_size=1, max_size=6)
    await migrate_commissioning(pool)
    async with pool.acquire() as conn:
        await ensure_schema(conn)
    audit = AuditLog(pool)
    holder: dict[str, Year] = {}
    deps = CommissioningDeps(EventStore(pool),
                             TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.COMMISSIONING),
                             AccessGuard(audit), clock=lambda: holder["y"].clock(), calendars=stored_calendars(pool))
    incidents = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
    commissioning = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)),
                                      base_url="http://commissioning.test")
    holder["y"] = Year(incidents, commissioning, pool, processes)
    try:
        async def ready() -> bool:
            return (await incidents.get("/readyz")).status_code == 200

        await wait_for_platform(ready, "the incidents API to be ready", processes)
        processes += [
            PlatformProcess("incidents-relay", ["-m", "ap_runtime.relay", "--service", "incidents", "--dsn",
                                                dsns["events"], "--topic", topics["events"]], env, logs),
            PlatformProcess("commissioning-projections", [
                "-m", "ap_commissioning.entrypoints.projections", "--dsn", commissioning_dsn,
                "--incidents-topic", topics["events"], "--group-suffix", uuid4().hex[:8]],
                {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_LOG_LEVEL": "WARNING"}, logs),
        ]
        yield holder["y"]
    finally:
        await commissioning.aclose()
        await incidents.aclose()
        for process in reversed(processes):
            process.stop()
        await audit.aclose()
        await pool.close()


async def record_the_register_and_term_dates(year: Year) -> None:
    """The platform administrator registers the LA and its schools; the LA records its 2025-26 term dates."""
    registrations = [(LA, "local_authority", None), *((school, "home_school", LA) for _, school in PANELS.values())]
    for organisation, kind, authority in registrations:
        body: dict[str, Any] = {"command_id": str(uuid4()), "organisation_id": organisation, "kind": kind,
                "local_authority_id": authority}
        answer = await year.incidents.post(f"/v1/organisations/{organisation}/registration", json=body,
                                           headers=ADMIN.headers(ServiceAudience.INCIDENTS))
        assert answer.status_code == 201, answer.text
    names = (("autumn", 1), ("autumn", 2), ("spring", 1), ("spring", 2), ("summer", 1), ("summer", 2))
    dates: dict[str, Any] = {
            "command_id": str(uuid4()), "organisation_id": LA, "academic_year": "2025-26", "nation": "ENG",
            "half_terms": [{"term": term, "half": half, "first_day": first.isoformat(), "last_day": last.isoformat()}
                           for (term, half), (first, last) in zip(names, HALF_TERMS, strict=True)],
            "inset_days": [d.isoformat() for d in INSET_DAYS]}
    answer = await year.incidents.post(f"/v1/organisations/{LA}/term-dates", json=dates,
                                       headers=OFFICER.headers(ServiceAudience.INCIDENTS))
    assert answer.status_code == 201, answer.text

    async def kept_by_commissioning() -> bool:
        calendar = (await stored_calendars(year.pool)()).for_area(LA)
        return calendar is not None and date(2026, 4, 13) in calendar.non_teaching_days

    await wait_for_platform(kept_by_commissioning, "commissioning to keep the LA's term dates", year.processes)


async def agree_and_review_the_sla(year: Year) -> None:
    sla = f"/v1/slas/{PROVISION}/{PARTNERSHIP}"
    year.today = date(2025, 9, 1)
    terms = {"places_by_phase": [{"phase": "primary", "places": 8}, {"phase": "secondary", "places": 6}],
             "starts_on": "2025-09-01", "ends_on": "2026-08-31", "attendance_threshold_percent": 85,
             "review_dates": ["2026-06-30"]}
    await year.post(LEAD, sla + "/versions", version=1, terms=terms)
    await year.post(MANAGER, sla + "/versions/1/signatures")
    signed = await year.post(LEAD, sla + "/versions/1/signatures")
    assert "SlaVersionAgreed" in signed["event_types"]
    year.today = date(2026, 6, 24)
    review = str(uuid4())
    for caller, choices in ((MANAGER, ("agree", "agree", "strongly_agree")), (LEAD, ("agree", "neutral", "agree"))):
        answers = [{"question_id": q, "choice": c} for q, c in zip(("1", "2", "3"), choices, strict=True)]
        await year.post(caller, sla + f"/reviews/{review}/answers", version=1, answers=answers)
    actions = [{"action": "Report reintegrations termly", "owner": "Provision manager", "due_on": "2026-10-30"}]
    await year.post(LEAD, sla + f"/reviews/{review}/completion", actions=actions, next_review_on="2027-06-30")
    status = await year.get(MANAGER, sla + "/review-status")
    assert (status["due_on"], status["overdue"], status["last_completed_review_id"]) == ("2027-06-30", False, review)


async def rate_and_moderate_the_self_audit(year: Year) -> None:
    audit = f"/v1/self-audits/{PROVISION}/{PARTNERSHIP}/2025-26"
    year.today = date(2025, 10, 1)
    await year.post(LEAD, audit + "/request")
    for statement, rating in (("behaviour-01", "amber"), ("behaviour-02", "green")):
        await year.post(MANAGER, audit + "/ratings", statement_id=statement, rating=rating,
                        evidence="termly behaviour log analysis", action_plan="weekly log review")
    year.today = date(2025, 11, 12)
    await year.post(LEAD, audit + "/moderations", statement_id="behaviour-01", moderated_rating="red",
                    reason="logs are kept but never analysed")
    first = (await year.get(MANAGER, audit))["statements"][0]
    assert (first["rating"], first["moderated_rating"], first["standing"]) == ("amber", "red", "red")


async def constitute_the_panels(year: Year) -> None:
    year.today = date(2025, 9, 2)
    for panel, (name, _school) in PANELS.items():
        await year.post(OFFICER, f"/v1/panels/{panel}/constitution", local_authority_id=LA,
                        kind="behaviour_attendance", area_id=panel.removeprefix("panel-"), name=name)
        await year.post(OFFICER, f"/v1/panels/{panel}/members", user_id=head(panel).user_id,
                        organisation_id=head(panel).organisation_id, sits_as="chair")
        await year.post(OFFICER, f"/v1/panels/{panel}/continuum", service_id="svc-outreach",
                        name="Behaviour outreach", phases=["primary", "secondary"],
                        criteria="at risk of exclusion after school-based support",
                        referrer_kinds=["home_school", "local_authority"], expected_wait_school_days=10)


# (panel, referred on, decided on): across Christmas and the INSET day of 5 January; Easter and the LA's own
# INSET day of 13 April; the May half term.
REFERRALS = (("panel-norton-radstock", date(2025, 12, 17), date(2026, 1, 7)),
             ("panel-keynsham-chew-valley", date(2026, 4, 8), date(2026, 4, 15)),
             ("panel-bath", date(2026, 5, 20), date(2026, 6, 3)))
# (panel, without a place since, placed on): across the February half term; Easter, its bank holidays and the
# LA's INSET day; the early May bank holiday and the May half term (with the spring bank holiday).
FAIR_ACCESS = (("panel-norton-radstock", date(2026, 2, 9), date(2026, 3, 2)),
               ("panel-keynsham-chew-valley", date(2026, 3, 23), date(2026, 4, 20)),
               ("panel-bath", date(2026, 4, 27), date(2026, 6, 8)))


async def decide_referrals(year: Year) -> None:
    for panel, referred_on, decided_on in REFERRALS:
        year.today = referred_on
        referral = str(uuid4())
        await year.post(senco(panel), f"/v1/panels/{panel}/referrals", referral_id=referral, pupil_ref=str(uuid4()),
                        phase="primary", service_id="svc-outreach", referred_on=referred_on.isoformat())
        year.today = decided_on
        await year.post(head(panel), f"/v1/panels/{panel}/referrals/{referral}/decision",
                        decision="offered_service", decided_on=decided_on.isoformat())


async def open_and_place_fair_access_cases(year: Year) -> None:
    for panel, since, placed_on in FAIR_ACCESS:
        year.today = since
        case = str(uuid4())
        await year.post(OFFICER, f"/v1/panels/{panel}/fair-access-cases", case_id=case, pupil_ref=str(uuid4()),
                        phase="secondary", without_place_since=since.isoformat(), opened_on=since.isoformat())
        year.today = placed_on
        await year.post(head(panel), f"/v1/panels/{panel}/fair-access-cases/{case}/closure",
                        closed_on=placed_on.isoformat(), placed_at=PANELS[panel][1], placed_on=placed_on.isoformat())


async def test_a_commissioning_year_for_one_local_authority_with_three_panel_areas(year: Year) -> None:
    try:
        await record_the_register_and_term_dates(year)
    except AssertionError as failure:
        raise AssertionError(f"{failure}\n{processes_report(year.processes)}") from failure
    await constitute_the_panels(year)
    await agree_and_review_the_sla(year)
    await rate_and_moderate_the_self_audit(year)
    await decide_referrals(year)
    await open_and_place_fair_access_cases(year)
    year.today = date(2026, 7, 22)

    for panel, referred_on, decided_on in REFERRALS:
        [row] = (await year.get(head(panel), f"/v1/panels/{panel}"))["referrals"]
        by_hand = school_days_by_hand(referred_on + timedelta(days=1), decided_on)
        assert (row["decision"], row["school_days_taken"], row["days_taken"]) == (
            "offered_service", by_hand, (decided_on - referred_on).days), panel
    waits = {}
    for panel, since, placed_on in FAIR_ACCESS:
        [row] = (await year.get(head(panel), f"/v1/panels/{panel}"))["fair_access_cases"]
        waits[panel] = school_days_by_hand(since, placed_on - timedelta(days=1))
        assert (row["school_days_without_place"], row["open"]) == (waits[panel], False), panel
        assert row["beyond_expectation"] is (waits[panel] > 20), panel
    # The counts by hand, written out: 10 (Norton Radstock), 9 (Keynsham: Easter and 13 April not school days),
    # 24 (Bath: 4 May and the half term not school days).
    assert waits == {"panel-norton-radstock": 10, "panel-keynsham-chew-valley": 9, "panel-bath": 24}

    # A member sees their own area's cases only; the LA sees the table of all three areas, counted on its dates.
    await year.get(head("panel-bath"), "/v1/panels/panel-keynsham-chew-valley", status=403)
    table = await year.get(OFFICER, f"/v1/local-authorities/{LA}/fair-access-table?academic_year=2025-26")
    assert table["counted_with"] == LA
    rows = {r["panel_name"]: (r["cases"], r["beyond_expectation"]) for r in table["rows"]}
    assert rows == {"Bath Panel": (1, 1), "Keynsham and Chew Valley Panel": (1, 0), "Norton Radstock Panel": (1, 0)}
