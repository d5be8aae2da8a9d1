"""Rule report.trace_shown_cells on the annual report's own tables (``domain/annual_trace.py``): each shown cell's
trace lists exactly the records its figure was counted from; a suppressed cell and every total have none."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from ap_contracts.events.commissioning_headcounts import SchoolPhase
from ap_contracts.events.pupil_vocabulary import ExclusionReason, KeyStage, PlacementEndReason
from ap_reporting.domain.annual_trace import annual_traced_tables, strategy_traced_tables, trace_annual_figure
from ap_reporting.domain.facts import PermanentExclusionFact, PlacementFact, SuspensionFact
from ap_reporting.domain.figure_trace import traceable_cells
from ap_reporting.domain.la_figures import assemble_annual, assemble_strategy
from ap_reporting.domain.schools_forum import PERMANENT, SUSPENSION, ExclusionReasonFact
from ap_reporting.domain.schools_forum_phases import SchoolRoll
from ap_reporting.domain.vocabulary import Phase

YEAR = "2024/25"
REINTEGRATED = PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL.value


def ended(key_stage: KeyStage, reason: PlacementEndReason) -> PlacementFact:
    return PlacementFact(uuid4(), uuid4(), "prov-1", "school-1", "np-1", date(2024, 9, 2), key_stage, False,
                         date(2025, 3, 28), reason)


def facts() -> tuple[list[PlacementFact], list[SuspensionFact], list[PermanentExclusionFact]]:
    placements = [ended(KeyStage.KS2, PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL) for _ in range(6)]
    placements += [ended(KeyStage.KS3, PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL) for _ in range(5)]
    # small cells in a rectangle (managed moves and specialist provision, each phase): hidden, and the rest shown
    placements += [ended(stage, reason) for stage, reason, count in (
        (KeyStage.KS2, PlacementEndReason.MANAGED_MOVE, 1), (KeyStage.KS3, PlacementEndReason.MANAGED_MOVE, 2),
        (KeyStage.KS2, PlacementEndReason.SPECIALIST_PROVISION, 2),
        (KeyStage.KS3, PlacementEndReason.SPECIALIST_PROVISION, 1)) for _ in range(count)]
    suspensions = [SuspensionFact(uuid4(), None, date(2024, 11, 4), 2, YEAR, Phase.SECONDARY, uuid4())
                   for _ in range(4)]
    suspensions += [SuspensionFact(uuid4(), None, date(2024, 11, 4), 2, "2023/24", Phase.SECONDARY, uuid4())]
    return placements, suspensions, []


def test_a_shown_cell_lists_exactly_the_records_counted_and_a_hidden_cell_or_total_none() -> None:
    placements, suspensions, exclusions = facts()
    report = assemble_annual(YEAR, placements, suspensions, exclusions)
    primary = trace_annual_figure(report, placements, suspensions, exclusions, "placements_by_end_reason",
                                  REINTEGRATED, "primary")
    assert primary is not None and primary.figure == 6
    assert set(primary.records) == {p.placement_id for p in placements[:6]}
    suspended = trace_annual_figure(report, placements, suspensions, exclusions, "pupils_suspended", YEAR,
                                    "secondary")
    assert suspended is not None and set(suspended.records) == {s.record_id for s in suspensions[:4]}
    assert trace_annual_figure(report, placements, suspensions, exclusions, "placements_by_end_reason",
                               PlacementEndReason.MANAGED_MOVE.value, "secondary") is None
    for row, column in ((REINTEGRATED, "Total"), ("Total", "primary"), ("Total", "Total")):
        assert trace_annual_figure(report, placements, suspensions, exclusions, "placements_by_end_reason",
                                   row, column) is None


def test_only_shown_cells_are_traceable_in_every_table_of_the_report() -> None:
    placements, suspensions, exclusions = facts()
    report = assemble_annual(YEAR, placements, suspensions, exclusions)
    for traced in annual_traced_tables(report, placements, suspensions, exclusions):
        table = traced.table
        for i, row in enumerate(table.row_labels):
            for j, column in enumerate(table.column_labels):
                shown = not isinstance(table.cells[i][j], str) and table.cells[i][j] != 0
                assert ((row, column) in traceable_cells(table)) is shown, (table.name, row, column)
    assert {t.table.name for t in annual_traced_tables(report, placements, suspensions, exclusions)} == {
        "permanent_exclusions", "pupils_suspended", "suspension_days_lost", "placements_by_end_reason",
        "length_of_stay"}


def test_a_strategy_cell_traces_the_records_counted_in_it_by_the_phase_of_the_excluding_school() -> None:
    rolls = [SchoolRoll(year, "sec-1", SchoolPhase.SECONDARY, 900) for year in ("2023/24", YEAR)]

    def record(kind: str, year: str, school: str, reinstated: bool = False) -> ExclusionReasonFact:
        return ExclusionReasonFact(kind, year, ExclusionReason.DISRUPTIVE_BEHAVIOUR, reinstated, uuid4(), school, 2,
                                   uuid4())

    suspensions = [record(SUSPENSION, YEAR, "sec-1") for _ in range(4)] + [record(SUSPENSION, "2023/24", "sec-1")]
    standing = [record(PERMANENT, YEAR, "sec-1") for _ in range(3)]
    records = [*suspensions, *standing, record(PERMANENT, YEAR, "sec-1", reinstated=True),
               *(record(PERMANENT, YEAR, "unrolled") for _ in range(3))]
    strategy = assemble_strategy(["2023/24", YEAR], records, rolls)
    traced = {t.table.name: t for t in strategy_traced_tables(strategy, records, rolls)}
    assert set(traced) == {"permanent_exclusions_by_phase", "suspensions_by_phase", "pupils_suspended_by_phase",
                           "suspension_days_lost_by_phase"}
    pupils = traced["pupils_suspended_by_phase"]
    assert set(pupils.records[(YEAR, "secondary")]) == {s.record_id for s in suspensions[:4]}
    assert set(traced["permanent_exclusions_by_phase"].records[(YEAR, "secondary")]) == {e.record_id for e in standing}
    assert len(traced["permanent_exclusions_by_phase"].records[(YEAR, "not recorded")]) == 3
    assert ("2023/24", "secondary") not in traceable_cells(pupils.table)  # a 1: hidden
