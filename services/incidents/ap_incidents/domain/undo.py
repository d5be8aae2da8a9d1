"""What a withdrawal in error undoes: one step per kind of effect an entry had on the pupil record.

Rule served: a withdrawn entry no longer counts (a withdrawn suspension gives its half days back, a
withdrawn reward slip leaves the balance), so the rules read the record as if it had never been made.
"""

from __future__ import annotations

from dataclasses import replace
from functools import singledispatch
from types import MappingProxyType
from uuid import UUID

from ap_incidents.domain.engagement_state import EngagementRecord, EngagementReduced, EngagementScored, TargetSet
from ap_incidents.domain.folding import change_slips, with_placement
from ap_incidents.domain.state import (
    AttendanceMarked,
    Effect,
    IncidentOpened,
    PermanentExclusionMade,
    ProposalMade,
    PupilRecord,
    SlipsChanged,
    SuspensionCounted,
    TimetableChanged,
    TransitionPlanned,
    with_item,
)


@singledispatch
def undo(effect: Effect, record_id: UUID, state: PupilRecord) -> PupilRecord:
    """The record without ``effect`` of entry ``record_id`` (an entry with no effect changes nothing)."""
    return state


@undo.register
def _undo_slips(effect: SlipsChanged, record_id: UUID, state: PupilRecord) -> PupilRecord:
    return change_slips(state, effect.placement_id, -effect.delta)[0]


@undo.register
def _undo_suspension(effect: SuspensionCounted, record_id: UUID, state: PupilRecord) -> PupilRecord:
    remaining = state.suspension_half_days_in(effect.academic_year) - effect.half_days
    state = replace(state, suspension_half_days=with_item(state.suspension_half_days, effect.academic_year,
                                                          remaining))
    if effect.term is None:
        return state
    in_term = state.suspension_half_days_in_term(effect.term) - effect.half_days
    return replace(state, suspension_half_days_by_term=with_item(state.suspension_half_days_by_term, effect.term,
                                                                 in_term))


@undo.register
def _undo_attendance(effect: AttendanceMarked, record_id: UUID, state: PupilRecord) -> PupilRecord:
    placement = state.placements[effect.placement_id]
    marks = placement.attendance - {(effect.session_date, effect.session)}
    return with_placement(state, replace(placement, attendance=marks))


@undo.register
def _undo_incident(effect: IncidentOpened, record_id: UUID, state: PupilRecord) -> PupilRecord:
    placement = state.placements[effect.placement_id]
    return with_placement(state, replace(placement, incident_ids=placement.incident_ids - {effect.incident_id}))


@undo.register
def _undo_permanent_exclusion(effect: PermanentExclusionMade, record_id: UUID, state: PupilRecord) -> PupilRecord:
    current = state.permanent_exclusion
    if current is not None and current.record_id == record_id:
        return replace(state, permanent_exclusion=None)
    return state


@undo.register
def _undo_proposal(effect: ProposalMade, record_id: UUID, state: PupilRecord) -> PupilRecord:
    placement = state.placements[effect.placement_id]
    proposals = MappingProxyType({k: v for k, v in placement.proposals.items() if k != effect.proposal_id})
    return with_placement(state, replace(placement, proposals=proposals))


@undo.register
def _undo_transition_plan(effect: TransitionPlanned, record_id: UUID, state: PupilRecord) -> PupilRecord:
    placement = state.placements[effect.placement_id]
    return with_placement(state, replace(placement, transition_plan_ids=placement.transition_plan_ids - {record_id}))


@undo.register
def _undo_timetable(effect: TimetableChanged, record_id: UUID, state: PupilRecord) -> PupilRecord:
    placement = state.placements[effect.placement_id]
    reviews = tuple(r for r in placement.timetable_review_ids if r != record_id)
    return with_placement(state, replace(placement, timetable=effect.previous_timetable,
                                         reduced_timetable_review_date=effect.previous_review_date,
                                         timetable_review_ids=reviews))


def _with_engagement(state: PupilRecord, placement_id: UUID, engagement: EngagementRecord) -> PupilRecord:
    return with_placement(state, replace(state.placements[placement_id], engagement=engagement))


@undo.register
def _undo_target(effect: TargetSet, record_id: UUID, state: PupilRecord) -> PupilRecord:
    engagement = state.placements[effect.placement_id].engagement
    return _with_engagement(state, effect.placement_id, engagement.without_target(effect.target_id))


@undo.register
def _undo_score(effect: EngagementScored, record_id: UUID, state: PupilRecord) -> PupilRecord:
    engagement = state.placements[effect.placement_id].engagement
    return _with_engagement(state, effect.placement_id, engagement.without_score(record_id))


@undo.register
def _undo_reduction(effect: EngagementReduced, record_id: UUID, state: PupilRecord) -> PupilRecord:
    engagement = state.placements[effect.placement_id].engagement
    return _with_engagement(state, effect.placement_id,
                            engagement.with_points_changed(effect.score_record_id, effect.points))
