"""Issue 13 through the incidents API on the real servers: the half-termly review is judged on the
provision's LA school calendar (rule book england-2026.1). A review held in spring 2 may set the next
by the last school day of summer 1, across the Easter holiday, but not on the INSET day or the bank
holiday that end that half term; the refusal names the rule and records nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
import pytest_asyncio

from ap_incidents.entrypoints.api import create_app
from ap_runtime.school_days import SchoolCalendars

from .conftest import LOCAL_AUTHORITY, ApiStory, ServiceUnderTest, problem_of
from .test_incidents_review_school_days import CALENDAR, INSET, LAST_SCHOOL_DAY_OF_SUMMER_1, SUMMER_1

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(loop_scope="session")
async def with_calendar(service: ServiceUnderTest) -> AsyncIterator[ServiceUnderTest]:
    """The same service (databases, tokens, registered organisations), its provision's LA keeping CALENDAR."""
    deps = replace(service.deps, calendars=SchoolCalendars(by_area={LOCAL_AUTHORITY: CALENDAR}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)),
                                 base_url="http://incidents") as client:
        yield replace(service, deps=deps, client=client)


async def test_the_next_review_is_due_by_the_last_school_day_of_the_next_half_term(
    with_calendar: ServiceUnderTest,
) -> None:
    story = await ApiStory(with_calendar).placed()
    for too_late in (INSET, SUMMER_1.last_day):
        async with with_calendar.nothing_recorded(story.stream):
            response = await story.send(story.cmd.review(next_review_date=too_late), "commissioner")
        assert response.status_code == 422, response.text
        problem = problem_of(response)
        assert problem["rule"] == "placement.reviewed_half_termly", problem
        assert "2025-05-22" in problem["detail"] and "2024-25 summer 1" in problem["detail"], problem
    held = await story.ok(story.cmd.review(next_review_date=LAST_SCHOOL_DAY_OF_SUMMER_1), "commissioner")
    assert held


async def test_the_same_review_on_the_service_without_a_calendar_keeps_the_56_days(service: ServiceUnderTest) -> None:
    story = await ApiStory(service).placed()
    response = await story.send(story.cmd.review(next_review_date=LAST_SCHOOL_DAY_OF_SUMMER_1), "commissioner")
    assert response.status_code == 422 and problem_of(response)["rule"] == "placement.reviewed_half_termly"
