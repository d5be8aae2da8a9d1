"""Issue 15: the exclusion strategy tables and the Schools Forum tables, published by one rule, attacked together.

Both reports split the same exclusions by phase of school with rates per 100 on roll
(``schools_forum_phases.exclusion_tables``); the Forum's adds each year's exclusions by DfE reason code, whose
column totals are the year's suspensions and permanent exclusions. The attacker (``ap_testing.reporting.attacker``)
reads every range of academic years each report can be asked for (one to three years; the Forum in both band
layouts), knows that the reasons and the phases count the same exclusions and that a pupil suspended is at least
one suspension, and solves for every hidden figure of both reports at once: it must recover none. (A hidden figure
of the cumulative Fair Access layout is a sum of bands, not a count of its own: the bands, read from the exclusive
layout, are what must stay hidden.) Datasets are generated from fixed seeds with many 1s and 2s, schools without a
recorded roll and reinstated exclusions. Before the suspensions were suppressed with the pupils suspended, seed 2
recovered a hidden 0 of pupils suspended from the suspensions' shown 0.
"""

from __future__ import annotations

import random
from datetime import date
from functools import partial
from uuid import uuid4

import pytest

from ap_contracts.events.commissioning_headcounts import SchoolPhase
from ap_contracts.events.pupil_vocabulary import ExclusionReason
from ap_reporting.domain.la_figures import StrategyReport, assemble_strategy
from ap_reporting.domain.periods import MAX_ACADEMIC_YEARS
from ap_reporting.domain.published import Table
from ap_reporting.domain.schools_forum import (
    PERMANENT,
    SUSPENSION,
    ExclusionReasonFact,
    FairAccessFact,
    PanelReferralFact,
)
from ap_reporting.domain.schools_forum_phases import PHASE_COLUMNS, SchoolRoll
from ap_reporting.domain.schools_forum_report import SchoolsForumReport, assemble_schools_forum
from ap_runtime.privacy.suppression import SUPPRESSED
from ap_testing.reporting.attacker import Atom, Attacker, Figure
from ap_testing.reporting.report_attack import RATE_UNIT, read_exclusions_by_phase

YEARS = ("2021/22", "2022/23", "2023/24", "2024/25")
SCHOOLS = {"pri-1": SchoolPhase.PRIMARY, "pri-2": SchoolPhase.PRIMARY, "sec-1": SchoolPhase.SECONDARY,
           "spe-1": SchoolPhase.SPECIAL, "ap-1": SchoolPhase.ALTERNATIVE_PROVISION}
UNROLLED = "no-roll"  # a school whose roll the LA never recorded: its exclusions count under "not recorded"
REASONS = (ExclusionReason.DISRUPTIVE_BEHAVIOUR, ExclusionReason.PHYSICAL_ASSAULT_PUPIL,
           ExclusionReason.VERBAL_ABUSE_ADULT)
PANELS = ("north", "south")
Data = tuple[list[ExclusionReasonFact], list[SchoolRoll], list[PanelReferralFact], list[FairAccessFact]]


def _exclusions(rng: random.Random, year: str, school: str) -> list[ExclusionReasonFact]:
    facts = [ExclusionReasonFact(PERMANENT, year, rng.choice(REASONS), rng.random() < 0.2, uuid4(), school,
                                 record_id=uuid4()) for _ in range(rng.choice((0, 0, 1, 2, 3, 4)))]
    for _ in range(rng.choice((0, 1, 2, 3, 5))):
        pupil = uuid4()
        facts += [ExclusionReasonFact(SUSPENSION, year, rng.choice(REASONS), False, pupil, school, rng.randint(1, 6),
                                      uuid4()) for _ in range(rng.randint(1, 3))]
    return facts


def dataset(seed: int) -> Data:
    rng = random.Random(seed)
    records: list[ExclusionReasonFact] = []
    rolls: list[SchoolRoll] = []
    referrals: list[PanelReferralFact] = []
    cases: list[FairAccessFact] = []
    for year in YEARS:
        first = int(year[:4])
        rolls += [SchoolRoll(year, school, phase, rng.randint(40, 900)) for school, phase in SCHOOLS.items()]
        for school in (*SCHOOLS, UNROLLED):
            records += _exclusions(rng, year, school)
        children = [uuid4() for _ in range(rng.choice((0, 1, 2, 4)))]
        referrals += [PanelReferralFact(uuid4(), rng.choice(PANELS), child, date(first, 10, 1)) for child in children]
        cases += [FairAccessFact(uuid4(), rng.choice(PANELS), date(first + 1, 2, 1), rng.choice((10, 40, 70, 120)))
                  for _ in range(rng.choice((0, 1, 3)))]
    return records, rolls, referrals, cases


def ranges() -> list[list[str]]:
    """Every range of academic years a reader may ask either report for."""
    return [list(YEARS[i:j]) for i in range(len(YEARS))
            for j in range(i + 1, min(i + MAX_ACADEMIC_YEARS, len(YEARS)) + 1)]


def every_report(data: Data) -> tuple[list[StrategyReport], list[SchoolsForumReport]]:
    records, rolls, referrals, cases = data
    strategy = [assemble_strategy(years, records, rolls) for years in ranges()]
    forum = [assemble_schools_forum(years, referrals, cases, records, rolls, cumulative=cumulative)
             for years in ranges() for cumulative in (True, False)]
    return strategy, forum


