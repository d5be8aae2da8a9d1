"""The Schools Forum's exclusion tables by phase of school, with rates per 100 pupils on roll (issue 15,
seed 004; STATUTORY.md, DfE "Suspensions and permanent exclusions in England").

Counting rules (DfE definitions):
- a permanent exclusion counts once it stands: one the governing board reinstated does not count;
- suspensions are counted as suspensions and as pupils: a pupil suspended several times in a year is one
  pupil (in each phase of school that suspended them); days lost add the half days (a lunchtime is half
  a day) and are halved;
- the phase is the phase of the excluding school as the LA recorded it with the school's roll for that
  year (primary, secondary, special, alternative provision), so a rate's count and its denominator are
  split alike; an exclusion from a school whose roll the LA did not record counts under "not recorded",
  which has no rate (z), and then the year's overall rate is z as well (its denominator would be short);
- rate = count / pupils on roll x 100, two places, hidden (c) wherever its count is hidden or rests on
  1 or 2 (``suppress_rate``), z where no roll is recorded.

Each academic year is suppressed on its own, together with its table by reason (whose column totals are the
year's suspensions and permanent exclusions, the totals of the tables by phase), and the years are stacked
(``stack_rows``), so overlapping ranges cannot be subtracted to recover a hidden year. The exclusion strategy
tables (``la_figures``) are these same tables: one rule publishes both reports, so a cell hidden in one is
hidden in the other and neither shows a figure the other's hidden cells could be worked out from.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from ap_contracts.events.commissioning_headcounts import SchoolPhase
from ap_reporting.domain.published import (
    Link,
    Table,
    TableSpec,
    Value,
    publish,
    publish_derived,
    publish_together,
    stack_rows,
)
from ap_reporting.domain.schools_forum import PERMANENT, SUSPENSION, ExclusionReasonFact, exclusion_reasons_spec
from ap_runtime.privacy.suppression import NOT_APPLICABLE, SUPPRESSED, suppress_rate

NOT_RECORDED = "not recorded"
PHASE_COLUMNS: tuple[str, ...] = (*(p.value for p in SchoolPhase), NOT_RECORDED)


@dataclass(frozen=True, slots=True)
class SchoolRoll:
    """A school's pupils on roll in an academic year and its phase (commissioning's ``PupilsOnRollRecorded``)."""

    academic_year: str
    school_id: str
    phase: SchoolPhase
    pupils: int


@dataclass(frozen=True, slots=True)
class _Year:
    """One academic year's exact counts per (year, phase column), before anything is published."""

    roll: Counter[tuple[str, str]]
    permanent: Counter[tuple[str, str]]
    suspensions: Counter[tuple[str, str]]
    pupils: dict[tuple[str, str], int]
    half_days: Counter[tuple[str, str]]


def schools_phases(year: str, rolls: Sequence[SchoolRoll]) -> dict[str, str]:
    """Each school's phase column in ``year``, as the LA recorded it with the school's roll."""
    return {r.school_id: r.phase.value for r in rolls if r.academic_year == year}


def phase_column(fact: ExclusionReasonFact, phases: Mapping[str, str]) -> str:
    """The column an exclusion counts in: its school's recorded phase, else "not recorded"."""
    return phases.get(fact.home_school_id or "", NOT_RECORDED)


def _count(year: str, records: Sequence[ExclusionReasonFact], rolls: Sequence[SchoolRoll]) -> _Year:
    phases = schools_phases(year, rolls)
    roll: Counter[tuple[str, str]] = Counter()
    for r in rolls:
        if r.academic_year == year:
            roll[(year, r.phase.value)] += r.pupils
    permanent: Counter[tuple[str, str]] = Counter()
    suspensions: Counter[tuple[str, str]] = Counter()
    pupils: dict[tuple[str, str], set[UUID | None]] = defaultdict(set)
    half_days: Counter[tuple[str, str]] = Counter()
    for f in records:
        if f.academic_year != year or f.reinstated:
            continue
        key = (year, phase_column(f, phases))
        if f.kind == PERMANENT:
            permanent[key] += 1
        elif f.kind == SUSPENSION:
            suspensions[key] += 1
            pupils[key].add(f.pupil_ref)
            half_days[key] += f.half_days
    return _Year(roll, permanent, suspensions, {k: len(v) for k, v in pupils.items()}, half_days)


def _rates(name: str, title: str, year: str, counted: Table, exact: Mapping[tuple[str, str], int],
           roll: Mapping[tuple[str, str], int]) -> Table:
    """Per 100 on roll, for the one year of ``counted``: hidden where the count is hidden."""

    def rate(shown: Value, count: int, pupils: int) -> Value:
        return SUPPRESSED if shown == SUPPRESSED else suppress_rate(count, pupils, per=100, places=2)

    cells = tuple(rate(counted.cells[0][j], exact.get((year, c), 0), roll.get((year, c), 0))
                  for j, c in enumerate(PHASE_COLUMNS))
    unrecorded = exact.get((year, NOT_RECORDED), 0)
    total: Value = NOT_APPLICABLE if unrecorded else rate(
        counted.row_totals[0], sum(exact.get((year, c), 0) for c in PHASE_COLUMNS), sum(roll.values()))
    return Table(name=name, title=title, unit="per 100 pupils on roll", row_labels=(year,),
                 column_labels=PHASE_COLUMNS, cells=(cells,), row_totals=(total,),
                 column_totals=tuple(NOT_APPLICABLE for _ in PHASE_COLUMNS), grand_total=NOT_APPLICABLE)


