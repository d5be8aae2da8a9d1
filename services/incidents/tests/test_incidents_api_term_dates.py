"""Term dates kept through the incidents API (issue 13): an LA records its area's year, a provision its own INSET
day, and the half-termly review counts with what they recorded (nothing configured in the service). Bad input is a
422 naming the field; dates that overlap, run backwards or put an INSET day in a holiday are refused under the
calendar's rule; nobody records another organisation's dates; a refusal stores nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any
from uuid import uuid4

import httpx
import pytest
import pytest_asyncio

from ap_contracts.events.organisations import HalfTermDates
from ap_incidents.domain import command_models as c
from ap_incidents.domain.identity import organisation_stream_id

from .conftest import HOME_SCHOOL, LOCAL_AUTHORITY, PROVISION, ApiStory, ServiceUnderTest, problem_of, serving_incidents
from .test_incidents_review_school_days import CALENDAR, INSET, LAST_SCHOOL_DAY_OF_SUMMER_1, YEAR

pytestmark = pytest.mark.integration

HALF_TERMS = tuple(HalfTermDates(term=h.term, half=1 if h.half == 1 else 2, first_day=h.first_day,
                                 last_day=h.last_day) for h in CALENDAR.half_terms)


def term_dates(organisation_id: str = LOCAL_AUTHORITY, **changes: Any) -> c.RecordTermDates:
    values: dict[str, Any] = {"command_id": uuid4(), "organisation_id": organisation_id, "academic_year": YEAR,
                              "half_terms": HALF_TERMS, "inset_days": (INSET,)}
    return c.RecordTermDates(**(values | changes))


@pytest_asyncio.fixture(loop_scope="session")
async def fresh(new_database: Callable[[str], Any], new_topic: Callable[..., Any],
                kafka_bootstrap: str) -> AsyncIterator[ServiceUnderTest]:
    """A service of its own: the term dates recorded here must not reach other tests' reviews."""
    dsns = {name: await new_database(f"incidents_cal_{name}") for name in ("events", "audit", "keys")}
    async with serving_incidents(dsns, await new_topic("incidents-cal-events"), kafka_bootstrap) as under_test:
        yield under_test


async def _refused(service: ServiceUnderTest, command: c.RecordTermDates, who: str) -> httpx.Response:
    stream = organisation_stream_id(command.organisation_id)
    before = await service.stream_length(stream)
    response: httpx.Response = await service.send(command, who)
    assert await service.stream_length(stream) == before, "a refusal stored something"
    return response


async def test_reviews_count_with_the_term_dates_the_la_and_the_provision_record(fresh: ServiceUnderTest) -> None:
    too_soon_for_56_days = ApiStory(fresh)
    await too_soon_for_56_days.placed()
    refused = await too_soon_for_56_days.send(too_soon_for_56_days.cmd.review(
        next_review_date=LAST_SCHOOL_DAY_OF_SUMMER_1), "commissioner")
    assert refused.status_code == 422 and problem_of(refused)["rule"] == "placement.reviewed_half_termly"

    recorded = await fresh.send(term_dates(), "la_officer")
    assert recorded.status_code == 201, recorded.text
    assert len(recorded.json()["event_ids"]) == 1, recorded.text
    story = ApiStory(fresh)
    await story.placed()
    assert await story.ok(story.cmd.review(next_review_date=LAST_SCHOOL_DAY_OF_SUMMER_1), "commissioner")

    # The provision keeps 22 May 2025 as an INSET day of its own: its reviews fall due the day before.
    own = await fresh.send(term_dates(PROVISION, half_terms=(), inset_days=(LAST_SCHOOL_DAY_OF_SUMMER_1,)),
                           "provider_manager")
    assert own.status_code == 201, own.text
    later = ApiStory(fresh)
    await later.placed()
    response = await later.send(later.cmd.review(next_review_date=LAST_SCHOOL_DAY_OF_SUMMER_1), "commissioner")
    assert response.status_code == 422, response.text
    assert "on or before 2025-05-21" in problem_of(response)["detail"]
    assert await later.ok(later.cmd.review(next_review_date=date(2025, 5, 21)), "commissioner")


@pytest.mark.parametrize(("who", "organisation_id"), [
    ("other_head", HOME_SCHOOL),  # a school recording for another school
    ("head", LOCAL_AUTHORITY),  # a school recording its LA's dates
    ("la_officer", HOME_SCHOOL),  # an LA recording a school's own dates
    ("other_la_officer", LOCAL_AUTHORITY),  # an LA recording another area's dates
    ("provider_staff", PROVISION),  # staff who are not the provision's manager
    ("commissioner", LOCAL_AUTHORITY),
])
async def test_nobody_records_another_organisations_term_dates(service: ServiceUnderTest, who: str,
                                                               organisation_id: str) -> None:
    inset = () if organisation_id != LOCAL_AUTHORITY else (INSET,)
    halves = HALF_TERMS if organisation_id == LOCAL_AUTHORITY else ()
    response = await _refused(service, term_dates(organisation_id, half_terms=halves, inset_days=inset), who)
    assert response.status_code == 403, response.text


