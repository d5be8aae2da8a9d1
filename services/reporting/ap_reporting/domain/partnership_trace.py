"""The records behind each cell of the termly partnership report's tables (``partnership.assemble_partnership``),
for their traces: pupils served, schools supported and placements by key stage count the placements open in the
term (the placements' ids); incidents by category and severity count incidents (their record ids, which are their
event ids). Which cells may be traced is ``figure_trace``'s decision: the pupils-served and placements figures are
suppressed together, so a hidden one has no trace here either.
"""

from __future__ import annotations

from collections.abc import Sequence

from ap_reporting.domain.annual_trace import PLACEMENT, by_cell, traced
from ap_reporting.domain.facts import IncidentFact, PlacementFact
from ap_reporting.domain.figure_trace import TracedTable
from ap_reporting.domain.partnership import OUTSIDE, WITHIN, PartnershipReport
from ap_reporting.domain.vocabulary import Period

INCIDENT = "incident_record"


def partnership_traced_tables(report: PartnershipReport, period: Period, placements: Sequence[PlacementFact],
                              incidents: Sequence[IncidentFact]) -> list[TracedTable]:
    """The report's tables, each with the records behind its cells (from the facts it was assembled from)."""
    active = [p for p in placements if p.partnership_id == report.partnership_id and p.active_during(period)]
    ours = {p.placement_id for p in active}
    every = [p.placement_id for p in active]
    by_stage = by_cell(((p.pupil_key_stage.value, OUTSIDE if p.outside_key_stage else WITHIN), p.placement_id)
                       for p in active)
    by_incident = by_cell(((i.category.value, str(int(i.severity))), i.record_id) for i in incidents
                          if i.placement_id in ours and i.happened_on in period)
    return traced(report.tables, {
        "pupils_served": (PLACEMENT, {("all", "pupils"): every}),
        "schools_supported": (PLACEMENT, {("all", "schools"): every}),
        "placements_by_key_stage": (PLACEMENT, by_stage),
        "incidents_by_category_and_severity": (INCIDENT, by_incident)})
