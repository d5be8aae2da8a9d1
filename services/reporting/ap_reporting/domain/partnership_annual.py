"""The figures of a Neighbourhood Partnership's annual report (seed 001 appendix 3): service delivery
(pupils and schools supported, placements by key stage and outside it) and performance indicators
(attendance, reintegration rate, length of stay) for one academic year, computed from the facts
reporting holds. Counts only, suppressed (STATUTORY.md, small numbers).

Rule served (issue 15): a profile of the pupils by SEND, sex or ethnicity is shown only from clear
fields. Sex is a clear field of PupilRegistered (and PupilDetailsUpdated), so the pupils served are
shown by sex; SEN status and ethnicity are sealed personal data (``Personal`` fields), which reporting
never holds, so the report carries no such profile and says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from uuid import UUID

from ap_contracts.events.pupil_vocabulary import PlacementEndReason, Sex
from ap_reporting.domain.facts import AttendanceFact, PlacementFact
from ap_reporting.domain.la_figures import Rate
from ap_reporting.domain.notes import PERIOD_NOTE, SUPPRESSION_NOTE
from ap_reporting.domain.partnership import reach_tables
from ap_reporting.domain.periods import academic_year_period
from ap_reporting.domain.published import ReportModel, Table, TableSpec
from ap_runtime.privacy.suppression import suppress_rate

PROFILE_NOTE = ("No profile of the pupils by SEND or ethnicity is shown: SEN status and ethnicity are sealed "
                "personal data that the reporting service does not hold.")
NOT_RECORDED = "not recorded"
OUTCOMES_NOTE = ("Attendance counts the sessions recorded at the partnership's provisions in the year; the "
                 "reintegration rate and length of stay count placements that ended in the year.")


class PartnershipAnnualFigures(ReportModel):
    report: str = "partnership_annual"
    partnership_id: str
    academic_year: str
    tables: tuple[Table, ...]
    attendance_percent: Rate
    reintegration_rate_percent: Rate
    mean_length_of_stay_days: Rate
    notes: tuple[str, ...] = (SUPPRESSION_NOTE, PERIOD_NOTE, OUTCOMES_NOTE, PROFILE_NOTE)


def _by_sex(active: Sequence[PlacementFact], sexes: Mapping[UUID, Sex]) -> TableSpec:
    """The pupils served, each once, by the sex their home school recorded (a pupil the read model has no
    registration for is 'not recorded')."""
    counts = Counter(("pupils", sexes[ref].value if ref in sexes else NOT_RECORDED)
                     for ref in {p.pupil_ref for p in active})
    return TableSpec("pupils_by_sex", "Pupils served, by sex", "pupils", ["pupils"],
                     [*(s.value for s in Sex), NOT_RECORDED], counts)


def assemble_partnership_annual(partnership_id: str, academic_year: str, placements: Sequence[PlacementFact],
                                attendance: Sequence[AttendanceFact], *,
                                sexes: Mapping[UUID, Sex]) -> PartnershipAnnualFigures:
    """The partnership's placements open in the year, and the outcomes of those that ended in it."""
    year = academic_year_period(academic_year)
    ours = [p for p in placements if p.partnership_id == partnership_id]
    active = [p for p in ours if p.active_during(year)]
    ended = [p for p in ours if p.end_date is not None and p.end_reason is not None and p.end_date in year]
    open_ids = {p.placement_id for p in active}
    sessions = [a for a in attendance if a.placement_id in open_ids and a.possible and a.session_date in year]
    reintegrated = sum(1 for p in ended if p.end_reason is PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL)
    return PartnershipAnnualFigures(
        partnership_id=partnership_id, academic_year=academic_year,
        tables=tuple(reach_tables(active, [_by_sex(active, sexes)])),
        attendance_percent=suppress_rate(sum(1 for a in sessions if a.attended), len(sessions), proportion=True,
                                         places=1),
        reintegration_rate_percent=suppress_rate(reintegrated, len(ended), proportion=True, places=1),
        mean_length_of_stay_days=suppress_rate(sum(p.length_of_stay_days() or 0 for p in ended), len(ended),
                                               per=1, places=1))
