"""Every command the incidents service accepts: its wire name, model, access action and URL path.

One table serves the HTTP API (a POST endpoint per entry), the Kafka command topic (the message's
``command_type``) and the access guard, so both interfaces accept exactly the same commands with
the same validation and the same authorisation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ap_incidents.domain import commands as c
from ap_incidents.domain.decide_privacy import (
    ErasePupil,
    LiftLegalHold,
    PlaceLegalHold,
    ReleaseSubjectAccessSafeguarding,
)
from ap_runtime.access import Action


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One accepted command: ``path`` is below the URL of its scope, ``/v1/pupils/{pupil_ref}/`` by default,
    ``/v1/provisions/{provision_id}/`` (a staff register) or ``/v1/organisations/{organisation_id}/``
    (the register of organisations) when ``scope_field`` names those.

    ``path_fields`` are command fields named in ``path`` itself (``legal-holds/{hold_id}/lift``): over
    HTTP the URL gives them, over Kafka the command body does.
    """

    model: type[c.Command]
    action: Action
    path: str
    summary: str
    scope_field: str = "pupil_ref"
    path_fields: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.model.__name__

    @property
    def pupil_scoped(self) -> bool:
        return self.scope_field == "pupil_ref"

    @property
    def scope_path(self) -> str:
        """The URL prefix naming the command's record: its stream's owner."""
        return {"pupil_ref": "/pupils/{pupil_ref}", "provision_id": "/provisions/{provision_id}",
                "organisation_id": "/organisations/{organisation_id}"}[self.scope_field]

    def path_for(self, command: Mapping[str, Any]) -> str:
        """``path`` with the command's own values in place of its ``path_fields``."""
        return self.path.format(**{name: command[name] for name in self.path_fields})


