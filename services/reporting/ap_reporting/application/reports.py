"""Build each report: read the facts it needs at one instant (``FactsReader``), assemble it in the domain."""

from __future__ import annotations

from collections.abc import Sequence

from ap_reporting.application.ports import ExclusionsByPhaseReader, FactsReader
from ap_reporting.domain.engagement import (
    AchievementBoard,
    EngagementFacts,
    EngagementRuleBook,
    TermEngagement,
    achievement_board,
    term_engagement,
)
from ap_reporting.domain.facts import PlacementFact
from ap_reporting.domain.la_figures import AnnualReport, StrategyReport, assemble_annual, assemble_strategy
from ap_reporting.domain.partnership import PartnershipReport, assemble_partnership
from ap_reporting.domain.partnership_annual import PartnershipAnnualFigures, assemble_partnership_annual
from ap_reporting.domain.periods import academic_year_period
from ap_reporting.domain.vocabulary import Period
from ap_reporting.domain.weekly import WeeklyReport, assemble_weekly


async def weekly_report(reader: FactsReader, home_school_id: str, week: Period) -> WeeklyReport:
    async with reader.snapshot() as facts:
        placements = await facts.placements_of_home_school(home_school_id, week)
        ids = [p.placement_id for p in placements]
        return assemble_weekly(home_school_id, week, placements, await facts.attendance(ids, week),
                               await facts.incidents(ids, week), await facts.rewards(ids, week),
                               await facts.engagement(ids, week))


async def partnership_report(reader: FactsReader, partnership_id: str, period: Period) -> PartnershipReport:
    async with reader.snapshot() as facts:
        placements = await facts.placements_of_partnership(partnership_id)
        ids = [p.placement_id for p in placements]
        return assemble_partnership(partnership_id, period, placements, await facts.incidents(ids, period))


async def annual_report(reader: FactsReader, academic_year: str) -> AnnualReport:
    async with reader.snapshot() as facts:
        ended = await facts.placements_ended(academic_year_period(academic_year))
        return assemble_annual(academic_year, ended, await facts.suspensions([academic_year]),
                               await facts.permanent_exclusions([academic_year]))


async def partnership_annual_figures(reader: FactsReader, partnership_id: str,
                                     academic_year: str) -> PartnershipAnnualFigures:
    """The figures of the partnership's annual report (seed 001 appendix 3) for the year, at one instant."""
    async with reader.snapshot() as facts:
        placements = await facts.placements_of_partnership(partnership_id)
        attendance = await facts.attendance([p.placement_id for p in placements], academic_year_period(academic_year))
        return assemble_partnership_annual(partnership_id, academic_year, placements, attendance,
                                           sexes=await facts.pupil_sexes([p.pupil_ref for p in placements]))


async def strategy_report(reader: ExclusionsByPhaseReader, years: Sequence[str]) -> StrategyReport:
    return assemble_strategy(years, *await reader.read(years))


async def _provision_engagement(reader: FactsReader, provision_id: str,
                                term: Period) -> tuple[list[PlacementFact], EngagementFacts]:
    async with reader.snapshot() as facts:
        placements = await facts.placements_of_provision(provision_id, term)
        return placements, await facts.engagement([p.placement_id for p in placements], term)


async def engagement_term_report(reader: FactsReader, provision_id: str, term_code: str, term: Period,
                                 rules: EngagementRuleBook) -> TermEngagement:
    placements, facts = await _provision_engagement(reader, provision_id, term)
    return term_engagement(provision_id, term_code, term, placements, facts, rules)


async def achievement_board_report(reader: FactsReader, provision_id: str, term_code: str, term: Period,
                                   rules: EngagementRuleBook) -> AchievementBoard:
    placements, facts = await _provision_engagement(reader, provision_id, term)
    return achievement_board(provision_id, term_code, term, placements, facts, rules)
