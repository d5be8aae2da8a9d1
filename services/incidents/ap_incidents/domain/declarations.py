"""Every incidents command declared once: its model, decider, access action, the events it may emit, its route.

Rule served: "a command is declared once and the rest is derived" (issue 10, STYLE.md, as cosmicpython's
bootstrap derives its tables from one handler map). ``HANDLERS`` (``domain/decide.py``) and the
``CommandSpec`` catalogue (``application/catalogue.py``: HTTP route, Kafka ``command_type``, action
checked) are built from ``DECLARATIONS``; ``evolve`` keeps one handler per event next to the event's
meaning. The action is the runtime's (``ap_runtime.access.actions``): the access policy is data that every
service's process validates, including processes that never import incidents, so the vocabulary stays in
the runtime and ``services/incidents/tests/test_incidents_declarations.py`` checks that the two agree and
that nothing is declared half-way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ap_contracts.events import organisations as og
from ap_contracts.events import placements as pl
from ap_contracts.events import privacy as pv
from ap_contracts.events import provision_staff as ps
from ap_contracts.events import pupil_corrections as pc
from ap_contracts.events import pupil_record as pr
from ap_contracts.events import pupils as pu
from ap_contracts.events import school_exclusions as sx
from ap_contracts.events.base import DomainEvent
from ap_incidents.domain import commands as c
from ap_incidents.domain import decide_admission as admission
from ap_incidents.domain import decide_corrections as corrections
from ap_incidents.domain import decide_daily as daily
from ap_incidents.domain import decide_exclusions as exclusions
from ap_incidents.domain import decide_placement as placement
from ap_incidents.domain import decide_privacy as privacy
from ap_incidents.domain import decide_safety as safety
from ap_incidents.domain import decide_transfers as transfers
from ap_incidents.domain import organisations, staff_register
from ap_runtime.access.actions import Action

# A pupil decider takes (command, PupilRecord, DecisionContext); the staff register's and the register of
# organisations' deciders take their own stream's state (the command handler calls them by stream).
Decider = Callable[..., Sequence[DomainEvent]]


@dataclass(frozen=True, slots=True)
class CommandDeclaration:
    """One command: ``path`` is below the URL of its scope (``scope_field``: the pupil by default, a
    provision's staff register or an organisation); ``path_fields`` are command fields the path names."""

    model: type[c.Command]
    decider: Decider
    action: Action
    emits: tuple[type[DomainEvent], ...]
    path: str
    summary: str
    scope_field: str = "pupil_ref"
    path_fields: tuple[str, ...] = ()

    @property
    def decides_on_pupil_record(self) -> bool:
        return self.scope_field == "pupil_ref"


D = CommandDeclaration

DECLARATIONS: tuple[CommandDeclaration, ...] = (
    # ------------------------------------------------------------------ registration to placement
    D(c.RegisterPupil, admission.register_pupil, Action.REGISTER_PUPIL, (pu.PupilRegistered,),
      "registration", "Register a pupil"),
    D(c.UpdatePupilDetails, admission.update_details, Action.UPDATE_PUPIL_DETAILS, (pu.PupilDetailsUpdated,),
      "details", "Update a pupil's details"),
    D(c.RequestPupilTransfer, transfers.request_transfer, Action.REQUEST_PUPIL_TRANSFER,
      (pu.PupilTransferRequested,), "transfers", "Request the pupil's move to another school"),
    D(c.ConfirmPupilTransfer, transfers.confirm_transfer, Action.CONFIRM_PUPIL_TRANSFER,
      (pu.PupilTransferConfirmed,), "transfers/{transfer_id}/confirmation",
      "Confirm the pupil's move to another school", path_fields=("transfer_id",)),
    D(c.ReceiveReferral, admission.receive_referral, Action.RECORD_REFERRAL, (pu.ReferralReceived,),
      "referrals", "Record a referral"),
    D(c.RecordParentConsultation, admission.record_parent_consultation, Action.CONSULT_PARENT,
      (pu.ParentConsultationRecorded,), "parent-consultations", "Record a parent consultation"),
    D(c.RecordSearchPolicyExplained, safety.record_search_policy_explained, Action.EXPLAIN_SEARCH_POLICY,
      (pu.SearchPolicyExplained,), "search-policy-explanations",
      "Record that the parents were told of the provision's random-search policy at the referral interview"),
    D(c.DecideEligibility, admission.decide_eligibility, Action.DECIDE_ELIGIBILITY, (pu.EligibilityDecided,),
      "eligibility-decisions", "Decide eligibility"),
    D(c.RecordMultidisciplinaryMeeting, admission.record_meeting, Action.RECORD_MULTIDISCIPLINARY_MEETING,
      (pu.MultidisciplinaryMeetingRecorded,), "multidisciplinary-meetings", "Record a multidisciplinary meeting"),
    D(c.ApproveOutOfKeyStagePlacement, admission.approve_out_of_key_stage, Action.APPROVE_OUT_OF_KEY_STAGE,
      (pu.OutOfKeyStagePlacementApproved,), "out-of-key-stage-approvals",
      "Approve a placement outside the pupil's key stage"),
    D(c.StartPlacement, admission.start_placement, Action.START_PLACEMENT, (pl.PlacementStarted,),
      "placements", "Start a placement"),
    # ------------------------------------------------------------------ day to day
    D(c.AgreeAlertThresholds, daily.agree_thresholds, Action.AGREE_ALERT_THRESHOLDS, (pl.AlertThresholdsAgreed,),
      "alert-thresholds", "Agree a placement's alert thresholds"),
    D(c.RecordAttendance, daily.record_attendance, Action.RECORD_ATTENDANCE, (pr.AttendanceRecorded,),
      "attendance", "Record a session's attendance"),
    D(c.RecordIncident, daily.record_incident, Action.RECORD_INCIDENT, (pr.IncidentRecorded,),
      "incidents", "Record an incident"),
    D(c.ApplySanction, daily.apply_sanction, Action.APPLY_SANCTION, (pr.SanctionApplied,),
      "sanctions", "Apply a sanction"),
    D(c.GrantReward, daily.grant_reward, Action.GRANT_REWARD, (pr.RewardGranted,), "rewards", "Grant a reward"),
    D(c.RedeemReward, daily.redeem_reward, Action.REDEEM_REWARD, (pr.RewardRedeemed,),
      "reward-redemptions", "Redeem reward slips"),
    D(c.HoldKeyworkerSession, daily.hold_keyworker_session, Action.RECORD_KEYWORKER_SESSION,
      (pr.KeyworkerSessionHeld,), "keyworker-sessions", "Record a keyworker session"),
    # ------------------------------------------------------------------ safeguards on the provider
    D(c.RecordPhysicalIntervention, safety.record_physical_intervention, Action.RECORD_PHYSICAL_INTERVENTION,
      (pr.PhysicalInterventionRecorded,), "physical-interventions", "Record a physical intervention"),
    D(c.RecordSearch, safety.record_search, Action.RECORD_SEARCH, (pr.SearchConducted,),
      "searches", "Record a search"),
    D(c.RaiseSafeguardingConcern, safety.raise_safeguarding_concern, Action.RAISE_SAFEGUARDING_CONCERN,
      (pr.SafeguardingConcernRaised,), "safeguarding-concerns", "Raise a safeguarding concern"),
    D(c.AgreeBehaviourContract, safety.agree_behaviour_contract, Action.AGREE_BEHAVIOUR_CONTRACT,
      (pr.BehaviourContractAgreed,), "behaviour-contracts", "Agree a behaviour contract"),
    D(c.ReferToExternalAgency, safety.refer_to_agency, Action.MAKE_EXTERNAL_REFERRAL,
      (pr.ExternalAgencyReferralMade,), "agency-referrals", "Refer to an external agency"),
    # ------------------------------------------------------------------ reviews, exclusion, end
    D(c.HoldReview, placement.hold_review, Action.RECORD_REVIEW, (pl.ReviewHeld,),
      "reviews", "Record a placement review"),
    D(c.ReviewReducedTimetable, placement.review_reduced_timetable, Action.REVIEW_REDUCED_TIMETABLE,
      (pl.ReducedTimetableReviewed,), "reduced-timetable-reviews", "Review a reduced timetable"),
    D(c.ProposeExclusion, exclusions.propose_exclusion, Action.PROPOSE_EXCLUSION, (pl.ExclusionProposed,),
      "exclusion-proposals", "Propose withdrawing a place"),
    D(c.RecordCommissionerDecision, exclusions.record_commissioner_decision, Action.RECORD_COMMISSIONER_DECISION,
      (pl.CommissionerDecisionRecorded,), "commissioner-decisions",
      "Record the commissioner's decision on a proposal"),
    D(c.IssueSuspension, exclusions.issue_suspension, Action.ISSUE_EXCLUSION, (sx.SuspensionIssued,),
      "suspensions", "Suspend a pupil (home school head)"),
    D(c.IssuePermanentExclusion, exclusions.issue_permanent_exclusion, Action.ISSUE_EXCLUSION,
      (sx.PermanentExclusionIssued,), "permanent-exclusions", "Permanently exclude a pupil (home school head)"),
    D(c.ReinstatePupil, exclusions.reinstate_pupil, Action.RECORD_REINSTATEMENT,
      (sx.PermanentExclusionReinstated,), "reinstatements", "Record a governing board's reinstatement"),
    D(c.RecordTransitionPlan, placement.record_transition_plan, Action.RECORD_TRANSITION_PLAN,
      (pl.TransitionPlanRecorded,), "transition-plans", "Record a Year 6 transition plan"),
    D(c.ConfirmReintegration, placement.confirm_reintegration, Action.CONFIRM_REINTEGRATION,
      (pl.ReintegrationConfirmed,), "reintegration-confirmations",
      "Confirm that the home school takes the pupil back"),
    D(c.EndPlacement, placement.end_placement, Action.END_PLACEMENT, (pl.PlacementEnded,),
      "placement-endings", "End a placement"),
    # ------------------------------------------------------------------ corrections
    D(c.AmendRecord, corrections.amend_record, Action.AMEND_RECORD, (pc.RecordAmended,),
      "amendments", "Amend an earlier entry"),
    D(c.WithdrawRecordInError, corrections.withdraw_record, Action.WITHDRAW_RECORD, (pc.RecordWithdrawnInError,),
      "withdrawals", "Withdraw an entry made in error"),
    # ------------------------------------------------------------------ the pupil's personal data as a whole
    D(privacy.ErasePupil, privacy.erase_pupil, Action.ERASE_PUPIL, (pv.PupilDataErased,),
      "erasure", "Erase the pupil's personal data (crypto-shredding)"),
    D(privacy.PlaceLegalHold, privacy.place_legal_hold, Action.PLACE_LEGAL_HOLD, (pv.LegalHoldPlaced,),
      "legal-holds", "Place a legal hold on the pupil's record (stops retention expiry)"),
    D(privacy.LiftLegalHold, privacy.lift_legal_hold, Action.LIFT_LEGAL_HOLD, (pv.LegalHoldLifted,),
      "legal-holds/{hold_id}/lift", "Lift a legal hold", path_fields=("hold_id",)),
    D(privacy.ReleaseSubjectAccessSafeguarding, privacy.release_subject_access_safeguarding,
      Action.RELEASE_SUBJECT_ACCESS_SAFEGUARDING, (pv.SubjectAccessSafeguardingReleased,),
      "subject-access-safeguarding-releases",
      "Release the safeguarding records recorded so far for subject access (DPO, after review)"),
    # ------------------------------------------------------------------ registers beside the pupil's record
    D(c.RecordStaffTraining, staff_register.decide_register, Action.MANAGE_STAFF_REGISTER,
      (ps.StaffTrainingRecorded,), "staff-training", "Record a member of staff's training",
      scope_field="provision_id"),
    D(c.RevokeStaffTraining, staff_register.decide_register, Action.MANAGE_STAFF_REGISTER,
      (ps.StaffTrainingRevoked,), "staff-training-revocations", "Revoke a member of staff's training",
      scope_field="provision_id"),
    D(c.RegisterOrganisation, organisations.decide_registration, Action.REGISTER_ORGANISATION,
      (og.OrganisationRegistered,), "registration",
      "Register an organisation's facts (platform administrator)", scope_field="organisation_id"),
)


def handlers() -> dict[type, Callable[..., Any]]:
    """The pupil deciders by command model: ``decide``'s dispatch table."""
    return {d.model: d.decider for d in DECLARATIONS if d.decides_on_pupil_record}
