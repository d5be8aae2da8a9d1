"""The Schools Forum strategy tables beyond exclusions (seed 004, appendix 1): referrals to the
Behaviour and Attendance Panels per academic year, and In-Year Fair Access cases per panel area with
the school days the pupils were without a place, in the seed's bands (38+, 69+, 100+).

Counting rules (seed 004; DfE Fair Access Protocols, 2021):
- A referral counts the child once per academic year ("348 children referred" in 2012/13), in the
  academic year of the day it was made, however many referrals the child had that year.
- A Fair Access case counts in the academic year it closed: only then is its wait known
  (``FairAccessCaseClosed.school_days_without_place``, school days counted on the LA's calendar).
- Reasons: one per exclusion by its primary reason code, reinstated permanent exclusions left out.
- The seed does not say whether its bands are cumulative ("38+" including the 69+ and 100+ cases)
  or exclusive ("38 to 68"); its figures fit both readings. So it is a parameter: the counts are kept
  in exclusive bands (which add up to the cases, so the one shared suppression function protects them
  like any count table) and the cumulative view is the sum of the bands at or above each threshold,
  shown only where every band it adds is shown (a cumulative figure over a hidden band would give
  the band away by subtraction).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from uuid import UUID

from ap_contracts.events.pupil_vocabulary import ExclusionReason
from ap_reporting.domain.periods import academic_year_of
from ap_reporting.domain.published import Table, TableSpec, Value, grid, publish, stack_rows
from ap_runtime.privacy.suppression import SUPPRESSED

FAIR_ACCESS_THRESHOLDS: tuple[int, ...] = (38, 69, 100)
"""Seed 004's bands of school days without a place."""

REFERRALS_COLUMN = "children referred"
SUSPENSION = "suspensions"
PERMANENT = "permanent exclusions"


@dataclass(frozen=True, slots=True)
class PanelReferralFact:
    """One referral to a Behaviour and Attendance Panel (commissioning's ``PanelReferralMade``)."""

    referral_id: UUID
    panel_id: str
    pupil_ref: UUID
    referred_on: date


@dataclass(frozen=True, slots=True)
class FairAccessFact:
    """One closed In-Year Fair Access case (commissioning's ``FairAccessCaseClosed``)."""

    case_id: UUID
    panel_id: str
    closed_on: date
    school_days_without_place: int


@dataclass(frozen=True, slots=True)
class ExclusionReasonFact:
    """One suspension or permanent exclusion (``kind``) and its primary reason (DfE census code); the pupil
    (pseudonymous), the excluding school and a suspension's half days count the tables by phase of school."""

    kind: str
    academic_year: str
    reason: ExclusionReason
    reinstated: bool = False
    pupil_ref: UUID | None = None
    home_school_id: str | None = None
    half_days: int = 0
    record_id: UUID | None = None  # the event it was recorded by: what a figure's trace lists (figure_trace)


def exclusion_reasons_spec(academic_year: str, facts: Sequence[ExclusionReasonFact]) -> TableSpec:
    """Suspensions and permanent exclusions of the year by primary reason, as the DfE statistics count
    them: one per exclusion; a reinstated permanent exclusion does not count. Its column totals are the
    year's suspensions and permanent exclusions, the figures the tables by phase total to, so it is
    published with them (``schools_forum_phases``)."""
    counts = Counter((f.reason.value, f.kind) for f in facts if f.academic_year == academic_year and not f.reinstated)
    return TableSpec(f"exclusion_reasons_{academic_year.replace('/', '_')}",
                     f"Suspensions and permanent exclusions in {academic_year} by reason (DfE code)", "exclusions",
                     [r.value for r in ExclusionReason], [SUSPENSION, PERMANENT], counts)


def exclusion_reasons_table(academic_year: str, facts: Sequence[ExclusionReasonFact]) -> Table:
    """The reasons table published on its own (suppressed)."""
    spec = exclusion_reasons_spec(academic_year, facts)
    table, _ = publish(spec.name, spec.title, spec.unit, spec.rows, spec.columns, spec.counts)
    return table


def referral_counts(years: Sequence[str], referrals: Sequence[PanelReferralFact]) -> dict[str, int]:
    """Children referred per academic year: a child referred twice in a year counts once."""
    children: dict[str, set[UUID]] = defaultdict(set)
    for r in referrals:
        children[academic_year_of(r.referred_on)].add(r.pupil_ref)
    return {year: len(children[year]) for year in years}


