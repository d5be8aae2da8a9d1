"""Seed 004's pupil-level facts fed through the services' public HTTP commands (issue 15): the register, term
dates, pupils, suspensions, permanent exclusions and reinstatements through the incidents API; the schools'
rolls, the panels, referrals and Fair Access cases through the commissioning API. Historical facts carry their
own dates in the commands' date fields (the day a suspension starts, the day an exclusion takes effect, the day
a referral was made, the first day without a place): nothing is back-dated in the store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ap_contracts.envelope import OrgKind
from ap_reporting.domain.facts import SuspensionFact
from ap_reporting.domain.vocabulary import Phase
from ap_runtime.access import Role, TokenIssuer
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.school_days import SchoolCalendar, add_school_days
from ap_testing.callers import TokenCaller
from ap_testing.reporting.seed004 import (
    FAIR_ACCESS,
    FPE_2013,
    PANELS,
    PEX_YEARS,
    ROLLS,
    SPECIAL_AND_AP_2013,
    cumulative_bands,
    exclusions,
    fair_access_waits,
    referrals,
    suspensions,
)

LA = "la-bnes"
YEAR_GROUP = {"school-pri": "4", "school-sec-1": "9", "school-sec-2": "9", "school-spe": "7", "school-ap": "10"}
# 2011-12 half terms as this test records them for the LA (the Fair Access waits are counted on them).
HALF_TERMS_2011 = ((date(2011, 9, 5), date(2011, 10, 21)), (date(2011, 10, 31), date(2011, 12, 16)),
                   (date(2012, 1, 4), date(2012, 2, 10)), (date(2012, 2, 20), date(2012, 3, 30)),
                   (date(2012, 4, 16), date(2012, 6, 1)), (date(2012, 6, 11), date(2012, 7, 20)))
FIRST_DAY_WITHOUT_PLACE = date(2011, 9, 6)


Caller = TokenCaller
"""who calls: the token is minted per call for the service called (``Feed.headers``), not by a subclass's issuer"""

ADMIN = Caller("operator", "platform-s004", OrgKind.PLATFORM, Role.PLATFORM_ADMIN)
OFFICER = Caller("la-officer", LA, OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)


def head(school: str) -> Caller:
    return Caller(f"head@{school}", school, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)


@dataclass
class Feed:
    """The two APIs and a token key; every post must be accepted (the message says what was refused)."""

    incidents: httpx.AsyncClient
    commissioning: httpx.AsyncClient
    key: Ed25519PrivateKey

    def headers(self, caller: Caller, audience: ServiceAudience) -> dict[str, str]:
        token = TokenIssuer(self.key, audience=audience).mint(
            user_id=caller.user_id, organisation_id=caller.organisation_id, org_kind=caller.org_kind,
            roles=[caller.role])
        return {"Authorization": f"Bearer {token}"}

    async def _post(self, client: httpx.AsyncClient, caller: Caller, audience: ServiceAudience, path: str,
                    body: dict[str, Any]) -> httpx.Response:
        """Posted with one command id; a connection the server closed under load is retried with the same id,
        which the services answer with the first outcome (never a second record)."""
        command = {"command_id": str(uuid4()), **body}
        for attempt in range(3):
            try:
                return await client.post(path, json=command, headers=self.headers(caller, audience))
            except httpx.TransportError:
                if attempt == 2:
                    raise
                await asyncio.sleep(0.5)
        raise AssertionError("unreachable")

    async def incident(self, caller: Caller, path: str, **body: Any) -> dict[str, Any]:
        answer = await self._post(self.incidents, caller, ServiceAudience.INCIDENTS, path, body)
        assert answer.status_code in (200, 201), f"{path}: {answer.text}"  # 200: a retry answered the first outcome
        result: dict[str, Any] = answer.json()
        return result

    async def commission(self, caller: Caller, path: str, **body: Any) -> None:
        answer = await self._post(self.commissioning, caller, ServiceAudience.COMMISSIONING, path, body)
        assert answer.status_code == 200, f"{path}: {answer.text}"


async def register_and_term_dates(feed: Feed) -> None:
    """The administrator registers the LA and its schools; the LA records its 2011-12 term dates."""
    for organisation, kind in ((LA, "local_authority"), *((school, "home_school") for school in ROLLS)):
        await feed.incident(ADMIN, f"/v1/organisations/{organisation}/registration", organisation_id=organisation,
                            kind=kind, local_authority_id=None if kind == "local_authority" else LA)
    names = (("autumn", 1), ("autumn", 2), ("spring", 1), ("spring", 2), ("summer", 1), ("summer", 2))
    await feed.incident(OFFICER, f"/v1/organisations/{LA}/term-dates", organisation_id=LA, academic_year="2011-12",
                        nation="ENG", inset_days=[],
                        half_terms=[{"term": t, "half": h, "first_day": a.isoformat(), "last_day": b.isoformat()}
                                    for (t, h), (a, b) in zip(names, HALF_TERMS_2011, strict=True)])


async def record_rolls(feed: Feed) -> None:
    """The LA records each school's roll and phase for every year of the seed's tables."""
    for year in PEX_YEARS:
        for school, (phase, pupils) in ROLLS.items():
            await feed.commission(OFFICER, f"/v1/rolls/{LA}/{year.replace('/', '-')}/schools/{school}",
                                  phase=phase, pupils=pupils)


async def _pupil(feed: Feed, school: str) -> str:
    ref = str(uuid4())
    await feed.incident(head(school), f"/v1/pupils/{ref}/registration", home_school_id=school,
                        display_name="Seed Pupil", date_of_birth="2003-05-01", sex="female",
                        year_group=YEAR_GROUP[school], sen_status="N", fsm_eligible=False, ethnicity="WBRI",
                        looked_after=False)
    return ref


