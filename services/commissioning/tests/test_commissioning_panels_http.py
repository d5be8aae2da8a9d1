"""Panels, referrals, Fair Access and the Children Outside of School Panel through the commissioning API on the
real PostgreSQL (seeds 003, 004; issue 13): a referral decided by the panel; a Fair Access case opened and
placed across a bank holiday and a half term, its wait checked against a count made by hand; members see
their own panel's cases only; a decision by someone not on the panel is refused."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role

from .conftest import PROVIDER_MANAGER, PROVISION, Caller, World, terms

LA = "la-demo-county"
OFFICER = Caller("la-officer-1", LA, OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)
BATH_HEAD = Caller("head-ashgrove", "school-demo-ashgrove", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)
BATH_DEPUTY = Caller("deputy-ashgrove", "school-demo-ashgrove", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)
BATH_SENCO = Caller("senco-ashgrove", "school-demo-ashgrove", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_STAFF)
KEYNSHAM_HEAD = Caller("head-birchfield", "school-demo-birchfield", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)
BATH, KEYNSHAM, COSP = "panel-bath", "panel-keynsham-chew-valley", "panel-cosp"


async def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _panel(world: World, panel: str, name: str, head: Caller, kind: str = "behaviour_attendance") -> None:
    await _ok(await world.post(OFFICER, f"/v1/panels/{panel}/constitution", local_authority_id=LA, kind=kind,
                               area_id=panel.removeprefix("panel-"), name=name))
    await _ok(await world.post(OFFICER, f"/v1/panels/{panel}/members", user_id=head.user_id,
                               organisation_id=head.organisation_id, sits_as="chair"))
    if kind == "behaviour_attendance":
        await _ok(await world.post(OFFICER, f"/v1/panels/{panel}/continuum", service_id="svc-outreach",
                                   name="Behaviour outreach", phases=["primary", "secondary"],
                                   criteria="at risk of exclusion after school-based support",
                                   referrer_kinds=["home_school", "local_authority"], expected_wait_school_days=10))


async def _three_panels(world: World) -> None:
    await _panel(world, BATH, "Bath Panel", BATH_HEAD)
    await _panel(world, KEYNSHAM, "Keynsham and Chew Valley Panel", KEYNSHAM_HEAD)
    await _panel(world, COSP, "Children Outside of School Panel", BATH_HEAD, kind="children_outside_school")


async def test_a_referral_is_decided_by_the_panel_with_the_time_taken(world: World) -> None:
    world.today = date(2026, 6, 10)
    await _three_panels(world)
    meeting = str(uuid4())
    await _ok(await world.post(BATH_HEAD, f"/v1/panels/{BATH}/meetings", meeting_id=meeting, held_on="2026-06-03",
                               attended_by=[BATH_HEAD.user_id]))
    referral = str(uuid4())
    made = await _ok(await world.post(BATH_SENCO, f"/v1/panels/{BATH}/referrals", referral_id=referral,
                                      pupil_ref=str(uuid4()), phase="primary", service_id="svc-outreach",
                                      referred_on="2026-05-20"))
    assert made["event_types"] == ["PanelReferralMade"]
    decided = await _ok(await world.post(BATH_HEAD, f"/v1/panels/{BATH}/referrals/{referral}/decision",
                                         decision="offered_service", decided_on="2026-06-03", meeting_id=meeting))
    assert decided["event_types"] == ["PanelReferralDecided"]

    panel = await _ok(await world.get(BATH_HEAD, f"/v1/panels/{BATH}"))
    [row] = panel["referrals"]
    # Wednesday 20 May to Wednesday 3 June 2026: 14 days; school days after the referral, by hand from the
    # example calendar: Thu 21 and Fri 22 May, half term 25-29 May none, Mon 1 to Wed 3 June: five.
    assert (row["decision"], row["decided_on"], row["decided_by"], row["days_taken"], row["school_days_taken"]) == (
        "offered_service", "2026-06-03", BATH_HEAD.user_id, 14, 5)
    assert row["referred_by_organisation_id"] == BATH_SENCO.organisation_id
    assert (row["expected_wait_school_days"], row["within_expected_wait"]) == (10, True)


async def test_a_decision_by_someone_not_on_the_panel_is_refused(world: World) -> None:
    world.today = date(2026, 6, 10)
    await _three_panels(world)
    referral = str(uuid4())
    await _ok(await world.post(BATH_SENCO, f"/v1/panels/{BATH}/referrals", referral_id=referral,
                               pupil_ref=str(uuid4()), phase="secondary", service_id="svc-outreach",
                               referred_on="2026-06-01"))
    before = await world.event_count()
    path = f"/v1/panels/{BATH}/referrals/{referral}/decision"
    # Another panel's member: their organisation does not sit on this panel (the policy refuses).
    other_panel = await world.post(KEYNSHAM_HEAD, path, decision="declined", decided_on="2026-06-05")
    assert (other_panel.status_code, other_panel.json()["rule"]) == (403, "COMM-PANEL-2")
    # A colleague of a member, from an organisation that sits on the panel, is not a member (the domain refuses).
    colleague = await world.post(BATH_DEPUTY, path, decision="declined", decided_on="2026-06-05")
    assert (colleague.status_code, colleague.json()["rule"]) == (403, "panel.decided_by_member")
    # Naming the member in the body changes nothing: the body cannot say who decides.
    forged = await world.post(BATH_DEPUTY, path, decision="declined", decided_on="2026-06-05",
                              decided_by=BATH_HEAD.user_id)
    assert forged.status_code == 422
    assert await world.event_count() == before


async def test_a_fair_access_case_placed_across_a_bank_holiday_and_a_half_term(world: World) -> None:
    world.today = date(2026, 6, 10)
    await _three_panels(world)
    case = str(uuid4())
    await _ok(await world.post(OFFICER, f"/v1/panels/{BATH}/fair-access-cases", case_id=case, pupil_ref=str(uuid4()),
                               phase="secondary", without_place_since="2026-04-27", opened_on="2026-04-28"))
    closure = f"/v1/panels/{BATH}/fair-access-cases/{case}/closure"
    before = await world.event_count()
    silent = await world.post(BATH_HEAD, closure, closed_on="2026-06-08")
    assert (silent.status_code, silent.json()["rule"]) == (422, "fair_access.closed_with_placement_or_reason")
    assert await world.event_count() == before
    await _ok(await world.post(BATH_HEAD, closure, closed_on="2026-06-08", placed_at="school-demo-secondary",
                               placed_on="2026-06-08"))

    # By hand from the example calendar, school days without a place from Monday 27 April to the first day
    # at the new school, Monday 8 June 2026: 27 Apr-1 May 5; Monday 4 May the early May bank holiday, 5-8 May
    # 4; 11-15 May 5; 18-22 May 5 (summer 1 ends on the 22nd); 25-29 May half term (and the spring bank
    # holiday) 0; 1-5 June 5: 24 school days, 30 weekdays.
    by_hand = 5 + 4 + 5 + 5 + 0 + 5
    panel = await _ok(await world.get(OFFICER, f"/v1/panels/{BATH}"))
    [row] = panel["fair_access_cases"]
    assert (row["school_days_without_place"], row["beyond_expectation"], row["bands"], row["open"]) == (
        by_hand, True, [], False)

    table = await _ok(await world.get(OFFICER, f"/v1/local-authorities/{LA}/fair-access-table"))
    rows = {r["panel_name"]: r for r in table["rows"]}
    assert (rows["Bath Panel"]["cases"], rows["Bath Panel"]["beyond_expectation"]) == (1, 1)
    assert (table["bands_are"], table["thresholds"], table["expectation_school_days"]) == (
        "cumulative", [38, 69, 100], 20)
    assert table["counted_with"] == "la-demo-county"  # the LA's recorded term dates (the example's dates, recorded)


async def test_the_fair_access_table_has_the_seeds_shape_with_bands_as_parameters(world: World) -> None:
    world.today = date(2026, 7, 23)
    await _three_panels(world)
    for panel, since in ((BATH, "2026-03-23"), (KEYNSHAM, "2026-06-01")):
        await _ok(await world.post(OFFICER, f"/v1/panels/{panel}/fair-access-cases", case_id=str(uuid4()),
                                   pupil_ref=str(uuid4()), phase="primary", without_place_since=since,
                                   opened_on=since))
    # Still open on 23 July. Bath from Monday 23 March: 23-27 Mar 5, Easter 30 Mar-10 Apr 0, 13 Apr-1 May 15,
    # 5-8 May 4 (bank holiday on the 4th), 11-22 May 10, half term 0, 1 Jun-17 Jul 35, 20-22 Jul 3: 72.
    # Keynsham from Monday 1 June: 35 + 3 = 38.
    cumulative = await _ok(await world.get(OFFICER, f"/v1/local-authorities/{LA}/fair-access-table"))
    rows = {r["panel_name"]: r["by_band"] for r in cumulative["rows"]}
    assert rows == {"Bath Panel": {"38": 1, "69": 1, "100": 0},
                    "Keynsham and Chew Valley Panel": {"38": 1, "69": 0, "100": 0}}
    assert cumulative["total"]["by_band"] == {"38": 2, "69": 1, "100": 0}
    exclusive = await _ok(await world.api.get(f"/v1/local-authorities/{LA}/fair-access-table",
                                              params={"cumulative": "false"}, headers=OFFICER.headers))
    assert (exclusive["bands_are"], exclusive["total"]["by_band"]) == ("exclusive", {"38": 1, "69": 1, "100": 0})
    bad = await world.api.get(f"/v1/local-authorities/{LA}/fair-access-table",
                              params=[("band", "69"), ("band", "38")], headers=OFFICER.headers)
    assert bad.status_code == 422


async def test_members_see_their_own_panels_cases_only(world: World) -> None:
    world.today = date(2026, 6, 10)
    await _three_panels(world)
    await _ok(await world.post(OFFICER, f"/v1/panels/{BATH}/fair-access-cases", case_id=str(uuid4()),
                               pupil_ref=str(uuid4()), phase="primary", without_place_since="2026-06-01",
                               opened_on="2026-06-02"))
    assert (await world.get(BATH_HEAD, f"/v1/panels/{BATH}")).status_code == 200
    assert (await world.get(KEYNSHAM_HEAD, f"/v1/panels/{KEYNSHAM}")).status_code == 200
    assert (await world.get(KEYNSHAM_HEAD, f"/v1/panels/{BATH}")).status_code == 403
    assert (await world.get(KEYNSHAM_HEAD, f"/v1/panels/{BATH}/fair-access-table")).status_code == 403
    assert (await world.get(KEYNSHAM_HEAD, f"/v1/local-authorities/{LA}/fair-access-table")).status_code == 403
    assert (await world.post(KEYNSHAM_HEAD, f"/v1/panels/{BATH}/fair-access-cases", case_id=str(uuid4()),
                             pupil_ref=str(uuid4()), phase="primary", without_place_since="2026-06-01",
                             opened_on="2026-06-02")).status_code == 403
    own = await _ok(await world.get(BATH_HEAD, f"/v1/panels/{BATH}/fair-access-table"))
    assert [r["panel_name"] for r in own["rows"]] == ["Bath Panel"]


async def test_children_outside_school_and_capacity_against_demand(world: World) -> None:
    world.today = date(2026, 10, 1)
    await _three_panels(world)
    case = str(uuid4())
    await _ok(await world.post(OFFICER, f"/v1/panels/{COSP}/outside-school-cases", case_id=case,
                               pupil_ref=str(uuid4()), phase="secondary", reason="part_time_timetable",
                               opened_on="2026-09-16"))
    outcome = f"/v1/panels/{COSP}/outside-school-cases/{case}/outcome"
    no_school = await world.post(BATH_HEAD, outcome, outcome="school_place_recommended", recorded_on="2026-09-30")
    assert (no_school.status_code, no_school.json()["rule"]) == (422, "panel.outcome_names_school")
    await _ok(await world.post(BATH_HEAD, outcome, outcome="school_place_recommended",
                               school_id="school-demo-secondary", recorded_on="2026-09-30"))
    [row] = (await _ok(await world.get(OFFICER, f"/v1/panels/{COSP}")))["outside_school_cases"]
    assert (row["outcome"], row["school_id"]) == ("school_place_recommended", "school-demo-secondary")

    await _ok(await world.post(OFFICER, f"/v1/capacity/{LA}/2026-27/places", provider_id="prov-aspire",
                               phase="secondary", places=2))
    for _ in range(3):
        await _ok(await world.post(BATH_SENCO, f"/v1/panels/{BATH}/referrals", referral_id=str(uuid4()),
                                   pupil_ref=str(uuid4()), phase="secondary", service_id="svc-outreach",
                                   referred_on="2026-09-21"))
    capacity = await _ok(await world.get(OFFICER, f"/v1/capacity/{LA}/2026-27"))
    by_phase = {r["phase"]: r for r in capacity["by_phase"]}
    assert (by_phase["secondary"]["places_commissioned"], by_phase["secondary"]["referrals"],
            by_phase["secondary"]["shortfall"]) == (2, 3, 1)
    assert capacity["places"] == [{"provider_id": "prov-aspire", "phase": "secondary", "places": 2,
                                   "source": "recorded"}]
    assert (await world.get(BATH_HEAD, f"/v1/capacity/{LA}/2026-27")).status_code == 403


async def test_places_come_from_the_agreement_in_force_before_recorded_places(world: World) -> None:
    world.today = date(2026, 10, 1)
    la_commissioner = Caller("la-commissioner-1", LA, OrgKind.LOCAL_AUTHORITY, Role.COMMISSIONER)
    sla = f"/v1/slas/{PROVISION}/{LA}"
    await _ok(await world.post(la_commissioner, f"{sla}/versions", version=1, terms=terms()))
    for party in (PROVIDER_MANAGER, la_commissioner):
        await _ok(await world.post(party, f"{sla}/versions/1/signatures"))
    # Recorded places for the same provider give way to its agreement; another provider's stand.
    await _ok(await world.post(OFFICER, f"/v1/capacity/{LA}/2026-27/places", provider_id=PROVISION,
                               phase="primary", places=99))
    await _ok(await world.post(OFFICER, f"/v1/capacity/{LA}/2026-27/places", provider_id="prov-aspire",
                               phase="secondary", places=23))
    capacity = await _ok(await world.get(OFFICER, f"/v1/capacity/{LA}/2026-27"))
    assert sorted((p["provider_id"], p["phase"], p["places"], p["source"]) for p in capacity["places"]) == [
        (PROVISION, "primary", 8, "sla"), ("prov-aspire", "secondary", 23, "recorded")]
    by_phase = {r["phase"]: r["places_commissioned"] for r in capacity["by_phase"]}
    assert by_phase == {"primary": 8, "secondary": 23}
