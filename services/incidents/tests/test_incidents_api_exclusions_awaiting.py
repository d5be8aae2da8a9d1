"""The exclusions awaiting the governing board in an LA's schools, through the incidents API, read from the
exclusions-for-board projection running over real Kafka into real PostgreSQL (issue 16): with the LA's term dates
recorded, a permanent exclusion and a suspension taking the term over 15 school days are listed with the board's
due day counted by hand on that calendar; past it with no decision they stay listed, marked overdue; a reinstated
or upheld exclusion, one withdrawn in error and a short suspension are not listed; no name is shown. Another LA's
officer naming this LA in the path, a commissioning body and the school are refused (403); that officer's own area
lists none of these pupils. Recording the board's decision: another school's head, another LA's officer and a
provider are refused, a forged field is a 422 naming it, another pupil's exclusion is unknown; nothing is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
import pytest_asyncio

from ap_incidents.projections import ExclusionsForBoardProjection

from .conftest import (
    LOCAL_AUTHORITY,
    OTHER_LOCAL_AUTHORITY,
    ApiStory,
    RunningProjections,
    ServiceUnderTest,
    problem_of,
    running_projections,
)
from .test_incidents_api_suspension_reinstated import only_the_school_decides
from .test_incidents_api_term_dates import fresh, term_dates

pytestmark = pytest.mark.integration
__all__ = ["fresh"]  # a service of its own, shared with the term dates test: its term dates reach no other test

PATH = "/v1/local-authorities/{}/exclusions-awaiting-decision"
DECIDED = date(2025, 3, 20)  # a Thursday of spring 2 in the example calendar
# By hand: Fri 21 Mar (1), 24-28 Mar (2-6), 31 Mar-4 Apr (7-11), Easter holidays to Mon 21 Apr, 22-25 Apr (12-15).
PERMANENT_DUE = "2025-04-25"
SUSPENDED_FROM = date(2025, 3, 10)
# By hand from Monday 10 March: 11-14 Mar (1-4), 17-21 (5-9), 24-28 (10-14), Mon 31 Mar (15).
SUSPENSION_DUE = "2025-03-31"


@pytest_asyncio.fixture(loop_scope="session")
async def board(fresh: ServiceUnderTest) -> AsyncIterator[RunningProjections]:
    """The exclusions-for-board read model consuming the fresh service's topic."""
    async with running_projections(fresh, (ExclusionsForBoardProjection,)) as running:
        yield running


async def _listed(board: RunningProjections, on: str, who: str = "la_officer") -> list[dict[str, Any]]:
    await board.caught_up()
    service = board.service
    response = await service.client.get(PATH.format(LOCAL_AUTHORITY), params={"on": on},
                                        headers=service.headers(who))
    assert response.status_code == 200, response.text
    assert "Test Pupil" not in response.text
    body: dict[str, Any] = response.json()
    assert body["count"] == len(body["exclusions"])
    assert body["overdue"] == sum(1 for row in body["exclusions"] if row["overdue"])
    rows: list[dict[str, Any]] = body["exclusions"]
    return rows


def _seen(rows: list[dict[str, Any]]) -> list[tuple[str, str, bool]]:
    return [(r["pupil_ref"], r["board_due_by"], r["overdue"]) for r in rows]


