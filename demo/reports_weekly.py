"""The weekly home-school reports of ``make reports`` (BRIEF.md section 4, seed 002 section 5): for each school
and academic year, one week of its pupils' placements (the week after its first placement of the year
started, so a learner is on it), built by reporting's own ``application.reports.weekly_report`` and
written in the formats the reporting API offers for it (JSON and CSV).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import asyncpg

from ap_reporting.adapters.csv_render import weekly_csv
from ap_reporting.application.reports import weekly_report
from ap_reporting.domain.periods import academic_year_period
from ap_reporting.domain.vocabulary import school_week
from ap_reporting.projections.queries import FactsQueries

WriteFile = Callable[[str, str | bytes], None]


class ConnectionFacts:
    """The ``FactsReader`` port over the demo's one read-only repeatable-read transaction on the facts read model
    (``read_models``), so every read already sees one instant."""

    def __init__(self, facts: FactsQueries) -> None:
        self._facts = facts

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[FactsQueries]:
        yield self._facts


async def write_weekly(conn: asyncpg.Connection, schools: list[str], years: list[str],
                       file: WriteFile) -> None:
    facts = FactsQueries(conn)
    reader = ConnectionFacts(facts)
    for year in years:
        for school in schools:
            placements = await facts.placements_of_home_school(school, academic_year_period(year))
            if not placements:
                continue
            week = school_week(min(p.start_date for p in placements) + timedelta(days=7))
            report = await weekly_report(reader, school, week)
            name = f"{school}/weekly-{week.first_day.isoformat()}"
            file(f"{name}.json", report.model_dump_json(indent=2))
            file(f"{name}.csv", weekly_csv(report))
