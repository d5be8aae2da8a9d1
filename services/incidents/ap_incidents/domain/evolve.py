"""``evolve``: fold one event of a pupil's stream into the pupil record.

One function per event type. Each returns the new record and the entry's effect (what a later
withdrawal in error has to undo); ``evolve`` files the entry under its record id. Events it does
not know (a newer contract, another context's event in the stream) leave the record unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from functools import reduce, singledispatch
from types import MappingProxyType
from uuid import UUID

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.placements import (
    AlertThresholdsAgreed,
    CommissionerDecisionRecorded,
    ExclusionProposed,
    PlacementEnded,
    PlacementStarted,
    ReducedTimetableReviewed,
    ReintegrationConfirmed,
    ReviewHeld,
    TransitionPlanRecorded,
)
from ap_contracts.events.privacy import (
    LegalHoldLifted,
    LegalHoldPlaced,
    PupilDataErased,
    SubjectAccessSafeguardingReleased,
)
from ap_contracts.events.pupil_corrections import RecordAmended, RecordWithdrawnInError
from ap_contracts.events.pupil_record import (
    AttendanceRecorded,
    BehaviourContractAgreed,
    ExternalAgencyReferralMade,
    IncidentRecorded,
    KeyworkerSessionHeld,
    PhysicalInterventionRecorded,
    RewardGranted,
    RewardRedeemed,
    SafeguardingConcernRaised,
    SanctionApplied,
    SearchConducted,
)
from ap_contracts.events.pupil_vocabulary import ReducedTimetableOutcome, RewardKind, TimetableKind
from ap_contracts.events.pupils import (
    EligibilityDecided,
    MultidisciplinaryMeetingRecorded,
    OutOfKeyStagePlacementApproved,
    ParentConsultationRecorded,
    PupilDetailsUpdated,
    PupilEvent,
    PupilRegistered,
    PupilTransferConfirmed,
    PupilTransferRequested,
    ReferralReceived,
    SearchPolicyExplained,
)
from ap_contracts.events.school_exclusions import (
    PermanentExclusionIssued,
    PermanentExclusionReinstated,
    SuspensionIssued,
)
from ap_incidents.domain.state import (
    AttendanceMarked,
    Effect,
    IncidentOpened,
    LegalHold,
    NoEffect,
    PendingTransfer,
    PermanentExclusion,
    PermanentExclusionMade,
    Placement,
    Proposal,
    ProposalMade,
    PupilRecord,
    RecordEntry,
    Referral,
    SlipsChanged,
    SuspensionCounted,
    TimetableChanged,
    TransitionPlanned,
    with_item,
)

Applied = tuple[PupilRecord, Effect]
NOTHING = NoEffect()


def evolve(state: PupilRecord, event: DomainEvent) -> PupilRecord:
    """The pupil record after ``event``."""
    if not isinstance(event, PupilEvent):
        return _privacy(event, state)
    changed, effect = _apply(event, state)
    entry = RecordEntry(event.event_type, event.schema_version, getattr(event, "placement_id", None), effect)
    return replace(changed, records=changed.records.with_entry(event.record_id, entry))


@singledispatch
def _privacy(event: DomainEvent, state: PupilRecord) -> PupilRecord:
    """Erasure, legal holds and subject access releases: facts the privacy rules read (not record entries)."""
    return state


@_privacy.register
def _erased(event: PupilDataErased, state: PupilRecord) -> PupilRecord:
    return replace(state, erased=True)


@_privacy.register
def _hold_placed(event: LegalHoldPlaced, state: PupilRecord) -> PupilRecord:
    return replace(state, legal_holds=with_item(state.legal_holds, event.hold_id, LegalHold(event.authority_reference)))


@_privacy.register
def _hold_lifted(event: LegalHoldLifted, state: PupilRecord) -> PupilRecord:
    if event.hold_id not in state.legal_holds:
        return state
    lifted = replace(state.legal_holds[event.hold_id], in_force=False)
    return replace(state, legal_holds=with_item(state.legal_holds, event.hold_id, lifted))


@_privacy.register
def _safeguarding_released(event: SubjectAccessSafeguardingReleased, state: PupilRecord) -> PupilRecord:
    return replace(state, subject_access_releases=with_item(state.subject_access_releases, event.release_id,
                                                            event.request_reference))


def folds(event_type: type[DomainEvent]) -> bool:
    """Whether ``evolve`` has a handler of its own for ``event_type`` (a declaration's emitted event must)."""
    if issubclass(event_type, PupilEvent):
        return _apply.dispatch(event_type) is not _apply.dispatch(object)
    return _privacy.dispatch(event_type) is not _privacy.dispatch(object)


def fold(events: Iterable[DomainEvent], state: PupilRecord | None = None) -> PupilRecord:
    """The pupil record after every event of a stream, in order."""
    return reduce(evolve, events, state if state is not None else PupilRecord())


@singledispatch
def _apply(event: PupilEvent, state: PupilRecord) -> Applied:
    return state, NOTHING


def _with_placement(state: PupilRecord, placement: Placement) -> PupilRecord:
    return replace(state, placements=with_item(state.placements, placement.placement_id, placement))


def _with_referral(state: PupilRecord, referral: Referral) -> PupilRecord:
    return replace(state, referrals=with_item(state.referrals, referral.referral_id, referral))


def _update_referral(state: PupilRecord, referral_id: UUID, **changes: object) -> PupilRecord:
    current = state.referrals.get(referral_id)
    if current is None:
        return state
    return _with_referral(state, replace(current, **changes))  # type: ignore[arg-type]


def _update_placement(state: PupilRecord, placement_id: UUID, **changes: object) -> PupilRecord:
    current = state.placements.get(placement_id)
    if current is None:
        return state
    return _with_placement(state, replace(current, **changes))  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- registration to placement


@_apply.register
def _registered(event: PupilRegistered, state: PupilRecord) -> Applied:
    return replace(state, pupil_ref=event.pupil_ref, home_school_id=event.home_school_id, sex=event.sex,
                   year_group=event.year_group, has_ehcp=bool(event.has_ehcp)), NOTHING


@_apply.register
def _details_updated(event: PupilDetailsUpdated, state: PupilRecord) -> Applied:
    return replace(
        state,
        home_school_id=event.home_school_id or state.home_school_id,
        year_group=event.year_group or state.year_group,
        sex=event.sex or state.sex,
        has_ehcp=state.has_ehcp if event.has_ehcp is None else event.has_ehcp,
    ), NOTHING


@_apply.register
def _transfer_requested(event: PupilTransferRequested, state: PupilRecord) -> Applied:
    pending = PendingTransfer(event.transfer_id, event.from_school_id, event.to_school_id, event.requested_by,
                              event.requested_on)
    return replace(state, pending_transfer=pending), NOTHING


@_apply.register
def _transfer_confirmed(event: PupilTransferConfirmed, state: PupilRecord) -> Applied:
    return replace(state, home_school_id=event.to_school_id, pending_transfer=None), NOTHING


@_apply.register
def _referral_received(event: ReferralReceived, state: PupilRecord) -> Applied:
    referral = Referral(event.referral_id, event.provision_id, event.received_on,
                        commissioner_id=event.commissioner_id)
    return _with_referral(state, referral), NOTHING


def _earliest(current: date | None, day: date) -> date:
    return day if current is None or day < current else current


@_apply.register
def _parent_consulted(event: ParentConsultationRecorded, state: PupilRecord) -> Applied:
    referral = state.referrals.get(event.referral_id)
    if referral is None:
        return state, NOTHING
    first = _earliest(referral.first_consulted_on, event.consulted_on)
    return _with_referral(state, replace(referral, parent_consulted=True, first_consulted_on=first)), NOTHING


@_apply.register
def _eligibility_decided(event: EligibilityDecided, state: PupilRecord) -> Applied:
    return _update_referral(state, event.referral_id, eligibility=event.outcome,
                            eligibility_knew_of_ehcp=event.pupil_has_ehcp,
                            eligibility_decided_on=event.decided_on), NOTHING


@_apply.register
def _meeting_recorded(event: MultidisciplinaryMeetingRecorded, state: PupilRecord) -> Applied:
    referral = state.referrals.get(event.referral_id)
    if referral is None:
        return state, NOTHING
    first = _earliest(referral.first_meeting_on, event.held_on)
    return _with_referral(state, replace(referral, meeting_held=True, first_meeting_on=first)), NOTHING


@_apply.register
def _out_of_key_stage_approved(event: OutOfKeyStagePlacementApproved, state: PupilRecord) -> Applied:
    referral = state.referrals.get(event.referral_id)
    if referral is None:
        return state, NOTHING
    stage = event.provision_key_stage
    stages = referral.approved_key_stages | {stage}
    approved_on = with_item(referral.key_stage_approved_on, stage,
                            _earliest(referral.key_stage_approved_on.get(stage), event.approved_on))
    return _with_referral(state, replace(referral, approved_key_stages=stages,
                                         key_stage_approved_on=approved_on)), NOTHING


@_apply.register
def _placement_started(event: PlacementStarted, state: PupilRecord) -> Applied:
    placement = Placement(
        placement_id=event.placement_id,
        referral_id=event.referral_id,
        provision_id=event.provision_id,
        home_school_id=event.home_school_id,
        commissioner_id=event.commissioner_id,
        start_date=event.start_date,
        timetable=event.timetable,
        reduced_timetable_review_date=event.reduced_timetable_review_date,
    )
    started = replace(_with_placement(state, placement), active_placement_id=event.placement_id)
    return _update_referral(started, event.referral_id, placed=True), NOTHING


# ----------------------------------------------------------------------------- day to day


@_apply.register
def _attendance(event: AttendanceRecorded, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    marks = placement.attendance | {(event.session_date, event.session)}
    effect = AttendanceMarked(event.placement_id, event.session_date, event.session)
    return _with_placement(state, replace(placement, attendance=marks)), effect


@_apply.register
def _incident(event: IncidentRecorded, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    incidents = placement.incident_ids | {event.incident_id}
    effect = IncidentOpened(event.placement_id, event.incident_id)
    return _with_placement(state, replace(placement, incident_ids=incidents)), effect


def _change_slips(state: PupilRecord, placement_id: UUID, delta: int) -> Applied:
    placement = state.placements.get(placement_id)
    if placement is None:
        return state, NOTHING
    balance = placement.slip_balance + delta
    return _with_placement(state, replace(placement, slip_balance=balance)), SlipsChanged(placement_id, delta)


@_apply.register
def _reward_granted(event: RewardGranted, state: PupilRecord) -> Applied:
    if event.kind is not RewardKind.REWARD_SLIP:
        return state, NOTHING
    return _change_slips(state, event.placement_id, event.quantity)


@_apply.register
def _reward_redeemed(event: RewardRedeemed, state: PupilRecord) -> Applied:
    return _change_slips(state, event.placement_id, -event.slips_spent)


def _entry_only(event: PupilEvent, state: PupilRecord) -> Applied:
    return state, NOTHING


# Entries that change nothing a rule reads are still filed, so that they can be corrected.
for _event_type in (
    AlertThresholdsAgreed,
    SanctionApplied,
    KeyworkerSessionHeld,
    PhysicalInterventionRecorded,
    SearchConducted,
    SafeguardingConcernRaised,
    BehaviourContractAgreed,
    ExternalAgencyReferralMade,
    ReviewHeld,
    RecordAmended,
    SearchPolicyExplained,
):
    _apply.register(_event_type, _entry_only)


# ----------------------------------------------------------------------------- reviews, exclusion, end


@_apply.register
def _reduced_timetable_reviewed(event: ReducedTimetableReviewed, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    effect = TimetableChanged(event.placement_id, placement.timetable, placement.reduced_timetable_review_date)
    reviews = (*placement.timetable_review_ids, event.record_id)
    if event.outcome is ReducedTimetableOutcome.RETURNED_TO_FULL_TIME:
        changed = replace(placement, timetable=TimetableKind.FULL_TIME, reduced_timetable_review_date=None,
                          timetable_review_ids=reviews)
    else:
        changed = replace(placement, reduced_timetable_review_date=event.next_review_date,
                          timetable_review_ids=reviews)
    return _with_placement(state, changed), effect


@_apply.register
def _exclusion_proposed(event: ExclusionProposed, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    proposals = with_item(placement.proposals, event.proposal_id, Proposal(event.proposal_id))
    effect = ProposalMade(event.placement_id, event.proposal_id)
    return _with_placement(state, replace(placement, proposals=proposals)), effect


@_apply.register
def _commissioner_decided(event: CommissionerDecisionRecorded, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    decided = Proposal(event.proposal_id, event.decision, event.record_id)
    proposals = with_item(placement.proposals, event.proposal_id, decided)
    return _with_placement(state, replace(placement, proposals=proposals)), NOTHING


@_apply.register
def _transition_planned(event: TransitionPlanRecorded, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    plans = placement.transition_plan_ids | {event.record_id}
    return _with_placement(state, replace(placement, transition_plan_ids=plans)), TransitionPlanned(event.placement_id)


@_apply.register
def _reintegration_confirmed(event: ReintegrationConfirmed, state: PupilRecord) -> Applied:
    return _update_placement(state, event.placement_id, reintegration_confirmed=True), NOTHING


@_apply.register
def _placement_ended(event: PlacementEnded, state: PupilRecord) -> Applied:
    ended = _update_placement(state, event.placement_id, ended_on=event.end_date, end_reason=event.reason)
    if ended.active_placement_id == event.placement_id:
        ended = replace(ended, active_placement_id=None)
    return ended, NOTHING


@_apply.register
def _suspended(event: SuspensionIssued, state: PupilRecord) -> Applied:
    total = state.suspension_half_days_in(event.academic_year) + event.duration_half_days
    counts = with_item(state.suspension_half_days, event.academic_year, total)
    return replace(state, suspension_half_days=counts), SuspensionCounted(event.academic_year,
                                                                         event.duration_half_days)


@_apply.register
def _permanently_excluded(event: PermanentExclusionIssued, state: PupilRecord) -> Applied:
    exclusion = PermanentExclusion(event.record_id, event.home_school_id)
    return replace(state, permanent_exclusion=exclusion), PermanentExclusionMade(event.home_school_id)


@_apply.register
def _reinstated(event: PermanentExclusionReinstated, state: PupilRecord) -> Applied:
    current = state.permanent_exclusion
    if current is not None and current.record_id == event.exclusion_record_id:
        return replace(state, permanent_exclusion=None), NOTHING
    return state, NOTHING


# ----------------------------------------------------------------------------- withdrawal in error


@_apply.register
def _withdrawn(event: RecordWithdrawnInError, state: PupilRecord) -> Applied:
    entry = state.records.get(event.target_record_id)
    if entry is None or entry.withdrawn:
        return state, NOTHING
    undone = _undo(entry.effect, event.target_record_id, state)
    marked = replace(entry, withdrawn=True)
    return replace(undone, records=undone.records.with_entry(event.target_record_id, marked)), NOTHING


@singledispatch
def _undo(effect: Effect, record_id: UUID, state: PupilRecord) -> PupilRecord:
    return state


@_undo.register
def _undo_slips(effect: SlipsChanged, record_id: UUID, state: PupilRecord) -> PupilRecord:
    return _change_slips(state, effect.placement_id, -effect.delta)[0]


@_undo.register
def _undo_suspension(effect: SuspensionCounted, record_id: UUID, state: PupilRecord) -> PupilRecord:
    remaining = state.suspension_half_days_in(effect.academic_year) - effect.half_days
    return replace(state, suspension_half_days=with_item(state.suspension_half_days, effect.academic_year,
                                                         remaining))


@_undo.register
def _undo_attendance(effect: AttendanceMarked, record_id: UUID, state: PupilRecord) -> PupilRecord:
    placement = state.placements[effect.placement_id]
    marks = placement.attendance - {(effect.session_date, effect.session)}
    return _with_placement(state, replace(placement, attendance=marks))


@_undo.register
def _undo_incident(effect: IncidentOpened, record_id: UUID, state: PupilRecord) -> PupilRecord:
    placement = state.placements[effect.placement_id]
    return _with_placement(state, replace(placement, incident_ids=placement.incident_ids - {effect.incident_id}))


@_undo.register
def _undo_permanent_exclusion(effect: PermanentExclusionMade, record_id: UUID, state: PupilRecord) -> PupilRecord:
    current = state.permanent_exclusion
    if current is not None and current.record_id == record_id:
        return replace(state, permanent_exclusion=None)
    return state


@_undo.register
def _undo_proposal(effect: ProposalMade, record_id: UUID, state: PupilRecord) -> PupilRecord:
    placement = state.placements[effect.placement_id]
    proposals = MappingProxyType({k: v for k, v in placement.proposals.items() if k != effect.proposal_id})
    return _with_placement(state, replace(placement, proposals=proposals))


@_undo.register
def _undo_transition_plan(effect: TransitionPlanned, record_id: UUID, state: PupilRecord) -> PupilRecord:
    placement = state.placements[effect.placement_id]
    return _with_placement(state, replace(placement, transition_plan_ids=placement.transition_plan_ids - {record_id}))


@_undo.register
def _undo_timetable(effect: TimetableChanged, record_id: UUID, state: PupilRecord) -> PupilRecord:
    placement = state.placements[effect.placement_id]
    reviews = tuple(r for r in placement.timetable_review_ids if r != record_id)
    return _with_placement(state, replace(placement, timetable=effect.previous_timetable,
                                          reduced_timetable_review_date=effect.previous_review_date,
                                          timetable_review_ids=reviews))
