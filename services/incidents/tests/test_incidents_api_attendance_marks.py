"""A day's attendance marks at a provision through the incidents API (issue 16, the register page): each pupil
placed there that day with the morning and afternoon marks as they stand now (an amended code replaces the first,
naming who amended it; a withdrawn mark is not shown), read from the attendance-marks read model. Only the
provision's own staff read it; another provision's staff, a provision id naming another provision, a date in bad
form and a pupil whose placement ended are each tried."""

from __future__ import annotations

from datetime import date

import pytest

from ap_contracts.events.pupil_vocabulary import AttendanceCode, Session
from ap_incidents.domain.identity import record_id_for

from .conftest import OTHER_PROVISION, PROVISION, ApiStory, RunningProjections, ServiceUnderTest, problem_of

pytestmark = pytest.mark.integration

MARKED_ON = date(2025, 3, 4)


async def _day(service: ServiceUnderTest, who: str, day: str, provision: str = PROVISION) -> dict[str, object]:
    response = await service.client.get(f"/v1/provisions/{provision}/attendance/{day}", headers=service.headers(who))
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def _pupil(day: dict[str, object], story: ApiStory) -> dict[str, object] | None:
    pupils = day["pupils"]
    assert isinstance(pupils, list)
    return next((p for p in pupils if p["pupil_ref"] == str(story.pupil_ref)), None)


async def test_the_day_shows_each_mark_as_it_stands_with_who_recorded_and_corrected_it(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.placed()
    morning = api_story.cmd.record_attendance(session_date=MARKED_ON, session=Session.AM,
                                              code=AttendanceCode.PRESENT_AM)
    afternoon = api_story.cmd.record_attendance(session_date=MARKED_ON, session=Session.PM,
                                                code=AttendanceCode.PRESENT_PM)
    await api_story.ok(morning, "provider_staff")
    await api_story.ok(afternoon, "provider_staff")
    await api_story.ok(api_story.cmd.amend(record_id_for(afternoon.command_id), {"code": "O"}), "provider_manager",
                       purpose="record_correction")
    await projections.caught_up()
    for who in ("provider_staff", "provider_manager"):
        pupil = _pupil(await _day(service, who, MARKED_ON.isoformat()), api_story)
        assert pupil is not None, who
        am, pm = pupil["am"], pupil["pm"]
        assert isinstance(am, dict) and isinstance(pm, dict)
        assert (am["code"], am["recorded_by"], am["amended_by"]) == ("/", "provider_staff-user", None)
        assert am["record_id"] == str(record_id_for(morning.command_id)) and am["recorded_at"]
        assert (pm["code"], pm["recorded_by"]) == ("O", "provider_staff-user")
        assert pm["amended_by"] == "provider_manager-user" and pm["amended_at"]
    # The next day, nothing is marked yet: the pupil is listed with no marks.
    assert _pupil(await _day(service, "provider_staff", "2025-03-05"), api_story) == {
        "pupil_ref": str(api_story.pupil_ref), "placement_id": str(api_story.placement_id), "am": None, "pm": None}


async def test_a_withdrawn_mark_is_not_shown_and_the_session_reads_as_not_marked(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.placed()
    mark = api_story.cmd.record_attendance(session_date=MARKED_ON)
    await api_story.ok(mark, "provider_staff")
    await api_story.ok(api_story.cmd.withdraw(record_id_for(mark.command_id)), "provider_manager",
                       purpose="record_correction")
    await projections.caught_up()
    pupil = _pupil(await _day(service, "provider_staff", MARKED_ON.isoformat()), api_story)
    assert pupil is not None and pupil["am"] is None and pupil["pm"] is None


async def test_a_pupil_whose_placement_ended_is_listed_only_on_days_of_the_placement(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.placed()
    await api_story.ok(api_story.cmd.record_attendance(session_date=MARKED_ON), "provider_staff")
    await api_story.ok(api_story.cmd.confirm_reintegration(confirmed_on=date(2025, 3, 5)), "home_staff")
    await api_story.ok(api_story.cmd.end_placement(end_date=date(2025, 3, 5)), "commissioner")
    await projections.caught_up()
    before = _pupil(await _day(service, "provider_staff", MARKED_ON.isoformat()), api_story)
    assert before is not None and isinstance(before["am"], dict) and before["am"]["code"] == "/"
    assert _pupil(await _day(service, "provider_staff", "2025-03-06"), api_story) is None
    assert _pupil(await _day(service, "provider_staff", "2025-01-10"), api_story) is None  # before it started


@pytest.mark.parametrize("who", ["other_provider_staff", "other_provider_manager", "head", "home_staff",
                                 "commissioner", "la_officer", "provider_dsl"])
async def test_nobody_but_the_provisions_own_staff_reads_its_day(
        api_story: ApiStory, service: ServiceUnderTest, who: str) -> None:
    response = await service.client.get(f"/v1/provisions/{PROVISION}/attendance/{MARKED_ON}",
                                        headers=service.headers(who))
    assert response.status_code == 403, (who, response.text)
    assert problem_of(response)["type"].endswith("access-denied"), response.text


async def test_a_provision_id_naming_another_provision_reads_nothing_of_either(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    """Staff of the north provision naming the south one (or one that does not exist) are refused, and the south
    provision's own staff do not see the north's pupil under their id."""
    await api_story.placed()
    await api_story.ok(api_story.cmd.record_attendance(session_date=MARKED_ON), "provider_staff")
    await projections.caught_up()
    for provision in (OTHER_PROVISION, "provision-made-up"):
        response = await service.client.get(f"/v1/provisions/{provision}/attendance/{MARKED_ON}",
                                            headers=service.headers("provider_staff"))
        assert response.status_code == 403, (provision, response.text)
    theirs = await _day(service, "other_provider_staff", MARKED_ON.isoformat(), OTHER_PROVISION)
    assert _pupil(theirs, api_story) is None


@pytest.mark.parametrize("day", ["2025-13-01", "10-03-2025", "today", "2025-02-30"])
async def test_a_date_in_bad_form_is_refused_naming_the_field(service: ServiceUnderTest, day: str) -> None:
    response = await service.client.get(f"/v1/provisions/{PROVISION}/attendance/{day}",
                                        headers=service.headers("provider_staff"))
    assert response.status_code == 422, response.text
    assert [e["field"] for e in problem_of(response)["errors"]] == ["session_date"], response.text
