"""The local authority's annual figures and the Schools Forum strategy data (BRIEF.md section 4;
seed 004): permanent exclusions per academic year split primary / secondary, suspensions as
pupils and days lost, placements by how they ended, and length of stay. Counts only, suppressed.

A permanent exclusion counts once it stands: one the governing board reinstated does not count
(DfE statistics). Days lost are school days (half days summed, halved).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from ap_contracts.events.pupil_vocabulary import PlacementEndReason
from ap_reporting.domain.facts import PermanentExclusionFact, PlacementFact, SuspensionFact
from ap_reporting.domain.notes import DAYS_NOTE, PERIOD_NOTE, SUPPRESSION_NOTE
from ap_reporting.domain.published import Table, publish, publish_derived
from ap_reporting.domain.vocabulary import STAY_BANDS, Phase, academic_year_period, phase_of, stay_band
from ap_runtime.privacy.suppression import suppress_rate

PHASES = [p.value for p in Phase]
Rate = Decimal | str


class StrategyReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    report: str = "exclusion_strategy"
    academic_years: tuple[str, ...]
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = (SUPPRESSION_NOTE, DAYS_NOTE)


class AnnualReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    report: str = "la_annual"
    academic_year: str
    tables: tuple[Table, ...]
    mean_length_of_stay_days: Rate
    reintegration_rate_percent: Rate
    notes: tuple[str, ...] = (SUPPRESSION_NOTE, PERIOD_NOTE, DAYS_NOTE)


def exclusion_tables(years: Sequence[str], suspensions: Sequence[SuspensionFact],
                     exclusions: Sequence[PermanentExclusionFact]) -> list[Table]:
    """Permanent exclusions, pupils suspended and the days they lost, by academic year and phase."""
    permanent = Counter((e.academic_year, e.phase.value) for e in exclusions
                        if not e.reinstated and e.academic_year in years)
    pex, _ = publish("permanent_exclusions", "Permanent exclusions", "exclusions", years, PHASES, permanent)
    pupils: dict[tuple[str, str], set[object]] = defaultdict(set)
    half_days: Counter[tuple[str, str]] = Counter()
    for s in suspensions:
        if s.academic_year in years:
            pupils[(s.academic_year, s.phase.value)].add(s.pupil_ref)
            half_days[(s.academic_year, s.phase.value)] += s.half_days
    suspended, pattern = publish("pupils_suspended", "Pupils with one or more suspensions", "pupils", years,
                                 PHASES, {k: len(v) for k, v in pupils.items()})
    days = publish_derived("suspension_days_lost", "School days lost to suspension by those pupils", "days",
                           pattern, suspended, {k: Decimal(v) / 2 for k, v in half_days.items()})
    return [pex, suspended, days]


def assemble_strategy(years: Sequence[str], suspensions: Sequence[SuspensionFact],
                      exclusions: Sequence[PermanentExclusionFact]) -> StrategyReport:
    return StrategyReport(academic_years=tuple(years), tables=tuple(exclusion_tables(years, suspensions, exclusions)))


def _placement_tables(ended: Sequence[PlacementFact]) -> list[Table]:
    reasons = Counter((p.end_reason.value, phase_of(p.pupil_key_stage).value) for p in ended if p.end_reason)
    by_reason, _ = publish("placements_by_end_reason", "Placements ended, by how they ended", "placements",
                           [r.value for r in PlacementEndReason], PHASES, reasons)
    stays = Counter((stay_band(p.length_of_stay_days() or 0), phase_of(p.pupil_key_stage).value) for p in ended)
    by_stay, _ = publish("length_of_stay", "Placements ended, by length of stay", "placements",
                         [label for label, _, _ in STAY_BANDS], PHASES, stays)
    return [by_reason, by_stay]


def assemble_annual(academic_year: str, placements: Sequence[PlacementFact], suspensions: Sequence[SuspensionFact],
                    exclusions: Sequence[PermanentExclusionFact]) -> AnnualReport:
    """The year's figures; placements count in the academic year they ended in."""
    year = academic_year_period(academic_year)
    ended = [p for p in placements if p.end_date is not None and year.first_day <= p.end_date <= year.last_day]
    total_days = sum(p.length_of_stay_days() or 0 for p in ended)
    reintegrated = sum(1 for p in ended if p.end_reason is PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL)
    return AnnualReport(
        academic_year=academic_year,
        tables=tuple([*exclusion_tables([academic_year], suspensions, exclusions), *_placement_tables(ended)]),
        mean_length_of_stay_days=suppress_rate(total_days, len(ended), per=1, places=1),
        reintegration_rate_percent=suppress_rate(reintegrated, len(ended), proportion=True, places=1),
    )
