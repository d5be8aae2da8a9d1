"""The Schools Forum panel report (seed 004, appendix 1): permanent exclusions, suspensions, pupils suspended
and days lost per academic year by phase of school (primary, secondary, special, alternative provision) with
rates per 100 pupils on roll (``schools_forum_phases``), referrals to the Behaviour and Attendance Panels per
academic year, each year's In-Year Fair Access cases per panel area and its suspensions and permanent
exclusions by DfE reason code, all published (suppressed). The strategy report (``la_figures``) splits the
same exclusions by the pupil's key stage instead, for years the LA recorded no rolls."""

from __future__ import annotations

from collections.abc import Sequence

from ap_reporting.domain.notes import PERIOD_NOTE, STACKED_NOTE, SUPPRESSION_NOTE
from ap_reporting.domain.published import ReportModel, Table
from ap_reporting.domain.schools_forum import (
    FAIR_ACCESS_THRESHOLDS,
    ExclusionReasonFact,
    FairAccessFact,
    PanelReferralFact,
    exclusion_reasons_table,
    fair_access_table,
    panel_referrals_table,
)
from ap_reporting.domain.schools_forum_phases import SchoolRoll, phase_tables

BANDS_NOTE = ("Fair Access cases count in the academic year they closed, by the school days the pupil was without "
              "a place. Cumulative bands: 38+ includes the 69+ and 100+ cases; exclusive bands do not overlap.")
PHASE_NOTE = ("Exclusions count in the phase of the excluding school as the LA recorded it with the school's roll; "
              "rates are per 100 pupils on roll; a reinstated permanent exclusion does not count; a pupil suspended "
              "more than once in a year is one pupil; exclusions from a school whose roll was not recorded count "
              "under 'not recorded', without a rate.")


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
    by_reason = [exclusion_reasons_table(year, reasons) for year in years]
    return SchoolsForumReport(academic_years=tuple(years), cumulative_bands=cumulative,
                              tables=(*phase_tables(years, reasons, rolls), panel_referrals_table(years, referrals),
                                      *fair_access, *by_reason))