def _cumulative_bands(attacker: Attacker, table: Table) -> None:
    """The seed's layout: cases, then cases with at least each threshold of days, each a sum of exclusive bands."""
    bands = len(table.column_labels)  # cases + one column per threshold = the exclusive bands' count
    year = table.name.removeprefix("fair_access_")
    for row, cells in zip((*table.row_labels, None), (*table.cells, table.column_totals), strict=True):
        for j, value in enumerate(cells):
            panels = [row] if row is not None else list(table.row_labels)
            terms = tuple((("fair_access", year, p, b), 1.0) for p in panels for b in range(j, bands))
            label = f"{table.name}[{row or 'Total'}, {table.column_labels[j]}]"
            shown = None if value == SUPPRESSED else float(value)
            # a hidden cumulative figure is a sum of bands: the bands are what stays hidden (the exclusive layout's
            # cells, read as targets); the sum may be known where the bands it adds are not
            attacker.figures.append(Figure(terms, shown, 0.0, label, target=False))


def _read_forum(attacker: Attacker, report: SchoolsForumReport) -> None:
    read_exclusions_by_phase(attacker, [t for t in report.tables if t.name.endswith("_by_phase")
                                        or t.name in ("pupils_on_roll", "panel_referrals")])
    for table in report.tables:
        if table.name.startswith("exclusion_reasons_"):
            attacker.read(table, partial(_reason_atom, table.name))
        elif table.name.startswith("fair_access_") and not report.cumulative_bands:
            attacker.read(table, partial(_band_atom, table))
        elif table.name.startswith("fair_access_"):
            _cumulative_bands(attacker, table)


def _reason_atom(name: str, row: str, column: str) -> Atom:
    return ("reason", name, row, column)


def _band_atom(table: Table, row: str, column: str) -> Atom:
    """A Fair Access cell: the year's panel and exclusive band (by its place, as the cumulative layout sums them)."""
    return ("fair_access", table.name.removeprefix("fair_access_"), row, table.column_labels.index(column))


def _what_a_reader_knows(attacker: Attacker) -> None:
    """The reasons and the phases count the same exclusions; a pupil suspended had at least one suspension."""
    for year in YEARS:
        reasons = f"exclusion_reasons_{year.replace('/', '_')}"
        for kind, by_phase in ((PERMANENT, "permanent_exclusions_by_phase"), (SUSPENSION, "suspensions_by_phase")):
            same: dict[Atom, float] = {("year", by_phase, year, c): 1.0 for c in PHASE_COLUMNS}
            same.update({("reason", reasons, r.value, kind): -1.0 for r in ExclusionReason})
            attacker.relation(same, f"{kind} by reason = by phase, {year}")
        for c in PHASE_COLUMNS:
            attacker.at_least({("year", "suspensions_by_phase", year, c): 1.0,
                               ("year", "pupils_suspended_by_phase", year, c): -1.0}, 0.0,
                              f"suspensions >= pupils suspended, {year} {c}")


def attack(data: Data) -> Attacker:
    strategy, forum = every_report(data)
    attacker = Attacker()
    for s in strategy:
        read_exclusions_by_phase(attacker, s.tables)
    for f in forum:
        _read_forum(attacker, f)
    _what_a_reader_knows(attacker)
    # the same figure read from several reports or ranges is one fact: solved once
    attacker.figures = list(dict.fromkeys(attacker.figures))
    return attacker


@pytest.mark.parametrize("seed", range(6))
def test_no_hidden_figure_of_either_report_is_recovered_from_both_over_every_range(seed: int) -> None:
    attacker = attack(dataset(seed))
    hidden = [f for f in attacker.figures if f.target]
    assert hidden, "the dataset must hide something, or the attack proves nothing"
    assert [r.label for r in attacker.recovered()] == []


@pytest.mark.parametrize("seed", range(6))
def test_the_strategy_tables_are_the_forums_tables_by_phase_for_every_range(seed: int) -> None:
    strategy, forum = every_report(dataset(seed))
    for s, f in zip(strategy, forum[::2], strict=True):
        by_phase = tuple(t for t in f.tables if t.name in {t.name for t in s.tables})
        assert s.tables == by_phase


@pytest.mark.parametrize("seed", range(6))
def test_a_year_total_hidden_by_phase_is_hidden_by_reason_and_a_rate_shows_only_over_a_shown_count(seed: int) -> None:
    for report in every_report(dataset(seed))[1]:
        tables = {t.name: t for t in report.tables}
        for year_index, year in enumerate(report.academic_years):
            reasons = tables[f"exclusion_reasons_{year.replace('/', '_')}"]
            for column, by_phase in enumerate(("suspensions_by_phase", "permanent_exclusions_by_phase")):
                total = tables[by_phase].row_totals[year_index]
                assert (total == SUPPRESSED) == (reasons.column_totals[column] == SUPPRESSED), (year, by_phase)
        for rate in (t for t in report.tables if t.unit == RATE_UNIT):
            counted = tables[{"permanent_exclusion_rate": "permanent_exclusions_by_phase",
                              "suspension_rate": "suspensions_by_phase",
                              "pupils_suspended_rate": "pupils_suspended_by_phase"}[rate.name]]
            for rates, counts in zip(rate.cells, counted.cells, strict=True):
                assert all(c != SUPPRESSED for r, c in zip(rates, counts, strict=True) if not isinstance(r, str))
