"""The panels of an area through the commissioning API on the real PostgreSQL (issue 16): the local authority's
officer lists every panel it constituted with how many referrals await a decision and Fair Access cases are open;
a school sitting on one panel lists that panel only; another authority's officer, naming this authority in the
path, gets an empty list, as for an area with no panels, and no case is ever named in the list."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role

from .conftest import Caller, World
from .test_commissioning_panels_http import (
    BATH,
    BATH_SENCO,
    COSP,
    KEYNSHAM,
    KEYNSHAM_HEAD,
    LA,
    OFFICER,
    _ok,
    _three_panels,
)

OTHER_OFFICER = Caller("la-officer-9", "la-demo-elsewhere", OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)


async def _cases(world: World) -> str:
    """A referral awaiting a decision and an open Fair Access case on the Bath panel; the referred child."""
    pupil = str(uuid4())
    await _ok(await world.post(BATH_SENCO, f"/v1/panels/{BATH}/referrals", referral_id=str(uuid4()),
                               pupil_ref=pupil, phase="primary", service_id="svc-outreach", referred_on="2026-06-01"))
    await _ok(await world.post(OFFICER, f"/v1/panels/{BATH}/fair-access-cases", case_id=str(uuid4()),
                               pupil_ref=str(uuid4()), phase="secondary", without_place_since="2026-05-01",
                               opened_on="2026-05-04"))
    return pupil


async def test_the_officer_lists_the_areas_panels_with_counts_and_no_child(world: World) -> None:
    world.today = date(2026, 6, 10)
    await _three_panels(world)
    pupil = await _cases(world)
    answer = await world.get(OFFICER, f"/v1/local-authorities/{LA}/panels")
    body = await _ok(answer)
    rows = {p["panel_id"]: (p["name"], p["kind"], p["referrals_awaiting_decision"], p["open_fair_access_cases"])
            for p in body["panels"]}
    assert rows == {
        BATH: ("Bath Panel", "behaviour_attendance", 1, 1),
        KEYNSHAM: ("Keynsham and Chew Valley Panel", "behaviour_attendance", 0, 0),
        COSP: ("Children Outside of School Panel", "children_outside_school", 0, 0),
    }
    assert pupil not in answer.text


async def test_a_member_school_lists_its_own_panel_only(world: World) -> None:
    world.today = date(2026, 6, 10)
    await _three_panels(world)
    body = await _ok(await world.get(KEYNSHAM_HEAD, f"/v1/local-authorities/{LA}/panels"))
    assert [p["panel_id"] for p in body["panels"]] == [KEYNSHAM]


async def test_another_authoritys_officer_naming_this_area_learns_nothing(world: World) -> None:
    world.today = date(2026, 6, 10)
    await _three_panels(world)
    await _cases(world)
    forged = await _ok(await world.get(OTHER_OFFICER, f"/v1/local-authorities/{LA}/panels"))
    own = await _ok(await world.get(OTHER_OFFICER, "/v1/local-authorities/la-demo-elsewhere/panels"))
    assert (forged["panels"], own["panels"]) == ([], [])
