"""The termly report to a Neighbourhood Partnership (BRIEF.md section 4): pupils served, schools
supported, out-of-key-stage placements, incidents by category and exclusions, for the provisions
the partnership is served by. Counts only; every table is suppressed for publication."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict

from ap_contracts.events.pupil_vocabulary import IncidentCategory, KeyStage, PlacementEndReason, Severity
from ap_reporting.domain.facts import IncidentFact, PermanentExclusionFact, PlacementFact, SuspensionFact
from ap_reporting.domain.notes import PERIOD_NOTE, SUPPRESSION_NOTE
from ap_reporting.domain.published import Table, publish
from ap_reporting.domain.vocabulary import Period, Phase, phase_of

WITHIN, OUTSIDE = "within key stage", "outside key stage"
SUSPENSIONS, PERMANENT, WITHDRAWN = "suspensions", "permanent exclusions", "places withdrawn"


class PartnershipReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    report: str = "termly_partnership"
    partnership_id: str
    period_start: date
    period_end: date
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = (SUPPRESSION_NOTE, PERIOD_NOTE)


def _in(period: Period, day: date) -> bool:
    return period.first_day <= day <= period.last_day


def _reach(active: Sequence[PlacementFact]) -> list[Table]:
    by_stage = Counter((p.pupil_key_stage.value, OUTSIDE if p.outside_key_stage else WITHIN) for p in active)
    placements, _ = publish("placements_by_key_stage", "Placements open in the period, by the pupil's key stage",
                            "placements", [k.value for k in KeyStage], [WITHIN, OUTSIDE], by_stage)
    pupils, _ = publish("pupils_served", "Pupils served", "pupils", ["all"], ["pupils"],
                        {("all", "pupils"): len({p.pupil_ref for p in active})})
    schools, _ = publish("schools_supported", "Home schools with a pupil placed", "schools", ["all"], ["schools"],
                         {("all", "schools"): len({p.home_school_id for p in active})})
    return [pupils, schools, placements]


def _incidents(period: Period, active: Sequence[PlacementFact], incidents: Sequence[IncidentFact]) -> Table:
    ours = {p.placement_id for p in active}
    counts = Counter((i.category.value, str(int(i.severity))) for i in incidents
                     if i.placement_id in ours and _in(period, i.happened_on))
    table, _ = publish("incidents_by_category_and_severity", "Incidents by category and severity (1 low to 5)",
                       "incidents", [c.value for c in IncidentCategory], [str(int(s)) for s in Severity], counts)
    return table


def _exclusions(period: Period, placements: Sequence[PlacementFact], suspensions: Sequence[SuspensionFact],
                exclusions: Sequence[PermanentExclusionFact]) -> Table:
    ours = {p.placement_id for p in placements}
    counts: Counter[tuple[str, str]] = Counter()
    counts.update((s.phase.value, SUSPENSIONS) for s in suspensions
                  if s.placement_id in ours and _in(period, s.first_day))
    counts.update((e.phase.value, PERMANENT) for e in exclusions
                  if e.placement_id in ours and not e.reinstated and _in(period, e.decided_on))
    counts.update((phase_of(p.pupil_key_stage).value, WITHDRAWN) for p in placements
                  if p.end_reason is PlacementEndReason.PLACE_WITHDRAWN and p.end_date and _in(period, p.end_date))
    table, _ = publish("exclusions_by_phase", "Suspensions, permanent exclusions and places withdrawn",
                       "exclusions", [ph.value for ph in Phase], [SUSPENSIONS, PERMANENT, WITHDRAWN], counts)
    return table


def assemble_partnership(partnership_id: str, period: Period, placements: Sequence[PlacementFact],
                         incidents: Sequence[IncidentFact], suspensions: Sequence[SuspensionFact],
                         exclusions: Sequence[PermanentExclusionFact]) -> PartnershipReport:
    """The report over the partnership's placements open during ``period``."""
    theirs = [p for p in placements if p.partnership_id == partnership_id]
    active = [p for p in theirs if p.active_during(period)]
    tables = [*_reach(active), _incidents(period, active, incidents),
              _exclusions(period, theirs, suspensions, exclusions)]
    return PartnershipReport(partnership_id=partnership_id, period_start=period.first_day,
                             period_end=period.last_day, tables=tuple(tables))
