"""The termly report to a Neighbourhood Partnership (BRIEF.md section 4): pupils served, schools
supported, out-of-key-stage placements and incidents by category, for the provisions the
partnership is served by. Counts only; every table is suppressed for publication.

Published for terms only (``periods.OFFERED``), never an arbitrary window (rule report.fixed_period).
Pupils served and the placements open are nearly always the same number, so the two are hidden
together. Suspensions, permanent exclusions and places withdrawn are not broken down here: the
local authority reads every partnership's termly report and its own annual figures, whose year
totals are the sums of those terms, so a year minus its terms' shown figures would give a hidden
term's count away. They are published once, by academic year (``la_figures``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from ap_contracts.events.pupil_vocabulary import IncidentCategory, KeyStage, Severity
from ap_reporting.domain.facts import IncidentFact, PlacementFact
from ap_reporting.domain.notes import PERIOD_NOTE, SUPPRESSION_NOTE
from ap_reporting.domain.published import ReportModel, Table, TableSpec, publish, publish_together
from ap_reporting.domain.vocabulary import Period

WITHIN, OUTSIDE = "within key stage", "outside key stage"


class PartnershipReport(ReportModel):
    report: str = "termly_partnership"
    partnership_id: str
    period_start: date
    period_end: date
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = (SUPPRESSION_NOTE, PERIOD_NOTE)


def reach_tables(active: Sequence[PlacementFact], pupils_by: Sequence[TableSpec] = ()) -> list[Table]:
    """Pupils served, schools supported and placements by key stage, within or outside it, of the placements
    open in a period (the termly report, and the partnership's annual report for a year).

    ``pupils_by``: further breakdowns of the same pupils (the annual report's pupils by sex), appended in
    order; their grand totals are the pupils served, so all are suppressed together (a total hidden in one
    table is hidden in every other)."""
    by_stage = Counter((p.pupil_key_stage.value, OUTSIDE if p.outside_key_stage else WITHIN) for p in active)
    placements = TableSpec("placements_by_key_stage", "Placements open in the period, by the pupil's key stage",
                           "placements", [k.value for k in KeyStage], [WITHIN, OUTSIDE], by_stage)
    served = TableSpec("pupils_served", "Pupils served", "pupils", ["all"], ["pupils"],
                       {("all", "pupils"): len({p.pupil_ref for p in active})})
    specs = [served, placements, *pupils_by]
    links = [((0, served.grand_total()), (i, spec.grand_total())) for i, spec in enumerate(specs) if i > 0]
    [pupils, by_key_stage, *breakdowns] = [table for table, _ in publish_together(specs, links)]
    schools, _ = publish("schools_supported", "Home schools with a pupil placed", "schools", ["all"], ["schools"],
                         {("all", "schools"): len({p.home_school_id for p in active})})
    return [pupils, schools, by_key_stage, *breakdowns]


def _incidents(period: Period, active: Sequence[PlacementFact], incidents: Sequence[IncidentFact]) -> Table:
    ours = {p.placement_id for p in active}
    counts = Counter((i.category.value, str(int(i.severity))) for i in incidents
                     if i.placement_id in ours and i.happened_on in period)
    table, _ = publish("incidents_by_category_and_severity", "Incidents by category and severity (1 low to 5)",
                       "incidents", [c.value for c in IncidentCategory], [str(int(s)) for s in Severity], counts)
    return table


def assemble_partnership(partnership_id: str, period: Period, placements: Sequence[PlacementFact],
                         incidents: Sequence[IncidentFact]) -> PartnershipReport:
    """The report over the partnership's placements open during ``period`` (one term)."""
    active = [p for p in placements if p.partnership_id == partnership_id and p.active_during(period)]
    tables = [*reach_tables(active), _incidents(period, active, incidents)]
    return PartnershipReport(partnership_id=partnership_id, period_start=period.first_day,
                             period_end=period.last_day, tables=tuple(tables))
