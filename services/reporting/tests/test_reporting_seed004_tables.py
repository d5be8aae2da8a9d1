"""Seed 004's Schools Forum tables reproduced from pupil-level facts (issue 15, second "What it must show").

The facts are generated so that their counts, by the DfE definitions, are the seed's published
figures, with traps among them that a naive count would get wrong: permanent exclusions the
governing board reinstated (they do not count), pupils suspended more than once (one pupil) and
lunchtime suspensions (half days add up), children referred twice in a year (one child).

Suppression: the Schools Forum is outside the organisation, so its tables pass the one shared
suppression function (``ap_runtime.privacy.suppression``). The seed itself printed 1s and 2s
(primary permanent exclusions 1 in 2009/10 and 2 in 2012/13; Fair Access 69+ and 100+ days). The
tests check (a) the published table shows ``c`` for every seed figure of 1 or 2 and the seed's figure
everywhere else it shows a number, with the yearly totals ("No. of Pupils") all shown, and (b) for
Fair Access, the exact counts (the LA's own view, ``suppressed=False``) are the seed's table cell by
cell. These are unit tests of the domain assembly: feeding the same facts through the incidents and
commissioning HTTP APIs is not done yet; the referrals and Fair Access cases go through Kafka into the
reporting projection in ``test_reporting_commissioning_facts``. The facts: ``ap_testing.reporting.seed004``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import uuid4

from ap_contracts.events.commissioning_headcounts import SchoolPhase
from ap_contracts.events.pupil_vocabulary import ExclusionReason
from ap_reporting.domain.facts import PermanentExclusionFact, SuspensionFact
from ap_reporting.domain.la_figures import assemble_strategy
from ap_reporting.domain.published import Table
from ap_reporting.domain.schools_forum import (
    PERMANENT,
    SUSPENSION,
    ExclusionReasonFact,
    FairAccessFact,
    exclusion_reasons_table,
    fair_access_table,
    panel_referrals_table,
)
from ap_reporting.domain.schools_forum_phases import SchoolRoll
from ap_testing.reporting.seed004 import (
    FAIR_ACCESS,
    FAIR_ACCESS_TOTAL,
    FPE_2013,
    PANELS,
    PEX_PRIMARY,
    PEX_PUPILS,
    PEX_SECONDARY,
    PEX_YEARS,
    REFERRALS,
    cumulative_reading,
    exclusions,
    exclusive_reading,
    referrals,
    suspensions,
)
from ap_testing.reporting.tables import assert_publishable

SCHOOL_OF_PHASE = {"primary": "school-pri", "secondary": "school-sec"}


def strategy_tables(years: Sequence[str], facts: Sequence[PermanentExclusionFact | SuspensionFact]) -> dict[str, Table]:
    """The strategy tables (by the phase of the excluding school) of the facts, each at a school of its phase."""
    records = [ExclusionReasonFact(PERMANENT if isinstance(f, PermanentExclusionFact) else SUSPENSION, f.academic_year,
                                   ExclusionReason.DISRUPTIVE_BEHAVIOUR,
                                   isinstance(f, PermanentExclusionFact) and f.reinstated, f.pupil_ref,
                                   SCHOOL_OF_PHASE[f.phase.value], getattr(f, "half_days", 0)) for f in facts]
    rolls = [SchoolRoll(year, school, SchoolPhase(phase), 5000) for year in years
             for phase, school in SCHOOL_OF_PHASE.items()]
    return {t.name: t for t in assemble_strategy(years, records, rolls).tables}


def test_permanent_exclusions_2009_to_2015_by_phase_are_the_seeds_with_reinstatements_not_counted() -> None:
    # three academic years a request at most (rule report.year_range_limit): the seed's six years are two
    ranges = [strategy_tables(PEX_YEARS[i:i + 3], exclusions())["permanent_exclusions_by_phase"] for i in (0, 3)]
    for published in ranges:
        assert_publishable(published)
    pex = ranges[0].model_copy(update={"row_labels": PEX_YEARS, "cells": ranges[0].cells + ranges[1].cells,
                                       "row_totals": ranges[0].row_totals + ranges[1].row_totals})
    assert pex.row_labels == PEX_YEARS
    assert pex.row_totals == PEX_PUPILS  # the seed's "No. of Pupils" row, every year shown
    primary, secondary = pex.column_labels.index("primary"), pex.column_labels.index("secondary")
    for y in range(len(PEX_YEARS)):
        for column, seed in ((primary, PEX_PRIMARY[y]), (secondary, PEX_SECONDARY[y])):
            shown = pex.cells[y][column]
            assert shown in ("c", seed), (y, column, shown)  # suppression hides, never alters
            if seed in (1, 2):
                assert shown == "c"
            elif PEX_PRIMARY[y] not in (1, 2):
                assert shown == seed  # a year with no small figure is printed as the seed printed it


def test_fixed_period_exclusions_2013_14_count_pupils_once_and_add_half_days() -> None:
    facts = [s for phase, (n, days) in FPE_2013.items() for s in suspensions(phase, n, days)]
    assert len(facts) > sum(n for n, _ in FPE_2013.values())  # repeated suspensions are among the facts
    assert any(s.half_days % 2 for s in facts)  # and half days
    tables = strategy_tables(["2013/14"], facts)
    columns = tables["pupils_suspended_by_phase"].column_labels
    for phase, (pupils, days) in FPE_2013.items():
        j = columns.index(phase.value)
        assert tables["pupils_suspended_by_phase"].cells[0][j] == pupils
        assert tables["suspension_days_lost_by_phase"].cells[0][j] == Decimal(days)


def test_panel_referrals_2012_to_2015_count_each_child_once_a_year() -> None:
    table = panel_referrals_table(list(REFERRALS), referrals())
    assert table.row_labels == tuple(REFERRALS)
    assert [row[0] for row in table.cells] == list(REFERRALS.values())
    assert table.grand_total == sum(REFERRALS.values())


def _seed_rows(table: Table) -> list[tuple[object, ...]]:
    return [*table.cells, table.column_totals]


def test_fair_access_2011_12_by_panel_area_is_the_seed_table_under_either_reading_of_the_bands() -> None:
    cumulative = fair_access_table("2011/12", PANELS, cumulative_reading(), cumulative=True, suppressed=False)
    assert _seed_rows(cumulative) == [*(FAIR_ACCESS[p] for p in PANELS), FAIR_ACCESS_TOTAL]
    exclusive = fair_access_table("2011/12", PANELS, exclusive_reading(), cumulative=False, suppressed=False)
    bands = [row[1:] for row in _seed_rows(exclusive)]  # after the "under 38 days" column
    assert bands == [*(FAIR_ACCESS[p][1:] for p in PANELS), FAIR_ACCESS_TOTAL[1:]]
    assert exclusive.row_totals == tuple(FAIR_ACCESS[p][0] for p in PANELS)
    assert exclusive.grand_total == FAIR_ACCESS_TOTAL[0]


def test_fair_access_as_published_hides_the_seeds_ones_and_twos_and_shows_nothing_else_but_the_seed() -> None:
    published = fair_access_table("2011/12", PANELS, cumulative_reading(), cumulative=True)
    seed = [*(FAIR_ACCESS[p] for p in PANELS), FAIR_ACCESS_TOTAL]
    for shown_row, seed_row in zip(_seed_rows(published), seed, strict=True):
        for shown, figure in zip(shown_row, seed_row, strict=True):
            assert shown in ("c", figure), (shown, figure)
            if figure in (1, 2):
                assert shown == "c"
    assert published.grand_total == 51
    exclusive = fair_access_table("2011/12", PANELS, exclusive_reading(), cumulative=False)
    assert_publishable(exclusive)


def test_a_fair_access_case_for_a_panel_the_report_does_not_know_is_refused_not_dropped() -> None:
    stray = FairAccessFact(uuid4(), "somerset", date(2012, 3, 1), 40)
    try:
        fair_access_table("2011/12", PANELS, [stray], cumulative=True)
    except ValueError as error:
        assert "somerset" in str(error)
    else:
        raise AssertionError("a case of an unknown panel was counted nowhere without a word")


def test_cases_closed_outside_the_year_do_not_count() -> None:
    facts = [*cumulative_reading(), FairAccessFact(uuid4(), "bath", date(2012, 8, 1), 120)]
    table = fair_access_table("2011/12", PANELS, facts, cumulative=True, suppressed=False)
    assert table.cells[0] == FAIR_ACCESS["bath"]


def test_exclusions_by_reason_count_each_exclusion_once_and_leave_out_the_reinstated() -> None:
    facts = [ExclusionReasonFact(SUSPENSION, "2013/14", ExclusionReason.DISRUPTIVE_BEHAVIOUR) for _ in range(7)]
    facts += [ExclusionReasonFact(PERMANENT, "2013/14", ExclusionReason.DRUG_AND_ALCOHOL) for _ in range(4)]
    facts += [ExclusionReasonFact(PERMANENT, "2013/14", ExclusionReason.DRUG_AND_ALCOHOL, reinstated=True),
              ExclusionReasonFact(SUSPENSION, "2012/13", ExclusionReason.DRUG_AND_ALCOHOL)]
    table = exclusion_reasons_table("2013/14", facts)
    rows = dict(zip(table.row_labels, table.cells, strict=True))
    assert rows["DB"] == (7, 0) and rows["DA"] == (0, 4)
    assert table.grand_total == 11