def panel_referrals_table(years: Sequence[str], referrals: Sequence[PanelReferralFact]) -> Table:
    """Referrals to the panels by academic year, as published (small counts suppressed). Each year is published
    alone and the years stacked (``stack_rows``): suppressed over the range together, a year hidden in one range
    would be the range's total less the years another range shows."""
    title = "Children referred to the Behaviour and Attendance Panels"
    rows = [publish("panel_referrals", title, "children", [year], [REFERRALS_COLUMN], {(year, REFERRALS_COLUMN): n})[0]
            for year, n in referral_counts(years, referrals).items()]
    return stack_rows("panel_referrals", title, "children", years, rows)


def band_labels(thresholds: Sequence[int] = FAIR_ACCESS_THRESHOLDS) -> list[str]:
    """Exclusive bands: under the first threshold, each threshold up to the next, the last and over."""
    labels = [f"under {thresholds[0]} days"]
    labels += [f"{low} to {high - 1} days" for low, high in pairwise(thresholds)]
    return [*labels, f"{thresholds[-1]}+ days"]


def _band(days: int, thresholds: Sequence[int]) -> int:
    return sum(1 for t in thresholds if days >= t)


def fair_access_counts(academic_year: str, panels: Sequence[str], cases: Sequence[FairAccessFact],
                       thresholds: Sequence[int] = FAIR_ACCESS_THRESHOLDS) -> dict[tuple[str, str], int]:
    """Cases closed in the year per (panel, exclusive band); a panel not listed is an error, not dropped."""
    labels = band_labels(thresholds)
    counts: Counter[tuple[str, str]] = Counter()
    for case in cases:
        if academic_year_of(case.closed_on) != academic_year:
            continue
        if case.panel_id not in panels:
            raise ValueError(f"Fair Access case {case.case_id} is for panel {case.panel_id!r}, "
                             f"not one of the report's panel areas {list(panels)}")
        counts[(case.panel_id, labels[_band(case.school_days_without_place, thresholds)])] += 1
    return dict(counts)


def _sum_shown(values: Sequence[Value]) -> Value:
    total = 0
    for v in values:
        if not isinstance(v, int):
            return SUPPRESSED
        total += v
    return total


def _cumulative(bands: Table, thresholds: Sequence[int]) -> Table:
    """Cases, then cases with at least each threshold of days: sums of the exclusive bands at or above it."""
    columns = ("cases", *(f"{t}+ days without placement" for t in thresholds))

    def line(cells: Sequence[Value], total: Value) -> tuple[Value, ...]:
        return (total, *(_sum_shown(cells[i:]) for i in range(1, len(cells))))

    rows = tuple(line(row, total) for row, total in zip(bands.cells, bands.row_totals, strict=True))
    totals = line(bands.column_totals, bands.grand_total)
    return Table(name="fair_access", title=bands.title, unit=bands.unit, row_labels=bands.row_labels,
                 column_labels=columns, cells=rows, row_totals=tuple(row[0] for row in rows),
                 column_totals=totals, grand_total=totals[0])


def _exact(name: str, title: str, unit: str, rows: Sequence[str], columns: Sequence[str],
           counts: Mapping[tuple[str, str], int]) -> Table:
    """The counts as they are, for the local authority's own use (never for a report leaving it)."""
    cells = grid(counts, rows, columns)
    return Table(name=name, title=title, unit=unit, row_labels=tuple(rows), column_labels=tuple(columns),
                 cells=tuple(tuple(row) for row in cells), row_totals=tuple(sum(row) for row in cells),
                 column_totals=tuple(sum(col) for col in zip(*cells, strict=True)),
                 grand_total=sum(sum(row) for row in cells))


def fair_access_table(academic_year: str, panels: Sequence[str], cases: Sequence[FairAccessFact], *,
                      cumulative: bool, thresholds: Sequence[int] = FAIR_ACCESS_THRESHOLDS,
                      suppressed: bool = True) -> Table:
    """Fair Access cases per panel area by school days without a place, as published.

    ``cumulative=False``: exclusive bands whose row totals are the cases. ``cumulative=True``: the
    seed's layout, the cases and then the cases with at least 38, 69, 100 days (the row "total" of
    this layout is the cases, its first column). ``suppressed=False`` gives the exact counts, for the
    local authority's own use only: every table that leaves it is suppressed."""
    if list(thresholds) != sorted(set(thresholds)) or not thresholds or thresholds[0] < 1:
        raise ValueError(f"thresholds must be increasing positive school days, got {list(thresholds)}")
    counts: Mapping[tuple[str, str], int] = fair_access_counts(academic_year, panels, cases, thresholds)
    title = f"In-Year Fair Access cases closed in {academic_year}, by school days without a place"
    if suppressed:
        bands, _ = publish("fair_access", title, "cases", panels, band_labels(thresholds), counts)
    else:
        bands = _exact("fair_access", title, "cases", panels, band_labels(thresholds), counts)
    return _cumulative(bands, thresholds) if cumulative else bands
