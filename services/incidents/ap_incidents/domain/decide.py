"""``decide``: the one entry point from a command to the events it records, or a named refusal.

The table below is the whole command surface of the pupil path; each handler lives with its
theme (admission, day to day, safety, placement course, exclusion, corrections, and the pupil's
personal data as a whole: erasure, legal holds, subject access release).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, overload

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupils import PupilEvent
from ap_incidents.domain import (
    decide_admission as admission,
)
from ap_incidents.domain import (
    decide_corrections as corrections,
)
from ap_incidents.domain import (
    decide_daily as daily,
)
from ap_incidents.domain import (
    decide_exclusions as exclusions,
)
from ap_incidents.domain import (
    decide_placement as placement,
)
from ap_incidents.domain import (
    decide_privacy as privacy,
)
from ap_incidents.domain import (
    decide_safety as safety,
)
from ap_incidents.domain import (
    decide_transfers as transfers,
)
from ap_incidents.domain.commands import (
    AgreeAlertThresholds,
    AgreeBehaviourContract,
    AmendRecord,
    ApplySanction,
    ApproveOutOfKeyStagePlacement,
    ConfirmPupilTransfer,
    ConfirmReintegration,
    DecideEligibility,
    EndPlacement,
    GrantReward,
    HoldKeyworkerSession,
    HoldReview,
    IssuePermanentExclusion,
    IssueSuspension,
    ProposeExclusion,
    PupilCommand,
    PupilCommands,
    RaiseSafeguardingConcern,
    ReceiveReferral,
    RecordAttendance,
    RecordCommissionerDecision,
    RecordIncident,
    RecordMultidisciplinaryMeeting,
    RecordParentConsultation,
    RecordPhysicalIntervention,
    RecordSearch,
    RecordTransitionPlan,
    RedeemReward,
    ReferToExternalAgency,
    RegisterPupil,
    ReinstatePupil,
    RequestPupilTransfer,
    ReviewReducedTimetable,
    StartPlacement,
    UpdatePupilDetails,
    WithdrawRecordInError,
)
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.decide_privacy import PrivacyCommands, PrivacyEvent
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import PupilRecord

Handler = Callable[[Any, PupilRecord, DecisionContext], Sequence[DomainEvent]]

HANDLERS: dict[type, Handler] = {
    RegisterPupil: admission.register_pupil,
    UpdatePupilDetails: admission.update_details,
    RequestPupilTransfer: transfers.request_transfer,
    ConfirmPupilTransfer: transfers.confirm_transfer,
    ReceiveReferral: admission.receive_referral,
    RecordParentConsultation: admission.record_parent_consultation,
    DecideEligibility: admission.decide_eligibility,
    RecordMultidisciplinaryMeeting: admission.record_meeting,
    ApproveOutOfKeyStagePlacement: admission.approve_out_of_key_stage,
    StartPlacement: admission.start_placement,
    AgreeAlertThresholds: daily.agree_thresholds,
    RecordAttendance: daily.record_attendance,
    RecordIncident: daily.record_incident,
    ApplySanction: daily.apply_sanction,
    GrantReward: daily.grant_reward,
    RedeemReward: daily.redeem_reward,
    HoldKeyworkerSession: daily.hold_keyworker_session,
    RecordPhysicalIntervention: safety.record_physical_intervention,
    RecordSearch: safety.record_search,
    RaiseSafeguardingConcern: safety.raise_safeguarding_concern,
    AgreeBehaviourContract: safety.agree_behaviour_contract,
    ReferToExternalAgency: safety.refer_to_agency,
    HoldReview: placement.hold_review,
    ReviewReducedTimetable: placement.review_reduced_timetable,
    RecordTransitionPlan: placement.record_transition_plan,
    ConfirmReintegration: placement.confirm_reintegration,
    EndPlacement: placement.end_placement,
    ProposeExclusion: exclusions.propose_exclusion,
    RecordCommissionerDecision: exclusions.record_commissioner_decision,
    IssueSuspension: exclusions.issue_suspension,
    IssuePermanentExclusion: exclusions.issue_permanent_exclusion,
    ReinstatePupil: exclusions.reinstate_pupil,
    AmendRecord: corrections.amend_record,
    WithdrawRecordInError: corrections.withdraw_record,
    privacy.ErasePupil: privacy.erase_pupil,
    privacy.PlaceLegalHold: privacy.place_legal_hold,
    privacy.LiftLegalHold: privacy.lift_legal_hold,
    privacy.ReleaseSubjectAccessSafeguarding: privacy.release_subject_access_safeguarding,
}


@overload
def decide(command: PupilCommands, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]: ...
@overload
def decide(command: PrivacyCommands, state: PupilRecord, context: DecisionContext) -> list[PrivacyEvent]: ...
@overload
def decide(command: PupilCommand, state: PupilRecord, context: DecisionContext) -> Sequence[DomainEvent]: ...
def decide(command: PupilCommand, state: PupilRecord, context: DecisionContext) -> Sequence[DomainEvent]:
    """The events ``command`` records on the pupil record ``state``, or a ``DomainError`` naming the rule.

    A command already applied (same ``command_id``) records nothing, so clients can retry safely.
    """
    if record_id_for(command.command_id) in state.records:
        return []
    handler = HANDLERS.get(type(command))
    if handler is None:
        raise TypeError(f"not a pupil command: {type(command).__name__}")
    return handler(command, state, context)
