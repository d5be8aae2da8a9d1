"""Report assembly from facts: exact weekly counts for the home school, suppressed tables for every
report that leaves the organisation."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from ap_contracts.events.pupil_vocabulary import (
    IncidentCategory,
    KeyStage,
    PlacementEndReason,
    RewardKind,
    Severity,
)
from ap_reporting.adapters.csv_render import tables_csv, weekly_csv
from ap_reporting.domain.facts import (
    AttendanceFact,
    IncidentFact,
    PermanentExclusionFact,
    PlacementFact,
    RewardFact,
    SuspensionFact,
)
from ap_reporting.domain.la_figures import AnnualReport, assemble_annual
from ap_reporting.domain.partnership import PartnershipReport, assemble_partnership
from ap_reporting.domain.periods import academic_year_period
from ap_reporting.domain.published import Table, publish, publish_derived
from ap_reporting.domain.vocabulary import (
    Period,
    Phase,
    phase_of,
    school_week,
    stay_band,
)
from ap_reporting.domain.weekly import assemble_weekly, percent
from ap_testing.reporting.tables import assert_agrees, assert_publishable

WEEK = school_week(date(2025, 3, 12))
TERM = Period(date(2025, 1, 6), date(2025, 4, 4))


def placement(home: str = "school-a", np: str = "np-north", start: date = date(2025, 1, 13),
              end: date | None = None, reason: PlacementEndReason | None = None, ks: KeyStage = KeyStage.KS2,
              outside: bool = False) -> PlacementFact:
    return PlacementFact(uuid4(), uuid4(), "prov-north", home, np, start, ks, outside, end, reason)


# -- vocabulary -------------------------------------------------------------------------------------

def test_phases_split_primary_and_secondary() -> None:
    assert phase_of(KeyStage.EYFS) is phase_of(KeyStage.KS2) is Phase.PRIMARY
    assert phase_of(KeyStage.KS3) is phase_of(KeyStage.KS5) is Phase.SECONDARY
    assert phase_of(None) is Phase.NOT_KNOWN


def test_periods() -> None:
    assert school_week(date(2025, 3, 16)) == Period(date(2025, 3, 10), date(2025, 3, 16))
    assert academic_year_period("2024/25") == Period(date(2024, 8, 1), date(2025, 7, 31))
    with pytest.raises(ValueError):
        Period(date(2025, 2, 1), date(2025, 1, 1))


def test_a_period_holds_its_first_and_last_day_and_every_day_between_and_no_other() -> None:
    week = Period(date(2025, 3, 10), date(2025, 3, 16))
    assert date(2025, 3, 10) in week and date(2025, 3, 13) in week and date(2025, 3, 16) in week
    assert date(2025, 3, 9) not in week and date(2025, 3, 17) not in week


@pytest.mark.parametrize(("days", "band"), [(1, "under 6 weeks"), (41, "under 6 weeks"), (42, "6 to 12 weeks"),
                                            (84, "12 to 26 weeks"), (182, "26 weeks or more")])
def test_length_of_stay_bands(days: int, band: str) -> None:
    assert stay_band(days) == band


# -- weekly report (stays with the home school: exact counts) -----------------------------------------

def test_the_weekly_report_counts_each_learner_s_week_exactly() -> None:
    mine, other_school, ended_before = placement(), placement(home="school-b"), placement(end=date(2025, 2, 28))
    monday = WEEK.first_day
    attendance = [AttendanceFact(mine.placement_id, monday + timedelta(days=d), attended=d != 2, possible=True)
                  for d in range(5)]
    attendance += [AttendanceFact(mine.placement_id, monday - timedelta(days=1), True, True)]  # last week
    incidents = [IncidentFact(mine.placement_id, monday, IncidentCategory.BULLYING, Severity.SERIOUS),
                 IncidentFact(mine.placement_id, monday, IncidentCategory.THEFT, Severity.SERIOUS),
                 IncidentFact(mine.placement_id, monday, IncidentCategory.THEFT, Severity.LOW_LEVEL)]
    rewards = [RewardFact(mine.placement_id, monday, RewardKind.REWARD_SLIP, 4),
               RewardFact(mine.placement_id, monday, RewardKind.CERTIFICATE, 1)]
    report = assemble_weekly("school-a", WEEK, [mine, other_school, ended_before], attendance, incidents, rewards)
    [line] = report.learners
    assert (line.pupil_ref, line.sessions_possible, line.sessions_attended) == (mine.pupil_ref, 5, 4)
    assert line.attendance_percent == Decimal("80.0")
    assert line.incidents_by_severity == {1: 1, 2: 0, 3: 2, 4: 0, 5: 0} and line.incidents_total == 3
    assert line.rewards_total == 5 and line.rewards_by_kind["reward_slip"] == 4
    assert "pupil_ref" in weekly_csv(report) and str(mine.pupil_ref) in weekly_csv(report)


def test_a_learner_with_no_marks_has_no_attendance_rate() -> None:
    [line] = assemble_weekly("school-a", WEEK, [placement()], [], [], []).learners
    assert line.attendance_percent is None and line.sessions_possible == 0
    assert percent(2, 3) == Decimal("66.7")


# -- termly partnership report (leaves the organisation: suppressed) -----------------------------------

def _partnership_facts() -> tuple[list[PlacementFact], list[IncidentFact], list[SuspensionFact],
                                  list[PermanentExclusionFact]]:
    placements = [placement(home=f"school-{i % 4}") for i in range(9)]
    placements += [placement(ks=KeyStage.KS1, outside=True)]
    placements += [placement(end=date(2025, 3, 1), reason=PlacementEndReason.PLACE_WITHDRAWN)]
    placements += [placement(np="np-south")]
    incidents = [IncidentFact(p.placement_id, date(2025, 2, 3), IncidentCategory.BULLYING, Severity.SERIOUS)
                 for p in placements[:7]]
    incidents += [IncidentFact(placements[0].placement_id, date(2025, 2, 3), IncidentCategory.THEFT, Severity.CRITICAL)]
    incidents += [IncidentFact(placements[0].placement_id, date(2025, 5, 3), IncidentCategory.THEFT, Severity.CRITICAL)]
    suspensions = [SuspensionFact(p.pupil_ref, p.placement_id, date(2025, 2, 10), 2, "2024/25", Phase.PRIMARY)
                   for p in placements[:4]]
    exclusions = [PermanentExclusionFact(placements[5].pupil_ref, placements[5].placement_id, date(2025, 3, 3),
                                         "2024/25", Phase.PRIMARY)]
    return placements, incidents, suspensions, exclusions


def test_the_partnership_report_suppresses_small_counts_and_keeps_totals_consistent() -> None:
    placements, incidents, _, _ = _partnership_facts()
    report = assemble_partnership("np-north", TERM, placements, incidents)
    tables = {t.name: t for t in report.tables}
    for table in report.tables:
        assert_publishable(table)
    assert tables["pupils_served"].grand_total == 11
    assert tables["schools_supported"].grand_total == 5  # school-0..3 and school-a
    by_stage = tables["placements_by_key_stage"]
    assert by_stage.column_totals[1] == "c"  # one out-of-key-stage placement
    incidents_table = tables["incidents_by_category_and_severity"]
    assert incidents_table.grand_total == 8  # the May incident is outside the term
    # Exclusions are published by academic year only (the LA's annual figures would subtract them).
    assert "exclusions_by_phase" not in tables


def test_no_report_leaving_the_organisation_carries_a_pupil_ref() -> None:
    placements, incidents, suspensions, exclusions = _partnership_facts()
    pupil_refs = {str(p.pupil_ref) for p in placements} | {str(p.placement_id) for p in placements}
    reports: list[PartnershipReport | AnnualReport] = [
        assemble_partnership("np-north", TERM, placements, incidents),
        assemble_annual("2024/25", placements, suspensions, exclusions),
    ]
    for report in reports:
        text = report.model_dump_json() + tables_csv(report.tables)
        assert not any(ref in text for ref in pupil_refs)
        assert "pupil_ref" not in text


# -- LA annual figures and strategy data ---------------------------------------------------------------

def _excluded(year: str, phase: Phase, n: int, reinstated: bool = False) -> list[PermanentExclusionFact]:
    return [PermanentExclusionFact(uuid4(), None, date(int(year[:4]), 10, 1), year, phase, reinstated)
            for _ in range(n)]


def _annual_table(year: str, name: str, suspensions: list[SuspensionFact],
                  exclusions: list[PermanentExclusionFact]) -> Table:
    return next(t for t in assemble_annual(year, [], suspensions, exclusions).tables if t.name == name)


def test_permanent_exclusions_count_unless_reinstated_by_year_and_phase() -> None:
    exclusions = _excluded("2023/24", Phase.PRIMARY, 3) + _excluded("2023/24", Phase.SECONDARY, 6)
    exclusions += _excluded("2024/25", Phase.PRIMARY, 4) + _excluded("2024/25", Phase.SECONDARY, 5)
    exclusions += _excluded("2024/25", Phase.SECONDARY, 1, reinstated=True)
    pex = _annual_table("2024/25", "permanent_exclusions", [], exclusions)
    assert pex.row_labels == ("2024/25",) and pex.column_labels == ("primary", "secondary", "not_known")
    assert pex.cells == ((4, 5, 0),) and pex.grand_total == 9  # not the reinstated one, nor another year's


def test_a_year_with_one_or_two_exclusions_is_suppressed_with_what_would_give_it_away() -> None:
    exclusions = _excluded("2023/24", Phase.PRIMARY, 2) + _excluded("2024/25", Phase.SECONDARY, 5)
    pex = _annual_table("2023/24", "permanent_exclusions", [], exclusions)
    assert pex.cells[0][0] == "c" and pex.row_totals[0] == "c"
    assert_agrees(pex, [[2, 0, 0]])
    assert_publishable(pex)


def test_days_lost_are_hidden_wherever_the_pupils_behind_them_are() -> None:
    def suspended(phase: Phase, half_days: int, pupil: UUID | None = None) -> SuspensionFact:
        return SuspensionFact(pupil or uuid4(), None, date(2024, 11, 4), half_days, "2024/25", phase)

    repeat = uuid4()
    suspensions = [suspended(Phase.SECONDARY, 4) for _ in range(5)]
    suspensions += [suspended(Phase.SECONDARY, 3, repeat), suspended(Phase.SECONDARY, 1, repeat)]
    suspensions += [suspended(Phase.PRIMARY, 2), suspended(Phase.PRIMARY, 6)]
    pupils = _annual_table("2024/25", "pupils_suspended", suspensions, [])
    days = _annual_table("2024/25", "suspension_days_lost", suspensions, [])
    # 2 primary pupils (4 half days), 6 secondary pupils (the repeat counts once; 24 half days)
    assert_agrees(pupils, [[2, 6, 0]])
    assert pupils.cells[0][0] == "c" and days.cells[0][0] == "c"
    assert [v == "c" for v in pupils.values()] == [v == "c" for v in days.values()]
    assert days.cells[0][1] in ("c", Decimal(12))
    assert_publishable(pupils)


def test_the_annual_report_counts_placements_ended_in_the_year() -> None:
    ends = [(PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL, 60)] * 4 + [(PlacementEndReason.MANAGED_MOVE, 200)] * 3
    placements = [placement(start=date(2024, 9, 2), end=date(2024, 9, 2) + timedelta(days=d - 1), reason=r)
                  for r, d in ends]
    placements += [placement(start=date(2023, 9, 4), end=date(2024, 6, 1), reason=PlacementEndReason.LEFT_AREA)]
    placements += [placement(start=date(2024, 9, 2))]  # still open
    report = assemble_annual("2024/25", placements, [], [])
    tables = {t.name: t for t in report.tables}
    by_reason = tables["placements_by_end_reason"]
    assert by_reason.grand_total == 7
    assert by_reason.cells[0][0] == 4 and by_reason.cells[1][0] == 3
    stays = tables["length_of_stay"]
    assert stays.cells[1][0] == 4 and stays.cells[3][0] == 3
    assert report.mean_length_of_stay_days == Decimal("120.0")  # (4 x 60 + 3 x 200) / 7
    assert report.reintegration_rate_percent == Decimal("57.1")
    for table in report.tables:
        assert_publishable(table)


def test_rates_resting_on_one_or_two_placements_are_suppressed() -> None:
    placements = [placement(start=date(2024, 9, 2), end=date(2024, 12, 1), reason=PlacementEndReason.MANAGED_MOVE)]
    report = assemble_annual("2024/25", placements, [], [])
    assert report.mean_length_of_stay_days == "c" and report.reintegration_rate_percent == "c"
    assert assemble_annual("2024/25", [], [], []).reintegration_rate_percent == "z"


# -- the shared suppression, as reports use it -------------------------------------------------------------

def test_publish_uses_the_shared_suppression_and_derived_figures_follow_its_pattern() -> None:
    counts = {("a", "x"): 1, ("a", "y"): 5, ("b", "x"): 7, ("b", "y"): 9}
    table, pattern = publish("t", "T", "pupils", ["a", "b"], ["x", "y"], counts)
    assert (table.cells[0][0] == "c" and table.row_totals[0] == "c") or table.cells[0][1] == "c"
    assert_publishable(table)
    derived = publish_derived("d", "D", "days", pattern, table, {k: Decimal(v * 2) for k, v in counts.items()})
    assert [v == "c" for v in derived.values()] == [v == "c" for v in table.values()]
    with pytest.raises(ValueError):
        publish("t", "T", "pupils", ["a"], ["x"], {("z", "x"): 3})


def test_published_tables_render_as_long_csv() -> None:
    table, _ = publish("t", "T", "pupils", ["a", "b"], ["x"], {("a", "x"): 4, ("b", "x"): 1})
    lines = tables_csv([table]).splitlines()
    assert lines[0] == "table,unit,row,column,value"
    assert "t,pupils,b,x,c" in lines and "t,pupils,a,x,c" in lines and "t,pupils,Total,Total,5" in lines
    assert json.loads(table.model_dump_json())["cells"][1] == ["c"]
