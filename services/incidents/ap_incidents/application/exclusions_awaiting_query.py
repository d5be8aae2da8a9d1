"""The exclusions awaiting the governing board's decision in a local authority's schools (issue 16; STATUTORY.md:
the board considers a permanent exclusion, and suspensions over 15 school days in a term, within 15 school days
of being told), for that authority's officers and commissioners (policy EXC-LA-1).

What "awaiting" means here: a permanent exclusion, or a suspension whose term total asks the board to meet
(``governors_duty`` = meet), not withdrawn in error and with no decision of the board recorded (reinstated or
upheld), read from the exclusions-for-board read model (``ExclusionsForBoardReadModel``: no scan of the event
store). Its due day is 15 school days on the home school's recorded calendar after the decision (after the first
day for a suspension, whose event names no decision day); once that day has passed with no decision the exclusion
stays listed, marked ``overdue``. Without a recorded calendar the due day is unknown (never overdue). The LA of
each school is the register of organisations' stored fact, as the read model keeps it; rows name the child only
by ``pupil_ref``; each pupil served is audited.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

from ap_incidents.application.ports import ExclusionsForBoardReadModel
from ap_incidents.domain.rules import RuleBook
from ap_runtime.access import AccessGuard, Principal, ResourceContext
from ap_runtime.school_days import SchoolCalendarNotRecorded, SchoolCalendars, add_school_days

READ_EXCLUSIONS_AWAITING = "incidents.read_exclusions_awaiting_decision"

_SHOWN = ("kind", "record_id", "pupil_ref", "home_school_id", "decided_on", "effective_from", "first_day",
          "duration_half_days", "term", "term_total_half_days", "governors_duty", "primary_reason",
          "full_time_education_from")


def board_due_by(fact: Mapping[str, Any], calendars: SchoolCalendars, rules: RuleBook
                 ) -> tuple[date | None, str | None]:
    """The board's due day and the calendar counted on; (None, None) when no calendar records the days."""
    school = str(fact["home_school_id"])
    told = date.fromisoformat(str(fact.get("decided_on") or fact["first_day"]))
    calendar = calendars.for_school(school)
    if calendar is None:
        return None, None
    try:
        return add_school_days(told, rules.governors_consider_within_school_days, calendar, school), calendar.area_id
    except SchoolCalendarNotRecorded:
        return None, None


def _row(fact: Mapping[str, Any], due: tuple[date | None, str | None], on: date) -> dict[str, Any]:
    shown = {name: fact.get(name) for name in _SHOWN}
    return {**shown, "record_id": str(shown["record_id"]), "pupil_ref": str(shown["pupil_ref"]),
            "board_due_by": None if due[0] is None else due[0].isoformat(), "counted_with": due[1],
            "overdue": due[0] is not None and due[0] < on}


async def read_exclusions_awaiting(
    guard: AccessGuard, principal: Principal, local_authority_id: str, on: date, rules: RuleBook, *,
    exclusions: ExclusionsForBoardReadModel,
    calendars: Callable[[Iterable[str]], Awaitable[SchoolCalendars]], correlation_id: UUID | None = None,
) -> dict[str, Any]:
    """The authority's exclusions awaiting the board on ``on``, by due day (overdue ones first, unknown last)."""
    await guard.check(principal, READ_EXCLUSIONS_AWAITING, ResourceContext(local_authority_id=local_authority_id),
                      correlation_id=correlation_id)
    pending = await exclusions.awaiting(local_authority_id)
    counted = await calendars({str(f["home_school_id"]) for f in pending})
    rows = [_row(f, board_due_by(f, counted, rules), on) for f in pending]
    rows.sort(key=lambda r: (r["board_due_by"] is None, r["board_due_by"] or "", r["record_id"]))
    await asyncio.gather(*(guard.check(principal, READ_EXCLUSIONS_AWAITING, ResourceContext(
        pupil_ref=UUID(r["pupil_ref"]), home_school_id=str(r["home_school_id"]),
        local_authority_id=local_authority_id), correlation_id=correlation_id)
        for r in {r["pupil_ref"]: r for r in rows}.values()))
    return {"local_authority_id": local_authority_id, "on": on.isoformat(), "exclusions": rows,
            "count": len(rows), "overdue": sum(1 for r in rows if r["overdue"])}
