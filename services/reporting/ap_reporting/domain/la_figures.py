"""The local authority's annual figures and the Schools Forum strategy data (BRIEF.md section 4;
seed 004): permanent exclusions per academic year split primary / secondary, suspensions as
pupils and days lost, placements by how they ended, and length of stay. Counts only, suppressed.

The strategy tables are the Schools Forum's exclusion tables by phase of school with their rates per 100 on
roll, made by the one function that makes those (``schools_forum_phases.exclusion_tables``), so the two
reports suppress every figure alike. The annual report still splits its exclusions by the pupil's key stage.

A permanent exclusion counts once it stands: one the governing board reinstated does not count
(DfE statistics). Days lost are school days (half days summed, halved).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import Decimal

from ap_contracts.events.pupil_vocabulary import PlacementEndReason
from ap_reporting.domain.facts import PermanentExclusionFact, PlacementFact, SuspensionFact
from ap_reporting.domain.notes import DAYS_NOTE, PERIOD_NOTE, PHASE_NOTE, STACKED_NOTE, SUPPRESSION_NOTE
from ap_reporting.domain.periods import academic_year_period
from ap_reporting.domain.published import (
    ReportModel,
    Table,
    TableSpec,
    publish,
    publish_derived,
    publish_together,
    shared_column_margins,
)
from ap_reporting.domain.schools_forum import ExclusionReasonFact
from ap_reporting.domain.schools_forum_phases import SchoolRoll, phase_tables
from ap_reporting.domain.vocabulary import STAY_BANDS, Phase, phase_of, stay_band
from ap_runtime.privacy.suppression import SUPPRESSED, suppress_rate

PHASES = [p.value for p in Phase]
Rate = Decimal | str


class StrategyReport(ReportModel):
    report: str = "exclusion_strategy"
    academic_years: tuple[str, ...]
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = (SUPPRESSION_NOTE, PERIOD_NOTE, STACKED_NOTE, DAYS_NOTE, PHASE_NOTE)


class AnnualReport(ReportModel):
    report: str = "la_annual"
    academic_year: str
    tables: tuple[Table, ...]
    mean_length_of_stay_days: Rate
    reintegration_rate_percent: Rate
    notes: tuple[str, ...] = (SUPPRESSION_NOTE, PERIOD_NOTE, DAYS_NOTE)


def _year_tables(year: str, suspensions: Sequence[SuspensionFact],
                 exclusions: Sequence[PermanentExclusionFact]) -> list[Table]:
    """The annual report's exclusion tables, by the pupil's key stage (the strategy tables are by phase of school,
    as the Schools Forum's: see the module docstring)."""
    permanent = Counter((year, e.phase.value) for e in exclusions if not e.reinstated and e.academic_year == year)
    pex, _ = publish("permanent_exclusions", "Permanent exclusions", "exclusions", [year], PHASES, permanent)
    pupils: dict[tuple[str, str], set[object]] = defaultdict(set)
    half_days: Counter[tuple[str, str]] = Counter()
    for s in suspensions:
        if s.academic_year == year:
            pupils[(year, s.phase.value)].add(s.pupil_ref)
            half_days[(year, s.phase.value)] += s.half_days
    suspended, pattern = publish("pupils_suspended", "Pupils with one or more suspensions", "pupils", [year],
                                 PHASES, {k: len(v) for k, v in pupils.items()})
    days = publish_derived("suspension_days_lost", "School days lost to suspension by those pupils", "days",
                           pattern, suspended, {k: Decimal(v) / 2 for k, v in half_days.items()})
    return [pex, suspended, days]


def assemble_strategy(years: Sequence[str], records: Sequence[ExclusionReasonFact],
                      rolls: Sequence[SchoolRoll]) -> StrategyReport:
    """The Schools Forum's tables by phase of school for the years, with their rates per 100 on roll: the same
    tables by the same rule (``schools_forum_phases.exclusion_tables``), so nothing one of the two reports hides,
    for any range of years, can be worked out from the other."""
    return StrategyReport(academic_years=tuple(years), tables=tuple(phase_tables(years, records, rolls)))


def _placement_tables(ended: Sequence[PlacementFact]) -> list[Table]:
    """Placements ended by reason and by length of stay: two breakdowns of the same placements,
    whose phase totals are the same figures, so they are suppressed together."""
    reasons = Counter((p.end_reason.value, phase_of(p.pupil_key_stage).value) for p in ended if p.end_reason)
    stays = Counter((stay_band(p.length_of_stay_days() or 0), phase_of(p.pupil_key_stage).value) for p in ended)
    by_reason = TableSpec("placements_by_end_reason", "Placements ended, by how they ended", "placements",
                          [r.value for r in PlacementEndReason], PHASES, reasons)
    by_stay = TableSpec("length_of_stay", "Placements ended, by length of stay", "placements",
                        [label for label, _, _ in STAY_BANDS], PHASES, stays)
    published = publish_together([by_reason, by_stay], shared_column_margins(0, by_reason, 1, by_stay))
    return [table for table, _ in published]


def _rate_if_shown(rate: Rate, *figures: object) -> Rate:
    """A rate is shown only when the counts it is computed from are shown: with a hidden count and
    its published rate, a reader could multiply the hidden count back out."""
    return SUPPRESSED if any(f == SUPPRESSED for f in figures) else rate


def assemble_annual(academic_year: str, placements: Sequence[PlacementFact], suspensions: Sequence[SuspensionFact],
                    exclusions: Sequence[PermanentExclusionFact]) -> AnnualReport:
    """The year's figures; placements count in the academic year they ended in."""
    year = academic_year_period(academic_year)
    ended = [p for p in placements if p.end_date is not None and p.end_reason is not None
             and p.end_date in year]
    total_days = sum(p.length_of_stay_days() or 0 for p in ended)
    reintegrated = sum(1 for p in ended if p.end_reason is PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL)
    by_reason, by_stay = _placement_tables(ended)
    row = list(PlacementEndReason).index(PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL)
    return AnnualReport(
        academic_year=academic_year,
        tables=tuple([*_year_tables(academic_year, suspensions, exclusions), by_reason, by_stay]),
        mean_length_of_stay_days=_rate_if_shown(suppress_rate(total_days, len(ended), per=1, places=1),
                                                by_reason.grand_total),
        reintegration_rate_percent=_rate_if_shown(
            suppress_rate(reintegrated, len(ended), proportion=True, places=1),
            by_reason.row_totals[row], by_reason.grand_total),
    )