async def test_the_la_lists_exclusions_awaiting_the_board_until_it_decides(
        fresh: ServiceUnderTest, board: RunningProjections) -> None:
    assert (await fresh.send(term_dates(), "la_officer")).status_code == 201
    excluded, reinstated, suspended, briefly, withdrawn = [await ApiStory(fresh).registered() for _ in range(5)]
    exclusion = await excluded.ok(excluded.cmd.exclude_permanently(decided_on=DECIDED, effective_from=DECIDED), "head")
    undone = await reinstated.ok(reinstated.cmd.exclude_permanently(decided_on=DECIDED, effective_from=DECIDED),
                                 "head")
    await reinstated.ok(reinstated.cmd.reinstate(undone["event_ids"][0], board_met_on=date(2025, 3, 24)), "head")
    suspension = await suspended.ok(suspended.cmd.suspend(first_day=SUSPENDED_FROM, duration_half_days=32), "head")
    await briefly.ok(briefly.cmd.suspend(first_day=SUSPENDED_FROM, duration_half_days=4), "head")
    mistaken = await withdrawn.ok(withdrawn.cmd.exclude_permanently(decided_on=DECIDED, effective_from=DECIDED),
                                  "head")
    await withdrawn.ok(withdrawn.cmd.withdraw(mistaken["event_ids"][0]), "head", purpose="recorded in error")

    rows = await _listed(board, "2025-03-24")
    assert [(r["pupil_ref"], r["kind"], r["board_due_by"], r["counted_with"], r["overdue"]) for r in rows] == [
        (str(suspended.pupil_ref), "suspension", SUSPENSION_DUE, LOCAL_AUTHORITY, False),
        (str(excluded.pupil_ref), "permanent_exclusion", PERMANENT_DUE, LOCAL_AUTHORITY, False)]
    assert (rows[1]["record_id"], rows[1]["decided_on"], rows[0]["governors_duty"]) == (
        exclusion["event_ids"][0], DECIDED.isoformat(), "meet")
    assert _seen(await _listed(board, "2025-04-01")) == [
        (str(suspended.pupil_ref), SUSPENSION_DUE, True), (str(excluded.pupil_ref), PERMANENT_DUE, False)]
    assert _seen(await _listed(board, "2025-04-28")) == [
        (str(suspended.pupil_ref), SUSPENSION_DUE, True), (str(excluded.pupil_ref), PERMANENT_DUE, True)]

    await suspended.ok(suspended.cmd.uphold(suspension["event_ids"][0], board_met_on=date(2025, 4, 2)), "head")
    assert _seen(await _listed(board, "2025-04-28")) == [(str(excluded.pupil_ref), PERMANENT_DUE, True)]
    await excluded.ok(excluded.cmd.uphold(exclusion["event_ids"][0], board_met_on=date(2025, 4, 28)), "home_staff")
    assert await _listed(board, "2025-04-28") == []


async def test_nobody_else_reads_the_areas_list(fresh: ServiceUnderTest, board: RunningProjections) -> None:
    story = await ApiStory(fresh).registered()
    await story.ok(story.cmd.exclude_permanently(decided_on=DECIDED, effective_from=DECIDED), "head")
    await board.caught_up()
    for who in ("other_la_officer", "commissioner", "head", "home_dsl", "provider_manager"):
        response = await fresh.client.get(PATH.format(LOCAL_AUTHORITY), headers=fresh.headers(who))
        assert response.status_code == 403, (who, response.text)
        assert str(story.pupil_ref) not in response.text
    own = await fresh.client.get(PATH.format(OTHER_LOCAL_AUTHORITY), params={"on": "2025-03-24"},
                                 headers=fresh.headers("other_la_officer"))
    assert (own.status_code, own.json()["exclusions"]) == (200, [])


async def test_only_the_excluding_school_records_its_boards_decision(
        fresh: ServiceUnderTest, board: RunningProjections) -> None:
    story, other = await ApiStory(fresh).registered(), await ApiStory(fresh).registered()
    exclusion = (await story.ok(story.cmd.exclude_permanently(decided_on=DECIDED, effective_from=DECIDED),
                                "head"))["event_ids"][0]
    elsewhere = (await other.ok(other.cmd.exclude_permanently(decided_on=DECIDED, effective_from=DECIDED),
                                "head"))["event_ids"][0]
    before = await fresh.stream_length(story.stream)
    upheld = story.cmd.uphold(exclusion, board_met_on=DECIDED)
    await only_the_school_decides(story, upheld, "upheld-exclusions")
    unknown = await story.send(story.cmd.uphold(elsewhere, command_id=uuid4()), "head")
    assert (unknown.status_code, problem_of(unknown)["rule"]) == (422, "board_decision.exclusion_exists")
    untold = await story.send(
        story.cmd.uphold(exclusion, board_met_on=DECIDED, parents_told_of_independent_review=False), "head")
    assert (untold.status_code, problem_of(untold)["rule"]) == (422, "board_decision.parents_told_of_review")
    assert await fresh.stream_length(story.stream) == before, "a refusal stored something"
    assert [r["pupil_ref"] for r in await _listed(board, "2025-03-24")].count(str(story.pupil_ref)) == 1

    await story.ok(upheld, "head")
    again = await story.send(story.cmd.reinstate(exclusion), "head")
    assert (again.status_code, problem_of(again)["rule"]) == (409, "board_decision.once")
    assert str(story.pupil_ref) not in [r["pupil_ref"] for r in await _listed(board, "2025-03-24")]
