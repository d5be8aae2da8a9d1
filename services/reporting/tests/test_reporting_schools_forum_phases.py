"""The Schools Forum's exclusion tables by phase of school and their rates per 100 on roll (issue 15, seed 004):
unit tests of ``domain/schools_forum_phases.py`` on hand-made facts, the rates worked out here."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

from ap_contracts.events.commissioning_headcounts import SchoolPhase
from ap_contracts.events.pupil_vocabulary import ExclusionReason
from ap_reporting.domain.published import Table
from ap_reporting.domain.schools_forum import PERMANENT, SUSPENSION, ExclusionReasonFact
from ap_reporting.domain.schools_forum_phases import NOT_RECORDED, SchoolRoll, phase_tables
from ap_testing.reporting.tables import assert_publishable

DB = ExclusionReason.DISRUPTIVE_BEHAVIOUR
ROLLS = [SchoolRoll("2023/24", "pri", SchoolPhase.PRIMARY, 4000),
         SchoolRoll("2023/24", "sec", SchoolPhase.SECONDARY, 3000),
         SchoolRoll("2023/24", "spe", SchoolPhase.SPECIAL, 200),
         SchoolRoll("2023/24", "ap", SchoolPhase.ALTERNATIVE_PROVISION, 50)]


def excluded(school: str, n: int, *, reinstated: bool = False, year: str = "2023/24") -> list[ExclusionReasonFact]:
    return [ExclusionReasonFact(PERMANENT, year, DB, reinstated, uuid4(), school) for _ in range(n)]


def suspended(school: str, half_days: list[int]) -> list[ExclusionReasonFact]:
    pupil = uuid4()
    return [ExclusionReasonFact(SUSPENSION, "2023/24", DB, False, pupil, school, h) for h in half_days]


def tables(facts: list[ExclusionReasonFact], rolls: list[SchoolRoll] = ROLLS) -> dict[str, Table]:
    return {t.name: t for t in phase_tables(["2023/24"], facts, rolls)}


def test_a_rate_is_count_per_100_on_roll_of_the_schools_phase_and_reinstatements_do_not_count() -> None:
    facts = excluded("pri", 6) + excluded("sec", 9) + excluded("sec", 4, reinstated=True) + excluded("spe", 3)
    t = tables(facts)
    pex, rates = t["permanent_exclusions_by_phase"], t["permanent_exclusion_rate"]
    assert pex.cells[0][:4] == (6, 9, 3, 0) and pex.row_totals == (18,)
    assert rates.cells[0][:4] == (Decimal("0.15"), Decimal("0.30"), Decimal("1.50"), Decimal("0.00"))
    assert rates.row_totals == (Decimal("0.25"),)  # 18 / 7250 x 100
    assert rates.cells[0][4] == "z"  # "not recorded" has no roll


def test_a_pupil_suspended_twice_is_one_pupil_and_half_days_add_up() -> None:
    facts = suspended("sec", [1, 4]) + suspended("sec", [3]) + suspended("sec", [2]) + suspended("pri", [2, 2, 2])
    facts += suspended("pri", [1]) + suspended("pri", [6])
    t = tables(facts)
    assert t["pupils_suspended_by_phase"].cells[0][:2] == (3, 3)
    assert t["suspensions_by_phase"].cells[0][:2] == (5, 4)
    assert t["suspension_days_lost_by_phase"].cells[0][:2] == (Decimal("6.5"), Decimal(5))
    assert t["pupils_suspended_rate"].cells[0][1] == Decimal("0.10")  # 3 / 3000


def test_small_counts_hide_their_rates_and_an_unrecorded_school_leaves_the_total_rate_not_applicable() -> None:
    facts = excluded("pri", 2) + excluded("sec", 7) + excluded("spe", 5) + excluded("unknown-school", 4)
    t = tables(facts)
    pex, rates = t["permanent_exclusions_by_phase"], t["permanent_exclusion_rate"]
    assert pex.cells[0][0] == "c" and rates.cells[0][0] == "c"
    hidden = [j for j, v in enumerate(pex.cells[0]) if v == "c"]
    assert all(rates.cells[0][j] == "c" for j in hidden)  # a rate never shows a hidden count
    assert pex.cells[0][4] == 4 or 4 in hidden
    assert rates.row_totals == ("z",)
    assert_publishable(pex)


def test_the_phase_is_the_schools_as_recorded_for_that_year() -> None:
    moved = [SchoolRoll("2024/25", "sec", SchoolPhase.ALTERNATIVE_PROVISION, 100)]
    facts = excluded("sec", 3) + excluded("sec", 4, year="2024/25")
    by_year = {t.name: t for t in phase_tables(["2023/24", "2024/25"], facts, ROLLS + moved)}
    pex = by_year["permanent_exclusions_by_phase"]
    columns = pex.column_labels
    assert pex.cells[0][columns.index("secondary")] == 3
    assert pex.cells[1][columns.index("alternative_provision")] == 4
    assert by_year["permanent_exclusion_rate"].cells[1][columns.index("alternative_provision")] == Decimal("4.00")
    assert NOT_RECORDED in columns
