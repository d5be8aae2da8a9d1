"""A governing board's reinstatement of a suspension through the incidents API, over real Kafka and real
PostgreSQL (issue 16 follow-up): with the LA's term dates recorded, a suspension taking the term over 15 school
days leaves the exclusions-for-board list once reinstated; a 2-day suspension is refused by its rule
(board_decision.suspension_before_board). Another school's head, another LA's officer, a provider and the
commissioner are refused, a forged field is a 422 naming it, another pupil's suspension is unknown, an amended
meeting day before the suspension or after today is refused by the decision's rules; nothing is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from uuid import uuid4

import pytest
import pytest_asyncio

from ap_incidents.domain.commands import PupilCommand
from ap_incidents.projections import ExclusionsForBoardProjection

from .conftest import LOCAL_AUTHORITY, ApiStory, RunningProjections, ServiceUnderTest, problem_of, running_projections
from .test_incidents_api_term_dates import fresh, term_dates

pytestmark = pytest.mark.integration
__all__ = ["fresh"]  # a service of its own: its term dates reach no other test

SUSPENDED_FROM = date(2025, 3, 10)  # a Monday of spring 2 in the example calendar
MET_ON = date(2025, 3, 24)


@pytest_asyncio.fixture(loop_scope="session")
async def board(fresh: ServiceUnderTest) -> AsyncIterator[RunningProjections]:
    async with running_projections(fresh, (ExclusionsForBoardProjection,)) as running:
        yield running


async def only_the_school_decides(story: ApiStory, decision: PupilCommand, route: str) -> None:
    """Another school's head, either LA's officer, a provider and the commissioner are refused a board's
    decision; the school forging another home school gets a 422 naming the field."""
    service = story.service
    for who in ("other_head", "other_la_officer", "la_officer", "provider_manager", "commissioner"):
        response = await story.send(decision, who)
        assert response.status_code in (403, 404), (who, response.text)
    forged = await service.client.post(f"/v1/pupils/{story.pupil_ref}/{route}", headers=service.headers("head"),
                                       json={**decision.model_dump(mode="json", exclude={"pupil_ref"}),
                                             "home_school_id": "school-other-2"})
    assert forged.status_code == 422 and "home_school_id" in forged.text, forged.text


async def _awaiting(board: RunningProjections) -> list[str]:
    await board.caught_up()
    service = board.service
    response = await service.client.get(f"/v1/local-authorities/{LOCAL_AUTHORITY}/exclusions-awaiting-decision",
                                        params={"on": "2025-03-24"}, headers=service.headers("la_officer"))
    assert response.status_code == 200, response.text
    return [row["pupil_ref"] for row in response.json()["exclusions"]]


async def test_the_school_records_its_boards_reinstatement_of_a_long_suspension_only(
        fresh: ServiceUnderTest, board: RunningProjections) -> None:
    assert (await fresh.send(term_dates(), "la_officer")).status_code == 201
    story, brief = await ApiStory(fresh).registered(), await ApiStory(fresh).registered()
    suspension = (await story.ok(story.cmd.suspend(first_day=SUSPENDED_FROM, duration_half_days=32),
                                 "head"))["event_ids"][0]
    short = (await brief.ok(brief.cmd.suspend(first_day=SUSPENDED_FROM, duration_half_days=4), "head"))["event_ids"][0]
    assert str(story.pupil_ref) in await _awaiting(board)
    before = await fresh.stream_length(brief.stream)
    refused = await brief.send(brief.cmd.reinstate(short, board_met_on=MET_ON), "head")
    assert (refused.status_code, problem_of(refused)["rule"]) == (409, "board_decision.suspension_before_board")
    assert await fresh.stream_length(brief.stream) == before, "a refusal stored something"

    await story.ok(story.cmd.reinstate(suspension, board_met_on=MET_ON), "head")
    assert str(story.pupil_ref) not in await _awaiting(board)
    again = await story.send(story.cmd.uphold(suspension, board_met_on=MET_ON), "head")
    assert (again.status_code, problem_of(again)["rule"]) == (409, "board_decision.once")


async def test_nobody_else_reinstates_and_an_amended_meeting_day_is_checked(
        fresh: ServiceUnderTest, board: RunningProjections) -> None:
    assert (await fresh.send(term_dates(), "la_officer")).status_code == 201
    story, other = await ApiStory(fresh).registered(), await ApiStory(fresh).registered()
    suspension = (await story.ok(story.cmd.suspend(first_day=SUSPENDED_FROM, duration_half_days=32),
                                 "head"))["event_ids"][0]
    elsewhere = (await other.ok(other.cmd.suspend(first_day=SUSPENDED_FROM, duration_half_days=32),
                                "head"))["event_ids"][0]
    before = await fresh.stream_length(story.stream)
    reinstated = story.cmd.reinstate(suspension, board_met_on=MET_ON)
    await only_the_school_decides(story, reinstated, "reinstatements")
    unknown = await story.send(story.cmd.reinstate(elsewhere, board_met_on=MET_ON, command_id=uuid4()), "head")
    assert (unknown.status_code, problem_of(unknown)["rule"]) == (422, "reinstatement.exclusion_exists")
    assert await fresh.stream_length(story.stream) == before, "a refusal stored something"
    assert str(story.pupil_ref) in await _awaiting(board)

    decision = (await story.ok(reinstated, "head"))["event_ids"][0]
    before = await fresh.stream_length(story.stream)
    for day, rule in ((SUSPENDED_FROM - timedelta(days=1), "record.dates_in_order"),
                      (date.today() + timedelta(days=1), "record.not_in_future")):
        amended = await story.send(story.cmd.amend(decision, {"board_met_on": day.isoformat()}), "head",
                                   purpose="record_correction")
        assert (amended.status_code, problem_of(amended)["rule"]) == (422, rule), amended.text
    assert await fresh.stream_length(story.stream) == before, "a refused amendment stored something"
    await story.ok(story.cmd.amend(decision, {"board_met_on": "2025-03-25"}), "head", purpose="record_correction")
