"""The exclusions awaiting the governing board's decision in a local authority's schools (issue 16; STATUTORY.md:
the board considers a permanent exclusion, and suspensions over 15 school days in a term, within 15 school days
of being told), for that authority's officers and commissioners (policy EXC-LA-1).

What "awaiting" means here: a permanent exclusion, or a suspension whose term total asks the board to meet
(``governors_duty`` = meet), not withdrawn in error, not reinstated, and whose due day (15 school days on the home
school's recorded calendar after the decision; after the first day for a suspension, whose event names no
decision day) is not past. The platform records no "upheld" decision, so an exclusion past its due day without a
reinstatement is taken as decided. Without a recorded calendar the due day is unknown and the exclusion stays
listed. The LA of each school is the register of organisations' stored fact; rows name the child only by
``pupil_ref``; each pupil served is audited.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from typing import Any
from uuid import UUID

from ap_incidents.domain.organisations import OrganisationDirectory
from ap_incidents.domain.rules import RuleBook
from ap_runtime.access import AccessGuard, Principal, ResourceContext
from ap_runtime.school_days import SchoolCalendarNotRecorded, SchoolCalendars, add_school_days

READ_EXCLUSIONS_AWAITING = "incidents.read_exclusions_awaiting_decision"

_SHOWN = ("record_id", "pupil_ref", "home_school_id", "decided_on", "effective_from", "first_day",
          "duration_half_days", "term", "term_total_half_days", "governors_duty", "primary_reason",
          "full_time_education_from")


def _awaits_board(fact: dict[str, Any]) -> bool:
    return fact["event_type"] == "PermanentExclusionIssued" or fact.get("governors_duty") == "meet"


def board_due_by(fact: dict[str, Any], calendars: SchoolCalendars, rules: RuleBook) -> tuple[date | None, str | None]:
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


def _row(fact: dict[str, Any], due: tuple[date | None, str | None]) -> dict[str, Any]:
    kind = "permanent_exclusion" if fact["event_type"] == "PermanentExclusionIssued" else "suspension"
    return {"kind": kind, **{name: fact.get(name) for name in _SHOWN},
            "board_due_by": None if due[0] is None else due[0].isoformat(), "counted_with": due[1]}


async def read_exclusions_awaiting(
    guard: AccessGuard, principal: Principal, local_authority_id: str, on: date, rules: RuleBook, *,
    facts: Callable[[], Awaitable[list[dict[str, Any]]]],
    organisations: Callable[[frozenset[str]], Awaitable[OrganisationDirectory]],
    calendars: Callable[[Iterable[str]], Awaitable[SchoolCalendars]], correlation_id: UUID | None = None,
) -> dict[str, Any]:
    """The authority's exclusions awaiting the board on ``on``, by due day (unknown last)."""
    await guard.check(principal, READ_EXCLUSIONS_AWAITING, ResourceContext(local_authority_id=local_authority_id),
                      correlation_id=correlation_id)
    pending = [f for f in await facts() if _awaits_board(f)]
    directory = await organisations(frozenset(str(f["home_school_id"]) for f in pending))
    in_area = [f for f in pending if (school := directory.get(str(f["home_school_id"]))) is not None
               and school.local_authority_id == local_authority_id]
    counted = await calendars({str(f["home_school_id"]) for f in in_area})
    rows = [_row(f, due) for f in in_area
            if (due := board_due_by(f, counted, rules))[0] is None or due[0] >= on]
    rows.sort(key=lambda r: (r["board_due_by"] is None, r["board_due_by"] or "", str(r["record_id"])))
    await asyncio.gather(*(guard.check(principal, READ_EXCLUSIONS_AWAITING, ResourceContext(
        pupil_ref=UUID(str(r["pupil_ref"])), home_school_id=str(r["home_school_id"]),
        local_authority_id=local_authority_id), correlation_id=correlation_id)
        for r in {str(r["pupil_ref"]): r for r in rows}.values()))
    return {"local_authority_id": local_authority_id, "on": on.isoformat(), "exclusions": rows,
            "count": len(rows)}
