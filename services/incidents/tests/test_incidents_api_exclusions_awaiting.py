"""The exclusions awaiting the governing board in an LA's schools, through the incidents API (issue 16): with the
LA's term dates recorded, a permanent exclusion and a suspension taking the term over 15 school days are listed
with the board's due day counted by hand on that calendar, until the day passes; a reinstated exclusion and a
short suspension are not; no name is shown. Another LA's officer naming this LA in the path, a commissioning body
and the school are refused (403); that officer's own area lists none of these pupils."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from .conftest import LOCAL_AUTHORITY, OTHER_LOCAL_AUTHORITY, ApiStory, ServiceUnderTest
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


async def _listed(service: ServiceUnderTest, on: str, who: str = "la_officer") -> list[dict[str, Any]]:
    response = await service.client.get(PATH.format(LOCAL_AUTHORITY), params={"on": on},
                                        headers=service.headers(who))
    assert response.status_code == 200, response.text
    assert "Test Pupil" not in response.text
    rows: list[dict[str, Any]] = response.json()["exclusions"]
    return rows


async def test_the_la_lists_exclusions_awaiting_the_board_with_their_due_day(fresh: ServiceUnderTest) -> None:
    assert (await fresh.send(term_dates(), "la_officer")).status_code == 201
    excluded, reinstated, suspended, briefly = [await ApiStory(fresh).registered() for _ in range(4)]
    exclusion = await excluded.ok(excluded.cmd.exclude_permanently(decided_on=DECIDED, effective_from=DECIDED), "head")
    undone = await reinstated.ok(reinstated.cmd.exclude_permanently(decided_on=DECIDED, effective_from=DECIDED),
                                 "head")
    await reinstated.ok(reinstated.cmd.reinstate(undone["event_ids"][0], board_met_on=date(2025, 3, 24)), "head")
    await suspended.ok(suspended.cmd.suspend(first_day=SUSPENDED_FROM, duration_half_days=32), "head")
    await briefly.ok(briefly.cmd.suspend(first_day=SUSPENDED_FROM, duration_half_days=4), "head")

    rows = await _listed(fresh, "2025-03-24")
    assert [(r["pupil_ref"], r["kind"], r["board_due_by"], r["counted_with"]) for r in rows] == [
        (str(suspended.pupil_ref), "suspension", SUSPENSION_DUE, LOCAL_AUTHORITY),
        (str(excluded.pupil_ref), "permanent_exclusion", PERMANENT_DUE, LOCAL_AUTHORITY)]
    assert (rows[1]["record_id"], rows[1]["decided_on"], rows[0]["governors_duty"]) == (
        exclusion["event_ids"][0], DECIDED.isoformat(), "meet")
    assert [r["pupil_ref"] for r in await _listed(fresh, "2025-04-01")] == [str(excluded.pupil_ref)]
    assert await _listed(fresh, "2025-04-28") == []


async def test_nobody_else_reads_the_areas_list(fresh: ServiceUnderTest) -> None:
    story = await ApiStory(fresh).registered()
    await story.ok(story.cmd.exclude_permanently(decided_on=DECIDED, effective_from=DECIDED), "head")
    for who in ("other_la_officer", "commissioner", "head", "home_dsl", "provider_manager"):
        response = await fresh.client.get(PATH.format(LOCAL_AUTHORITY), headers=fresh.headers(who))
        assert response.status_code == 403, (who, response.text)
        assert str(story.pupil_ref) not in response.text
    own = await fresh.client.get(PATH.format(OTHER_LOCAL_AUTHORITY), params={"on": "2025-03-24"},
                                 headers=fresh.headers("other_la_officer"))
    assert (own.status_code, own.json()["exclusions"]) == (200, [])
