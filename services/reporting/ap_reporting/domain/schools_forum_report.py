"""The Schools Forum panel report (seed 004, appendix 1): permanent exclusions, suspensions, pupils suspended
and days lost per academic year by phase of school (primary, secondary, special, alternative provision) with
rates per 100 pupils on roll (``schools_forum_phases``), referrals to the Behaviour and Attendance Panels per
academic year, each year's In-Year Fair Access cases per panel area and its suspensions and permanent
exclusions by DfE reason code, all published (suppressed). The strategy report (``la_figures``) publishes
the same tables by phase, by the same rule (``schools_forum_phases.exclusion_tables``)."""

from __future__ import annotations

from collections.abc import Sequence

from ap_reporting.domain.notes import PERIOD_NOTE, PHASE_NOTE, STACKED_NOTE, SUPPRESSION_NOTE
from ap_reporting.domain.published import ReportModel, Table
from ap_reporting.domain.schools_forum import (
    FAIR_ACCESS_THRESHOLDS,
    ExclusionReasonFact,
    FairAccessFact,
    PanelReferralFact,
    fair_access_table,
    panel_referrals_table,
)
from ap_reporting.domain.schools_forum_phases import SchoolRoll, exclusion_tables

BANDS_NOTE = ("Fair Access cases count in the academic year they closed, by the school days the pupil was without "
              "a place. Cumulative bands: 38+ includes the 69+ and 100+ cases; exclusive bands do not overlap.")


class SchoolsForumReport(ReportModel):
    report: str = "schools_forum_panels"
    academic_years: tuple[str, ...]
    cumulative_bands: bool
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = (SUPPRESSION_NOTE, PERIOD_NOTE, STACKED_NOTE, BANDS_NOTE, PHASE_NOTE)


def assemble_schools_forum(years: Sequence[str], referrals: Sequence[PanelReferralFact],
                           cases: Sequence[FairAccessFact], reasons: Sequence[ExclusionReasonFact],
                           rolls: Sequence[SchoolRoll] = (), *, cumulative: bool) -> SchoolsForumReport:
    """The exclusion tables by phase over the years, the referrals, then per year the Fair Access table and the
    exclusions by reason; the panel areas are every panel with a referral or a case (public bodies: naming
    one tells nothing of a pupil)."""
    panels = sorted({r.panel_id for r in referrals} | {c.panel_id for c in cases})
    fair_access = [fair_access_table(year, panels, cases, cumulative=cumulative, thresholds=FAIR_ACCESS_THRESHOLDS)
                   .model_copy(update={"name": f"fair_access_{year.replace('/', '_')}"}) for year in years]
    exclusions = exclusion_tables(years, reasons, rolls)
    return SchoolsForumReport(academic_years=tuple(years), cumulative_bands=cumulative,
                              tables=(*exclusions.by_phase, panel_referrals_table(years, referrals),
                                      *fair_access, *exclusions.by_reason))
