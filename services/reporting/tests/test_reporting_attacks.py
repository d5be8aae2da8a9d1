"""Reports leaving the organisation, attacked across queries (issue 9, "Reports that give away what
they suppress"; rules report.fixed_period, report.year_range_limit and the shared suppression).

The attacker asks for every report a reader may ask for over a dataset (every partnership's every
term, every academic year's annual figures, every allowed range of strategy years), then solves for
every hidden figure over all of them at once (``ap_testing.reporting.attacker``). It must recover
none. Datasets are generated with many small cells (hypothesis, derandomised) and hand-made for the
worst cases: a term with one incident, a single small cell in a row, two small cells that add up to
a published total, overlapping year ranges.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ap_contracts.events.commissioning_headcounts import SchoolPhase
from ap_contracts.events.pupil_vocabulary import (
    ExclusionReason,
    IncidentCategory,
    KeyStage,
    PlacementEndReason,
    Severity,
)
from ap_reporting.domain.errors import FixedPeriodRequired, YearRangeTooLong
from ap_reporting.domain.facts import IncidentFact, PermanentExclusionFact, PlacementFact, SuspensionFact
from ap_reporting.domain.la_figures import AnnualReport, StrategyReport, assemble_annual, assemble_strategy
from ap_reporting.domain.partnership import PartnershipReport, assemble_partnership
from ap_reporting.domain.periods import (
    MAX_ACADEMIC_YEARS,
    OFFERED,
    PeriodKind,
    academic_year_of,
    parse_period,
    periods_of,
    year_range,
)
from ap_reporting.domain.published import TableSpec, publish_together, shared_column_margins
from ap_reporting.domain.schools_forum import PERMANENT, SUSPENSION, ExclusionReasonFact
from ap_reporting.domain.schools_forum_phases import SchoolRoll
from ap_reporting.domain.vocabulary import Phase, phase_of
from ap_testing.reporting.attacker import Attacker
from ap_testing.reporting.report_attack import attack_everything

YEARS = ("2022/23", "2023/24", "2024/25", "2025/26")
PARTNERSHIPS = ("np-north", "np-south")
FIRST_DAY = date(2022, 8, 1)
DAYS = (date(2026, 7, 31) - FIRST_DAY).days
CATEGORIES = (IncidentCategory.BULLYING, IncidentCategory.THEFT, IncidentCategory.OTHER)


@dataclass
class Dataset:
    placements: list[PlacementFact] = field(default_factory=list)
    incidents: list[IncidentFact] = field(default_factory=list)
    suspensions: list[SuspensionFact] = field(default_factory=list)
    exclusions: list[PermanentExclusionFact] = field(default_factory=list)


def every_allowed_report(data: Dataset) -> tuple[list[PartnershipReport], list[AnnualReport], list[StrategyReport]]:
    """What a reader may ask for: the fixed periods each report offers, every year range allowed."""
    termly = [assemble_partnership(np, term.days, data.placements, data.incidents)
              for np in PARTNERSHIPS for year in YEARS for term in periods_of(year, PeriodKind.TERM)]
    annual = [assemble_annual(year, data.placements, data.suspensions, data.exclusions) for year in YEARS]
    strategy = [assemble_strategy(YEARS[i:j], by_school(data), ROLLS)
                for i in range(len(YEARS)) for j in range(i + 1, min(i + MAX_ACADEMIC_YEARS, len(YEARS)) + 1)]
    return termly, annual, strategy


SCHOOL_OF = {Phase.PRIMARY: "pri", Phase.SECONDARY: "sec", Phase.NOT_KNOWN: "no-roll"}
ROLLS = [SchoolRoll(year, school, phase, 500) for year in YEARS
         for school, phase in (("pri", SchoolPhase.PRIMARY), ("sec", SchoolPhase.SECONDARY))]


def by_school(data: Dataset) -> list[ExclusionReasonFact]:
    """The same exclusions as the strategy tables count them (by the excluding school's phase): each pupil's phase
    is its school's, and a pupil of no known phase is at a school whose roll the LA did not record."""
    reason = ExclusionReason.DISRUPTIVE_BEHAVIOUR
    return [*(ExclusionReasonFact(SUSPENSION, s.academic_year, reason, False, s.pupil_ref, SCHOOL_OF[s.phase],
                                  s.half_days) for s in data.suspensions),
            *(ExclusionReasonFact(PERMANENT, e.academic_year, reason, e.reinstated, e.pupil_ref, SCHOOL_OF[e.phase])
              for e in data.exclusions)]


def recovered(data: Dataset) -> list[str]:
    attacker = attack_everything(*every_allowed_report(data))
    return [r.label for r in attacker.recovered()]


def place(np: str = "np-north", start: date = date(2024, 9, 2), end: date | None = None,
          reason: PlacementEndReason | None = None, ks: KeyStage = KeyStage.KS3) -> PlacementFact:
    return PlacementFact(uuid4(), uuid4(), f"prov-{np}", "school-a", np, start, ks, False, end, reason)


def excluded(year: str, phase: Phase, n: int) -> list[PermanentExclusionFact]:
    return [PermanentExclusionFact(uuid4(), None, date(int(year[:4]), 11, 4), year, phase) for _ in range(n)]


def suspended(year: str, phase: Phase, n: int) -> list[SuspensionFact]:
    return [SuspensionFact(uuid4(), None, date(int(year[:4]), 11, 4), 2, year, phase) for _ in range(n)]


# -- the fixed calendar ------------------------------------------------------------------------------

def test_terms_half_terms_quarters_and_months_cover_the_academic_year_without_overlap() -> None:
    year = periods_of("2024/25", PeriodKind.ACADEMIC_YEAR)[0].days
    assert (year.first_day, year.last_day) == (date(2024, 8, 1), date(2025, 7, 31))
    for kind in (PeriodKind.TERM, PeriodKind.HALF_TERM, PeriodKind.QUARTER, PeriodKind.MONTH):
        parts = periods_of("2024/25", kind)
        assert parts[0].days.first_day == year.first_day and parts[-1].days.last_day == year.last_day
        for before, after in pairwise(parts):
            assert after.days.first_day == before.days.last_day + timedelta(days=1)
    assert [p.code for p in periods_of("2024/25", PeriodKind.TERM)] == [
        "2024/25-autumn", "2024/25-spring", "2024/25-summer"]
    spring = parse_period("period", "2024/25-spring", (PeriodKind.TERM,)).days
    assert (spring.first_day, spring.last_day) == (date(2025, 1, 1), date(2025, 3, 31))
    q2 = parse_period("period", "2024/25-q2", (PeriodKind.QUARTER,)).days
    assert (q2.first_day, q2.last_day) == (date(2024, 11, 1), date(2025, 1, 31))
    march = parse_period("period", "2025-03", (PeriodKind.MONTH,))
    assert march.days.last_day == date(2025, 3, 31) and academic_year_of(march.days.first_day) == "2024/25"


@pytest.mark.parametrize("code", ["2025-03-01..2025-03-31", "2024/26", "2024-25", "2024/25-winter", "2025-13", "",
                                  "0000/01", "0000/01-autumn", "0000-01", "9999/00", "9999-12"])
def test_a_window_outside_the_fixed_calendar_is_refused_naming_the_field_and_the_allowed_periods(code: str) -> None:
    with pytest.raises(FixedPeriodRequired) as refused:
        parse_period("period", code, OFFERED["termly_partnership"])
    assert refused.value.rule_id == "report.fixed_period" and refused.value.field == "period"
    assert refused.value.allowed == ("term (2024/25-autumn, -spring or -summer)",)


def test_a_report_takes_only_the_kind_of_period_it_offers() -> None:
    with pytest.raises(FixedPeriodRequired, match="is a month"):
        parse_period("period", "2025-03", OFFERED["termly_partnership"])
    with pytest.raises(FixedPeriodRequired, match="is a academic_year"):
        parse_period("period", "2024/25", OFFERED["termly_partnership"])


def test_year_ranges_are_capped() -> None:
    assert year_range("from_year", "2022/23", "to_year", "2024/25") == ["2022/23", "2023/24", "2024/25"]
    with pytest.raises(YearRangeTooLong) as refused:
        year_range("from_year", "2021/22", "to_year", "2024/25")
    assert refused.value.rule_id == "report.year_range_limit" and refused.value.field == "to_year"
    with pytest.raises(YearRangeTooLong):
        year_range("from_year", "2024/25", "to_year", "2023/24")
    with pytest.raises(FixedPeriodRequired) as bad_year:
        year_range("from_year", "2024/26", "to_year", "2024/25")
    assert bad_year.value.field == "from_year"


# -- hand-made worst cases -------------------------------------------------------------------------------

def test_a_term_with_one_incident_gives_away_neither_its_category_nor_its_severity() -> None:
    data = Dataset(placements=[place(), *(place() for _ in range(5))])
    data.incidents = [IncidentFact(data.placements[0].placement_id, date(2025, 2, 4), IncidentCategory.THEFT,
                                   Severity.CRITICAL)]
    termly, annual, strategy = every_allowed_report(data)
    spring = next(r for r in termly if r.partnership_id == "np-north" and r.period_start == date(2025, 1, 1))
    incidents = next(t for t in spring.tables if t.name == "incidents_by_category_and_severity")
    assert set(incidents.values()) == {"c"}
    attacker = attack_everything(termly, annual, strategy)
    assert attacker.recovered() == []
    for figure, low, _ in attacker.bounds():
        if figure.label.startswith("incidents_by_category_and_severity[") and figure.target:
            if figure.label.endswith("[Total, Total]"):
                continue  # that the term had an incident is known (a 0 would show); not which one
            assert low == pytest.approx(0.0), figure.label  # any row or column may be the empty one


def test_a_single_small_cell_in_a_row_is_not_recovered_from_any_combination_of_years() -> None:
    data = Dataset(exclusions=excluded("2023/24", Phase.PRIMARY, 1) + excluded("2023/24", Phase.SECONDARY, 12)
                   + excluded("2024/25", Phase.PRIMARY, 7) + excluded("2024/25", Phase.SECONDARY, 9)
                   + excluded("2022/23", Phase.SECONDARY, 5) + excluded("2025/26", Phase.PRIMARY, 4))
    assert recovered(data) == []


def test_two_small_cells_that_add_up_to_a_published_total_are_not_recovered() -> None:
    data = Dataset(suspensions=suspended("2024/25", Phase.PRIMARY, 1) + suspended("2024/25", Phase.SECONDARY, 1)
                   + suspended("2024/25", Phase.NOT_KNOWN, 5) + suspended("2023/24", Phase.PRIMARY, 6)
                   + suspended("2023/24", Phase.SECONDARY, 4))
    assert recovered(data) == []


def test_overlapping_year_ranges_and_the_annual_figures_together_recover_nothing() -> None:
    # Each year alone hides its 2; a two-year range once hid different cells, so the annual figures
    # of one year subtracted from the range's column totals gave the other year's 2 away.
    data = Dataset(exclusions=excluded("2023/24", Phase.PRIMARY, 2) + excluded("2023/24", Phase.SECONDARY, 9)
                   + excluded("2024/25", Phase.PRIMARY, 5) + excluded("2024/25", Phase.SECONDARY, 8)
                   + excluded("2022/23", Phase.PRIMARY, 3) + excluded("2022/23", Phase.SECONDARY, 4))
    assert recovered(data) == []


def test_placements_ended_by_reason_and_by_length_of_stay_hide_their_shared_totals_alike() -> None:
    ends = [(PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL, 60, KeyStage.KS3)] * 4
    ends += [(PlacementEndReason.MANAGED_MOVE, 200, KeyStage.KS3)] * 3
    ends += [(PlacementEndReason.LEFT_AREA, 30, KeyStage.KS1)]
    data = Dataset(placements=[place(start=date(2024, 9, 2), end=date(2024, 9, 1) + timedelta(days=d), reason=r,
                                     ks=ks) for r, d, ks in ends])
    assert recovered(data) == []


# -- generated datasets with many small cells --------------------------------------------------------------

@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=25))
@settings(max_examples=150, deadline=None, derandomize=True)
def test_two_breakdowns_of_the_same_things_hide_their_shared_totals_so_nothing_is_recovered_from_both(
    items: list[tuple[int, int, int]],
) -> None:
    reasons, bands, phases = [f"r{i}" for i in range(5)], [f"b{i}" for i in range(4)], [f"p{i}" for i in range(3)]
    by_reason = TableSpec("A", "A", "placements", reasons, phases,
                          Counter((reasons[r], phases[p]) for r, _, p in items))
    by_band = TableSpec("B", "B", "placements", bands, phases, Counter((bands[b], phases[p]) for _, b, p in items))
    (a, _), (b, _) = publish_together([by_reason, by_band], shared_column_margins(0, by_reason, 1, by_band))
    margins = [(x == "c", y == "c") for x, y in zip((*a.column_totals, a.grand_total),
                                                    (*b.column_totals, b.grand_total), strict=True)]
    assert all(x == y for x, y in margins)
    attacker = Attacker()
    attacker.read(a, lambda row, column: ("A", row, column))
    attacker.read(b, lambda row, column: ("B", row, column))
    for p in phases:
        same: dict[object, float] = {("A", r, p): 1.0 for r in reasons}
        same.update({("B", band, p): -1.0 for band in bands})
        attacker.relation(same, p)
    assert attacker.recovered() == []


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    data = Dataset()
    for _ in range(draw(st.integers(1, 14))):
        start = FIRST_DAY + timedelta(days=draw(st.integers(0, DAYS - 1)))
        length = draw(st.one_of(st.none(), st.integers(1, 400)))
        end = None if length is None or start + timedelta(days=length) > date(2026, 7, 31) else (
            start + timedelta(days=length))
        reason = None if end is None else draw(st.sampled_from(
            [PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL, PlacementEndReason.PLACE_WITHDRAWN,
             PlacementEndReason.MANAGED_MOVE]))
        ks = draw(st.sampled_from([KeyStage.KS2, KeyStage.KS3]))
        p = PlacementFact(uuid4(), uuid4(), "prov", draw(st.sampled_from(["school-a", "school-b", "school-c"])),
                          draw(st.sampled_from(PARTNERSHIPS)), start, ks, draw(st.booleans()), end, reason)
        data.placements.append(p)
        last = end or date(2026, 7, 31)
        span = (last - start).days
        for _ in range(draw(st.integers(0, 3))):
            day = start + timedelta(days=draw(st.integers(0, span)))
            data.incidents.append(IncidentFact(p.placement_id, day, draw(st.sampled_from(CATEGORIES)),
                                               draw(st.sampled_from([Severity.LOW_LEVEL, Severity.SERIOUS]))))
        if draw(st.booleans()):
            day = start + timedelta(days=draw(st.integers(0, span)))
            data.suspensions.append(SuspensionFact(p.pupil_ref, p.placement_id, day, draw(st.integers(1, 6)),
                                                   academic_year_of(day), phase_of(ks)))
        if draw(st.integers(0, 3)) == 0:
            day = start + timedelta(days=draw(st.integers(0, span)))
            data.exclusions.append(PermanentExclusionFact(p.pupil_ref, p.placement_id, day, academic_year_of(day),
                                                          phase_of(ks), reinstated=draw(st.integers(0, 4)) == 0))
    for _ in range(draw(st.integers(0, 10))):  # pupils excluded from schools, never placed
        day = FIRST_DAY + timedelta(days=draw(st.integers(0, DAYS - 1)))
        data.exclusions.append(PermanentExclusionFact(uuid4(), None, day, academic_year_of(day),
                                                      draw(st.sampled_from(list(Phase)))))
        data.suspensions.append(SuspensionFact(uuid4(), None, day, 2, academic_year_of(day),
                                               draw(st.sampled_from(list(Phase)))))
    return data


@given(datasets())
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_an_attacker_with_every_allowed_query_recovers_no_hidden_figure(data: Dataset) -> None:
    assert recovered(data) == []
