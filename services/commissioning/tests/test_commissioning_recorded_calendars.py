"""Commissioning counts school days on the local authority's recorded term dates (issue 13), kept in its
``commissioning_calendars`` read model from ``ap.incidents.events``, never on the packaged example: a referral's
decision time honours an INSET day the LA recorded, and where the LA recorded nothing the decision is refused
under ``calendar.recorded`` with nothing stored. On the real PostgreSQL, through the API."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.organisations import TermDatesRecorded
from ap_runtime.access import Role
from ap_runtime.school_days.example import term_dates_bodies

from .conftest import Caller, World, project_calendar_facts

pytestmark = pytest.mark.integration

HEAD = Caller("head-ashgrove", "school-demo-ashgrove", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)
SENCO = Caller("senco-ashgrove", "school-demo-ashgrove", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_STAFF)


async def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _referral_to_decide(world: World, local_authority_id: str) -> tuple[str, str]:
    """A panel of ``local_authority_id`` with a referral made on Wednesday 20 May 2026; its panel and referral."""
    officer = Caller("la-officer-1", local_authority_id, OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)
    panel = f"panel-{uuid4().hex[:8]}"
    await _ok(await world.post(officer, f"/v1/panels/{panel}/constitution", local_authority_id=local_authority_id,
                               kind="behaviour_attendance", area_id="bath", name="Bath Panel"))
    await _ok(await world.post(officer, f"/v1/panels/{panel}/members", user_id=HEAD.user_id,
                               organisation_id=HEAD.organisation_id, sits_as="chair"))
    await _ok(await world.post(officer, f"/v1/panels/{panel}/continuum", service_id="svc-outreach",
                               name="Behaviour outreach", phases=["primary"], criteria="at risk of exclusion",
                               referrer_kinds=["home_school"], expected_wait_school_days=10))
    referral = str(uuid4())
    await _ok(await world.post(SENCO, f"/v1/panels/{panel}/referrals", referral_id=referral, pupil_ref=str(uuid4()),
                               phase="primary", service_id="svc-outreach", referred_on="2026-05-20"))
    return panel, referral


async def test_a_decision_time_counts_an_inset_day_the_local_authority_recorded(world: World) -> None:
    world.today = date(2026, 6, 10)
    la = "la-recorded-county"
    # The LA records the example's pattern with one INSET day of its own, Tuesday 2 June 2026.
    bodies = [{**b, "organisation_id": la, "local_authority_id": la} for b in term_dates_bodies()]
    summer = next(b for b in bodies if b["academic_year"] == "2025-26")
    summer["inset_days"] = [*summer["inset_days"], "2026-06-02"]
    await project_calendar_facts(world.pool, [TermDatesRecorded.model_validate(b) for b in bodies])
    panel, referral = await _referral_to_decide(world, la)

    await _ok(await world.post(HEAD, f"/v1/panels/{panel}/referrals/{referral}/decision",
                               decision="offered_service", decided_on="2026-06-03"))
    [row] = (await _ok(await world.get(HEAD, f"/v1/panels/{panel}")))["referrals"]
    # By hand: Thu 21, Fri 22 May; half term 25-29 May; Mon 1 June; Tue 2 June the LA's INSET day; Wed 3 June.
    assert (row["days_taken"], row["school_days_taken"]) == (14, 4)


async def test_a_decision_where_the_local_authority_recorded_no_term_dates_is_refused(world: World) -> None:
    world.today = date(2026, 6, 10)
    panel, referral = await _referral_to_decide(world, "la-unrecorded-county")
    before = await world.event_count()

    refused = await world.post(HEAD, f"/v1/panels/{panel}/referrals/{referral}/decision",
                               decision="offered_service", decided_on="2026-06-03")
    assert (refused.status_code, refused.json()["rule"]) == (404, "calendar.recorded")
    assert await world.event_count() == before