def _totals_links(specs: Sequence[TableSpec]) -> list[Link]:
    """Tables 0 to 3 (permanent exclusions, suspensions and pupils suspended by phase, the reasons) publish the same
    figures: the year's permanent exclusions and suspensions are the rows' totals by phase and the reasons' column
    totals; and a year's suspensions are hidden where its pupils suspended are (a figure of 1 or 2 pupils' doing,
    whose zeros would otherwise show where the pupils' are hidden). Each is hidden in all or in none. A total of 0
    is not linked: 0 is shown (nothing to hide), and a forced hidden 0 leaves suppression nothing beside it to hide."""
    phase_total, margin = (0, len(PHASE_COLUMNS)), len(specs[3].rows)
    links: list[Link] = [((i, phase_total), (3, (margin, list(specs[3].columns).index(kind))))
                         for i, kind in enumerate((PERMANENT, SUSPENSION)) if sum(specs[i].counts.values())]
    if sum(specs[2].counts.values()):
        links.append(((2, phase_total), (1, phase_total)))
    return links


def _year_tables(year: str, records: Sequence[ExclusionReasonFact],
                 rolls: Sequence[SchoolRoll]) -> tuple[list[Table], Table]:
    """One year's tables by phase, and its reasons table, suppressed together (``_totals_links``)."""
    n = _count(year, records, rolls)
    on_roll, _ = publish("pupils_on_roll", "Pupils on roll (school census, as the LA recorded it)", "pupils",
                         [year], PHASE_COLUMNS, n.roll)
    specs = [TableSpec("permanent_exclusions_by_phase", "Permanent exclusions by phase of school", "exclusions",
                       [year], PHASE_COLUMNS, n.permanent),
             TableSpec("suspensions_by_phase", "Suspensions by phase of school", "suspensions", [year],
                       PHASE_COLUMNS, n.suspensions),
             TableSpec("pupils_suspended_by_phase", "Pupils with one or more suspensions, by phase of school",
                       "pupils", [year], PHASE_COLUMNS, n.pupils),
             exclusion_reasons_spec(year, records)]
    (pex, _), (susp, _), (pupils, pattern), (by_reason, _) = publish_together(specs, _totals_links(specs))
    days = publish_derived("suspension_days_lost_by_phase", "School days lost to suspension by those pupils", "days",
                           pattern, pupils, {k: Decimal(v) / 2 for k, v in n.half_days.items()})
    return [on_roll, pex,
            _rates("permanent_exclusion_rate", "Permanent exclusions per 100 pupils on roll", year, pex,
                   n.permanent, n.roll),
            susp, _rates("suspension_rate", "Suspensions per 100 pupils on roll", year, susp, n.suspensions, n.roll),
            pupils, _rates("pupils_suspended_rate", "Pupils with one or more suspensions per 100 pupils on roll",
                           year, pupils, n.pupils, n.roll),
            days], by_reason


def _stack_rates(years: Sequence[str], rows: Sequence[Table]) -> Table:
    """Rates over several years side by side; a rate has no total over years (z)."""
    first = rows[0]
    return first.model_copy(update={"row_labels": tuple(years), "cells": tuple(t.cells[0] for t in rows),
                                    "row_totals": tuple(t.row_totals[0] for t in rows)})


@dataclass(frozen=True, slots=True)
class ExclusionTables:
    """A range of academic years' exclusion tables as they leave the LA: by phase of school, the years stacked,
    and each year's table by reason."""

    by_phase: list[Table]
    by_reason: list[Table]


def exclusion_tables(years: Sequence[str], records: Sequence[ExclusionReasonFact],
                     rolls: Sequence[SchoolRoll]) -> ExclusionTables:
    """Pupils on roll, permanent exclusions, suspensions and pupils suspended with their rates per 100 on
    roll, and days lost, by academic year and phase of school; each year suppressed alone with its reasons
    table (the one rule both the Schools Forum and the strategy tables are published by), then stacked."""
    by_year = [_year_tables(year, records, rolls) for year in years]
    stacked: list[Table] = []
    for i, first in enumerate(by_year[0][0]):
        rows = [tables[i] for tables, _ in by_year]
        if first.unit == "per 100 pupils on roll":
            stacked.append(_stack_rates(years, rows))
        else:
            stacked.append(stack_rows(first.name, first.title, first.unit, years, rows))
    return ExclusionTables(stacked, [by_reason for _, by_reason in by_year])


def phase_tables(years: Sequence[str], records: Sequence[ExclusionReasonFact],
                 rolls: Sequence[SchoolRoll]) -> list[Table]:
    """The tables by phase of school of ``exclusion_tables``."""
    return exclusion_tables(years, records, rolls).by_phase
