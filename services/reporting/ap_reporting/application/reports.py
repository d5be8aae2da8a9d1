"""Build each report: read the facts it needs from the read model, assemble it in the domain."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ap_reporting.domain.la_figures import AnnualReport, StrategyReport, assemble_annual, assemble_strategy
from ap_reporting.domain.partnership import PartnershipReport, assemble_partnership
from ap_reporting.domain.periods import academic_year_period
from ap_reporting.domain.vocabulary import Period
from ap_reporting.domain.weekly import WeeklyReport, assemble_weekly
from ap_reporting.projections import queries as q
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.projection import read_model

READ_MODEL = ReportingFactsProjection.name


async def weekly_report(pool: asyncpg.Pool, home_school_id: str, week: Period) -> WeeklyReport:
    async with read_model(pool, READ_MODEL) as conn:
        placements = await q.placements_of_home_school(conn, home_school_id, week)
        ids = [p.placement_id for p in placements]
        return assemble_weekly(home_school_id, week, placements, await q.attendance(conn, ids, week),
                               await q.incidents(conn, ids, week), await q.rewards(conn, ids, week))


async def partnership_report(pool: asyncpg.Pool, partnership_id: str, period: Period) -> PartnershipReport:
    async with read_model(pool, READ_MODEL) as conn:
        placements = await q.placements_of_partnership(conn, partnership_id)
        ids = [p.placement_id for p in placements]
        return assemble_partnership(partnership_id, period, placements, await q.incidents(conn, ids, period))


async def annual_report(pool: asyncpg.Pool, academic_year: str) -> AnnualReport:
    async with read_model(pool, READ_MODEL) as conn:
        ended = await q.placements_ended(conn, academic_year_period(academic_year))
        return assemble_annual(academic_year, ended, await q.suspensions(conn, years=[academic_year]),
                               await q.permanent_exclusions(conn, years=[academic_year]))


async def strategy_report(pool: asyncpg.Pool, years: Sequence[str]) -> StrategyReport:
    async with read_model(pool, READ_MODEL) as conn:
        return assemble_strategy(years, await q.suspensions(conn, years=years),
                                 await q.permanent_exclusions(conn, years=years))