_SPECS: tuple[CommandSpec, ...] = (
    CommandSpec(c.RegisterPupil, Action.REGISTER_PUPIL, "registration", "Register a pupil"),
    CommandSpec(c.UpdatePupilDetails, Action.UPDATE_PUPIL_DETAILS, "details", "Update a pupil's details"),
    CommandSpec(c.RequestPupilTransfer, Action.REQUEST_PUPIL_TRANSFER, "transfers",
                "Request the pupil's move to another school"),
    CommandSpec(c.ConfirmPupilTransfer, Action.CONFIRM_PUPIL_TRANSFER, "transfers/{transfer_id}/confirmation",
                "Confirm the pupil's move to another school", path_fields=("transfer_id",)),
    CommandSpec(c.ReceiveReferral, Action.RECORD_REFERRAL, "referrals", "Record a referral"),
    CommandSpec(c.RecordParentConsultation, Action.CONSULT_PARENT, "parent-consultations",
                "Record a parent consultation"),
    CommandSpec(c.DecideEligibility, Action.DECIDE_ELIGIBILITY, "eligibility-decisions", "Decide eligibility"),
    CommandSpec(c.RecordMultidisciplinaryMeeting, Action.RECORD_MULTIDISCIPLINARY_MEETING,
                "multidisciplinary-meetings", "Record a multidisciplinary meeting"),
    CommandSpec(c.ApproveOutOfKeyStagePlacement, Action.APPROVE_OUT_OF_KEY_STAGE, "out-of-key-stage-approvals",
                "Approve a placement outside the pupil's key stage"),
    CommandSpec(c.StartPlacement, Action.START_PLACEMENT, "placements", "Start a placement"),
    CommandSpec(c.AgreeAlertThresholds, Action.AGREE_ALERT_THRESHOLDS, "alert-thresholds",
                "Agree a placement's alert thresholds"),
    CommandSpec(c.RecordAttendance, Action.RECORD_ATTENDANCE, "attendance", "Record a session's attendance"),
    CommandSpec(c.RecordIncident, Action.RECORD_INCIDENT, "incidents", "Record an incident"),
    CommandSpec(c.ApplySanction, Action.APPLY_SANCTION, "sanctions", "Apply a sanction"),
    CommandSpec(c.GrantReward, Action.GRANT_REWARD, "rewards", "Grant a reward"),
    CommandSpec(c.RedeemReward, Action.REDEEM_REWARD, "reward-redemptions", "Redeem reward slips"),
    CommandSpec(c.HoldKeyworkerSession, Action.RECORD_KEYWORKER_SESSION, "keyworker-sessions",
                "Record a keyworker session"),
    CommandSpec(c.RecordPhysicalIntervention, Action.RECORD_PHYSICAL_INTERVENTION, "physical-interventions",
                "Record a physical intervention"),
    CommandSpec(c.RecordSearch, Action.RECORD_SEARCH, "searches", "Record a search"),
    CommandSpec(c.RaiseSafeguardingConcern, Action.RAISE_SAFEGUARDING_CONCERN, "safeguarding-concerns",
                "Raise a safeguarding concern"),
    CommandSpec(c.AgreeBehaviourContract, Action.AGREE_BEHAVIOUR_CONTRACT, "behaviour-contracts",
                "Agree a behaviour contract"),
    CommandSpec(c.ReferToExternalAgency, Action.MAKE_EXTERNAL_REFERRAL, "agency-referrals",
                "Refer to an external agency"),
    CommandSpec(c.HoldReview, Action.RECORD_REVIEW, "reviews", "Record a placement review"),
    CommandSpec(c.ReviewReducedTimetable, Action.REVIEW_REDUCED_TIMETABLE, "reduced-timetable-reviews",
                "Review a reduced timetable"),
    CommandSpec(c.ProposeExclusion, Action.PROPOSE_EXCLUSION, "exclusion-proposals",
                "Propose withdrawing a place"),
    CommandSpec(c.RecordCommissionerDecision, Action.RECORD_COMMISSIONER_DECISION, "commissioner-decisions",
                "Record the commissioner's decision on a proposal"),
    CommandSpec(c.IssueSuspension, Action.ISSUE_EXCLUSION, "suspensions", "Suspend a pupil (home school head)"),
    CommandSpec(c.IssuePermanentExclusion, Action.ISSUE_EXCLUSION, "permanent-exclusions",
                "Permanently exclude a pupil (home school head)"),
    CommandSpec(c.ReinstatePupil, Action.RECORD_REINSTATEMENT, "reinstatements",
                "Record a governing board's reinstatement"),
    CommandSpec(c.RecordTransitionPlan, Action.RECORD_TRANSITION_PLAN, "transition-plans",
                "Record a Year 6 transition plan"),
    CommandSpec(c.ConfirmReintegration, Action.CONFIRM_REINTEGRATION, "reintegration-confirmations",
                "Confirm that the home school takes the pupil back"),
    CommandSpec(c.EndPlacement, Action.END_PLACEMENT, "placement-endings", "End a placement"),
    CommandSpec(c.AmendRecord, Action.AMEND_RECORD, "amendments", "Amend an earlier entry"),
    CommandSpec(c.WithdrawRecordInError, Action.WITHDRAW_RECORD, "withdrawals",
                "Withdraw an entry made in error"),
    CommandSpec(ErasePupil, Action.ERASE_PUPIL, "erasure", "Erase the pupil's personal data (crypto-shredding)"),
    CommandSpec(PlaceLegalHold, Action.PLACE_LEGAL_HOLD, "legal-holds",
                "Place a legal hold on the pupil's record (stops retention expiry)"),
    CommandSpec(LiftLegalHold, Action.LIFT_LEGAL_HOLD, "legal-holds/{hold_id}/lift", "Lift a legal hold",
                path_fields=("hold_id",)),
    CommandSpec(ReleaseSubjectAccessSafeguarding, Action.RELEASE_SUBJECT_ACCESS_SAFEGUARDING,
                "subject-access-safeguarding-releases",
                "Release the safeguarding records recorded so far for subject access (DPO, after review)"),
    CommandSpec(c.RecordStaffTraining, Action.MANAGE_STAFF_REGISTER, "staff-training",
                "Record a member of staff's training", scope_field="provision_id"),
    CommandSpec(c.RevokeStaffTraining, Action.MANAGE_STAFF_REGISTER, "staff-training-revocations",
                "Revoke a member of staff's training", scope_field="provision_id"),
    CommandSpec(c.RegisterOrganisation, Action.REGISTER_ORGANISATION, "registration",
                "Register an organisation's facts (platform administrator)", scope_field="organisation_id"),
)

COMMANDS: dict[str, CommandSpec] = {spec.name: spec for spec in _SPECS}
SPEC_BY_MODEL: dict[type[c.Command], CommandSpec] = {spec.model: spec for spec in _SPECS}


def spec_for(command: c.Command) -> CommandSpec:
    return SPEC_BY_MODEL[type(command)]
