"""What may be corrected, by whom, and which fields an amendment may touch.

An amendment never changes a field the pupil record's rules read (a slip count, a suspension's
days, a placement's dates): those entries are withdrawn in error and recorded again, so the
rules are checked afresh. Identity fields and rule versions never change.
"""

from __future__ import annotations

from enum import Enum

_IDENTITY = frozenset({
    "pupil_ref", "record_id", "placement_id", "referral_id", "incident_id", "proposal_id", "concern_id",
    "exclusion_record_id", "rule_version",
})

_LOCKED_BY_EVENT: dict[str, frozenset[str]] = {
    "PupilRegistered": frozenset({"home_school_id", "sex", "year_group", "key_stage", "has_ehcp", "sen_status"}),
    "PupilDetailsUpdated": frozenset({
        "effective_from", "home_school_id", "sex", "year_group", "key_stage", "has_ehcp", "sen_status",
    }),
    # The organisations a placement rests on come from the referral and the register of organisations
    # (issue 9): an amendment naming another organisation would hand it the pupil.
    "ReferralReceived": frozenset({"home_school_id", "provision_id", "commissioner_id"}),
    "PupilTransferRequested": frozenset({"transfer_id", "from_school_id", "to_school_id", "requested_by",
                                         "requested_on"}),
    "PupilTransferConfirmed": frozenset({"transfer_id", "from_school_id", "to_school_id", "confirmed_by",
                                         "effective_from"}),
    "ReintegrationConfirmed": frozenset({"confirmed_on"}),
    "EligibilityDecided": frozenset({"outcome", "pupil_has_ehcp"}),
    "OutOfKeyStagePlacementApproved": frozenset({
        "provision_key_stage", "governing_body_agreed", "alternatives_considered",
    }),
    "PlacementStarted": frozenset({
        "provision_id", "home_school_id", "commissioner_id", "partnership_id", "start_date", "planned_end_date",
        "key_stage",
        "pupil_key_stage", "outside_key_stage", "timetable", "reduced_timetable_review_date",
        "planned_review_date", "incident_severity_threshold", "attendance_threshold_percent",
    }),
    "AttendanceRecorded": frozenset({"session_date", "session"}),
    "RewardGranted": frozenset({"kind", "quantity"}),
    "RewardRedeemed": frozenset({"cost_pence", "slips_spent"}),
    "PhysicalInterventionRecorded": frozenset({"staff_involved", "staff_training_verified", "injury_occurred"}),
    "SearchConducted": frozenset({
        "searcher", "searcher_sex", "learner_sex", "witness", "witness_present", "serious_harm_exception",
        "items_found", "witness_adult_role",
    }),
    "SafeguardingConcernRaised": frozenset({"referred_to_dsl"}),
    "ExternalAgencyReferralMade": frozenset({"agency", "parent_permission"}),
    "ReducedTimetableReviewed": frozenset({"outcome", "next_review_date"}),
    "CommissionerDecisionRecorded": frozenset({"decision", "commissioner_id"}),
    "TransitionPlanRecorded": frozenset({"planned_visits", "year_group"}),
    "PlacementEnded": frozenset({"end_date", "reason", "decision_record_id"}),
    "SuspensionIssued": frozenset({
        "home_school_id", "first_day", "duration_half_days", "academic_year", "year_total_half_days",
    }),
    "PermanentExclusionIssued": frozenset({"home_school_id", "decided_on", "effective_from", "academic_year"}),
    "PermanentExclusionReinstated": frozenset({"home_school_id"}),
}

# Corrections are themselves never corrected: a wrong correction is answered by another correction
# of the original entry.
NOT_CORRECTABLE = frozenset({"RecordAmended", "RecordWithdrawnInError"})

# Entries that may be withdrawn in error. Registration, the referral chain and a placement's start
# and end shape everything after them; they are amended, or superseded by a new decision.
WITHDRAWABLE = frozenset({
    "AlertThresholdsAgreed", "AttendanceRecorded", "IncidentRecorded", "SanctionApplied", "RewardGranted",
    "RewardRedeemed", "KeyworkerSessionHeld", "PhysicalInterventionRecorded", "SearchConducted",
    "SafeguardingConcernRaised", "BehaviourContractAgreed", "ExternalAgencyReferralMade", "ReviewHeld",
    "ReducedTimetableReviewed", "ExclusionProposed", "TransitionPlanRecorded", "SuspensionIssued",
    "PermanentExclusionIssued", "SearchPolicyExplained",
})


def locked_fields(event_type: str) -> frozenset[str]:
    return _IDENTITY | _LOCKED_BY_EVENT.get(event_type, frozenset())


class Corrector(Enum):
    """Who may correct an entry: whoever could have made it."""

    PROVIDER = "provider"
    COMMISSIONER = "commissioner"
    HOME_SCHOOL_HEAD = "home_school_head"
    HOME_SCHOOL = "home_school"
    PLACEMENT_PARTY = "placement_party"


_CORRECTOR_BY_EVENT: dict[str, Corrector] = {
    **{name: Corrector.PROVIDER for name in (
        "AttendanceRecorded", "IncidentRecorded", "SanctionApplied", "RewardGranted", "RewardRedeemed",
        "KeyworkerSessionHeld", "PhysicalInterventionRecorded", "SearchConducted", "SafeguardingConcernRaised",
        "BehaviourContractAgreed", "ExternalAgencyReferralMade", "ExclusionProposed",
    )},
    "CommissionerDecisionRecorded": Corrector.COMMISSIONER,
    "SuspensionIssued": Corrector.HOME_SCHOOL_HEAD,
    "PermanentExclusionIssued": Corrector.HOME_SCHOOL_HEAD,
    "OutOfKeyStagePlacementApproved": Corrector.HOME_SCHOOL_HEAD,
    **{name: Corrector.HOME_SCHOOL for name in (
        "PupilRegistered", "PupilDetailsUpdated", "ReferralReceived", "ParentConsultationRecorded",
        "PermanentExclusionReinstated",
    )},
}


def corrector_of(event_type: str) -> Corrector:
    """Entries not listed (eligibility, meetings, reviews, the placement itself) are corrected by any
    party to the placement, or by the home school before a placement exists."""
    return _CORRECTOR_BY_EVENT.get(event_type, Corrector.PLACEMENT_PARTY)