async def _excluded(feed: Feed, school: str, decided_on: date, reinstated: bool) -> None:
    ref = await _pupil(feed, school)
    issued = await feed.incident(head(school), f"/v1/pupils/{ref}/permanent-exclusions",
                                 decided_on=decided_on.isoformat(), effective_from=decided_on.isoformat(),
                                 primary_reason="PA", parents_informed=True, account="Assault on a member of staff")
    if reinstated:  # the governing board met and reinstated: the exclusion no longer counts
        await feed.incident(head(school), f"/v1/pupils/{ref}/reinstatements",
                            exclusion_record_id=issued["event_ids"][0], board_met_on=decided_on.isoformat(),
                            reasons="The board found the exclusion disproportionate")


async def _suspended(feed: Feed, school: str, facts: Sequence[SuspensionFact]) -> None:
    """One pupil's suspensions, in order (the second of a repeated one after the lunchtime first)."""
    ref = await _pupil(feed, school)
    for s in facts:
        await feed.incident(head(school), f"/v1/pupils/{ref}/suspensions", first_day=s.first_day.isoformat(),
                            duration_half_days=s.half_days, primary_reason="DB", parents_informed=True,
                            account="Persistent disruption in lessons")


async def _in_batches(jobs: Sequence[Callable[[], Awaitable[None]]], size: int = 16) -> None:
    for start in range(0, len(jobs), size):
        await asyncio.gather(*(job() for job in jobs[start:start + size]))


def _by_pupil(facts: Sequence[SuspensionFact]) -> list[list[SuspensionFact]]:
    pupils: dict[UUID, list[SuspensionFact]] = {}
    for fact in facts:
        pupils.setdefault(fact.pupil_ref, []).append(fact)
    return list(pupils.values())


async def exclusions_and_suspensions(feed: Feed) -> None:
    """Seed 004's permanent exclusions (one reinstated per year and phase) and 2013/14 suspensions; the
    secondary pupils split between two secondary schools; the special and AP schools' suspensions besides."""
    jobs: list[Callable[[], Awaitable[None]]] = []
    for i, e in enumerate(exclusions()):
        school = "school-pri" if e.phase is Phase.PRIMARY else f"school-sec-{1 + i % 2}"
        jobs.append(partial(_excluded, feed, school, e.decided_on, e.reinstated))
    plans = [("school-pri", FPE_2013[Phase.PRIMARY]), ("school-sec", FPE_2013[Phase.SECONDARY]),
             ("school-spe", SPECIAL_AND_AP_2013["special"]),
             ("school-ap", SPECIAL_AND_AP_2013["alternative_provision"])]
    for school, (pupils, days) in plans:
        for i, facts in enumerate(_by_pupil(suspensions(Phase.NOT_KNOWN, pupils, days))):
            at = f"school-sec-{1 + i % 2}" if school == "school-sec" else school
            jobs.append(partial(_suspended, feed, at, facts))
    await _in_batches(jobs)


async def constitute_panels(feed: Feed) -> None:
    """The LA's three Behaviour and Attendance Panels, the LA officer sitting on each, one outreach service."""
    for panel in PANELS:
        path = f"/v1/panels/{panel}"
        await feed.commission(OFFICER, path + "/constitution", local_authority_id=LA, kind="behaviour_attendance",
                              area_id=panel, name=f"{panel} panel")
        await feed.commission(OFFICER, path + "/members", user_id=OFFICER.user_id, organisation_id=LA,
                              sits_as="coordinator")
        await feed.commission(OFFICER, path + "/continuum", service_id="svc-outreach", name="Behaviour outreach",
                              phases=["primary", "secondary"], criteria="at risk of exclusion",
                              referrer_kinds=["local_authority", "home_school"], expected_wait_school_days=10)


async def refer(feed: Feed) -> None:
    """Seed 004's referrals (a tenth of the children referred twice in the year), each panel's in order."""
    facts = referrals()  # once: a child referred twice has one pupil_ref across the two panels

    async def panel_referrals(panel: str) -> None:
        for r in facts:
            if r.panel_id == panel:
                await feed.commission(OFFICER, f"/v1/panels/{panel}/referrals", referral_id=str(r.referral_id),
                                      pupil_ref=str(r.pupil_ref), phase="secondary", service_id="svc-outreach",
                                      referred_on=r.referred_on.isoformat())

    await asyncio.gather(*(panel_referrals(panel) for panel in PANELS))


async def fair_access(feed: Feed, calendar: SchoolCalendar) -> None:
    """Seed 004's 2011/12 Fair Access cases read cumulatively, each placed after its wait in school days on the
    LA's recorded calendar (the service counts the wait; the dates are chosen here to give it)."""
    for panel, row in FAIR_ACCESS.items():
        for wait in fair_access_waits(cumulative_bands(*row)):
            case, since = str(uuid4()), FIRST_DAY_WITHOUT_PLACE
            placed_on = add_school_days(since, wait, calendar)
            await feed.commission(OFFICER, f"/v1/panels/{panel}/fair-access-cases", case_id=case,
                                  pupil_ref=str(uuid4()), phase="secondary", without_place_since=since.isoformat(),
                                  opened_on=since.isoformat())
            await feed.commission(OFFICER, f"/v1/panels/{panel}/fair-access-cases/{case}/closure",
                                  closed_on=placed_on.isoformat(), placed_at="school-sec-1",
                                  placed_on=placed_on.isoformat())
