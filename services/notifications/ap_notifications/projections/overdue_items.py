"""Overdue work read from the alert worker's read model (issue 14): placements whose next review, or whose reduced
timetable's review, is past on a given day, and open Fair Access cases past the day a place is expected by.
Organisation ids, dates and event ids only. Nothing is due about a pupil the alert worker saw erased
(``erased_pupils``, any reason): no alert about the pupil is raised after the erasure."""

from __future__ import annotations

from datetime import date

import asyncpg

from ap_notifications.domain.overdue import DueItem, OverdueKind, placement_item
from ap_notifications.domain.rulebook import AlertRuleBook
from ap_notifications.domain.school_days import school_days_after
from ap_notifications.projections.fair_access_cases import open_cases
from ap_notifications.projections.placement_terms import load_terms
from ap_runtime.school_days import NO_CALENDARS, SchoolCalendars

_PAST_DUE = """
SELECT placement_id, review_date, review_set_by, placement_review_date, placement_review_set_by FROM placements
WHERE ended_on IS NULL AND pupil_ref NOT IN (SELECT pupil_ref FROM erased_pupils)
  AND ((review_date < $1 AND review_set_by IS NOT NULL)
       OR (placement_review_date < $1 AND placement_review_set_by IS NOT NULL))
ORDER BY placement_id
"""


async def past_due(conn: asyncpg.Connection, today: date, book: AlertRuleBook,
                   calendars: SchoolCalendars = NO_CALENDARS) -> list[DueItem]:
    """Every piece of work past its date on ``today`` (the domain decides which steps it owes); a Fair Access case's
    school days are counted on its panel's local authority's calendar in ``calendars``."""
    return [*await _placements(conn, today), *await _fair_access(conn, today, book, calendars)]


async def _placements(conn: asyncpg.Connection, today: date) -> list[DueItem]:
    items: list[DueItem] = []
    for row in await conn.fetch(_PAST_DUE, today):
        terms = await load_terms(conn, row["placement_id"])
        if terms is None:
            continue
        dated = ((OverdueKind.PLACEMENT_REVIEW, row["placement_review_date"], row["placement_review_set_by"]),
                 (OverdueKind.REDUCED_TIMETABLE_REVIEW, row["review_date"], row["review_set_by"]))
        items.extend(placement_item(kind, due, set_by, terms) for kind, due, set_by in dated
                     if due is not None and set_by is not None and due < today)
    return items


async def _fair_access(conn: asyncpg.Connection, today: date, book: AlertRuleBook,
                       calendars: SchoolCalendars) -> list[DueItem]:
    items: list[DueItem] = []
    for row in await open_cases(conn):
        if row["local_authority_id"] is None:
            continue  # the panel's LA unknown yet: found on a later run
        expected = school_days_after(row["without_place_since"], book.fair_access_school_days,
                                     row["local_authority_id"], calendars).due_by
        if expected >= today:
            continue  # not yet due
        authority = (row["local_authority_id"],)
        items.append(DueItem(OverdueKind.FAIR_ACCESS_CASE, expected, row["opened_by_event"], row["pupil_ref"],
                             authority, authority, {"panel_id": row["panel_id"], "case_id": str(row["case_id"])}))
    return items