async def test_term_dates_that_run_backwards_overlap_or_put_an_inset_day_in_a_holiday_are_refused(
    service: ServiceUnderTest,
) -> None:
    backwards = (HALF_TERMS[0].model_copy(update={"first_day": date(2024, 10, 25), "last_day": date(2024, 9, 4)}),
                 *HALF_TERMS[1:])
    overlapping = (HALF_TERMS[0], HALF_TERMS[1].model_copy(update={"first_day": date(2024, 10, 21)}),
                   *HALF_TERMS[2:])
    for command, rule in (
        (term_dates(half_terms=backwards), "calendar.term_dates_in_order"),
        (term_dates(half_terms=overlapping), "calendar.terms_do_not_overlap"),
        (term_dates(inset_days=(date(2024, 10, 29),)), "calendar.inset_days_in_terms"),
        (term_dates(half_terms=HALF_TERMS[:5]), "calendar.whole_year"),
        (term_dates(HOME_SCHOOL, half_terms=(), inset_days=(date(2024, 12, 27),)), "calendar.inset_days_in_terms"),
    ):
        who = "la_officer" if command.organisation_id == LOCAL_AUTHORITY else "head"
        response = await _refused(service, command, who)
        assert response.status_code == 422, response.text
        assert problem_of(response)["rule"] == rule, response.text


async def test_a_malformed_body_is_a_422_naming_the_field(service: ServiceUnderTest) -> None:
    path = f"/v1/organisations/{LOCAL_AUTHORITY}/term-dates"
    good = term_dates().model_dump(mode="json")
    del good["organisation_id"]
    for field, bad in (("academic_year", "2024-26"), ("academic_year", "0000-01"), ("academic_year", "9999-00"),
                       ("half_terms", [{**good["half_terms"][0], "half": 3}]),
                       ("inset_days", ["the first monday"])):
        before = await service.stream_length(organisation_stream_id(LOCAL_AUTHORITY))
        response = await service.client.post(path, json={**good, field: bad}, headers=service.headers("la_officer"))
        assert response.status_code == 422, response.text
        assert any(problem["field"].startswith(field) for problem in problem_of(response)["errors"]), response.text
        assert await service.stream_length(organisation_stream_id(LOCAL_AUTHORITY)) == before


async def test_a_suspension_counts_on_the_home_schools_recorded_calendar(fresh: ServiceUnderTest) -> None:
    story = ApiStory(fresh)
    await story.registered()
    await story.ok(story.cmd.suspend(first_day=date(2025, 4, 2), duration_half_days=12), "head")
    assert (await fresh.send(term_dates(), "la_officer")).status_code == 201
    await story.ok(story.cmd.suspend(first_day=date(2025, 5, 1), duration_half_days=12), "head")
    rows = await fresh.deps.events_pool.fetch(
        "SELECT payload FROM events WHERE stream_id = $1 AND event_type = 'SuspensionIssued' ORDER BY position",
        story.stream)
    before, after = (json.loads(r["payload"]) for r in rows)
    assert before.get("full_time_education_from") is None  # no calendar recorded yet: nothing counted
    # Thursday 1 May 2025: 1, 2, (bank holiday 5 May) 6, 7, 8, 9 May; 6 days in the summer term.
    assert (after["full_time_education_from"], after["term"], after["governors_duty"]) == (
        "2025-05-09", "2024-25 summer", "consider_representations")


async def test_the_recorded_term_dates_are_read_back_year_by_year(fresh: ServiceUnderTest) -> None:
    assert (await fresh.send(term_dates(inset_days=()), "la_officer")).status_code == 201
    assert (await fresh.send(term_dates(), "la_officer")).status_code == 201  # the year again: it replaces it
    for who in ("la_officer", "head", "provider_staff", "commissioner"):
        response = await fresh.client.get(f"/v1/organisations/{LOCAL_AUTHORITY}/term-dates",
                                          headers=fresh.headers(who))
        assert response.status_code == 200, (who, response.text)
        [year] = response.json()["years"]
        assert (year["academic_year"], year["inset_days"], len(year["half_terms"])) == (YEAR, [INSET.isoformat()], 6)
    refused = await fresh.client.get(f"/v1/organisations/{LOCAL_AUTHORITY}/term-dates",
                                     headers=fresh.headers("partnership_lead"))
    assert refused.status_code == 403, refused.text
