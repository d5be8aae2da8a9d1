"""Domain errors: each one names the rule it protects.

Every error has a stable ``rule`` id (for clients, logs and tests), a refusal ``kind`` and a message
written for the person at the keyboard. ``BREAKS_RULE``: the command itself breaks a rule whatever
the record holds; ``CONFLICTS_WITH_RECORD``: it conflicts with what the pupil record already holds;
``RESERVED_TO_ANOTHER_PARTY``: the rule reserves the act to a named party (the home school head,
the commissioner, the provider). The domain knows no HTTP: the edge maps a kind to a status
(``ap_runtime.http.problems.STATUS_OF_KIND``).

The bases are in ``errors_base``, the withdrawal and correction refusals in ``errors_withdrawal`` and
those resting on stored facts (parties, organisations, transfers, protective rules) in ``errors_facts``
(issue 10, size); all are re-exported here, so ``errors.<Name>`` names every incidents refusal.
"""

from __future__ import annotations

from ap_incidents.domain.errors_base import ConflictsWithRecord, DomainError, InvalidCommand, ReservedToAnotherParty
from ap_incidents.domain.errors_board import (
    BoardAlreadyDecided,
    BoardCaseUnknown,
    ExclusionWithdrawn,
    IndependentReviewNotExplained,
    SuspensionNotBeforeBoard,
)
from ap_incidents.domain.errors_facts import (
    CommissionerNotResponsible,
    EndReasonNeedsCommissioner,
    KeyStageNotServed,
    MeetingNotMultidisciplinary,
    NotEntitledToCorrect,
    OnlyHomeSchool,
    OrganisationFactsIncomplete,
    OrganisationNotRegistered,
    PlacementBeforePrerequisite,
    ReintegrationNotConfirmed,
    TrainingNotOnRegister,
    TransferAlreadyPending,
    TransferConfirmedByOtherParty,
    TransferToSameSchool,
    TransferUnknown,
    WitnessNotOnRegister,
)
from ap_incidents.domain.errors_withdrawal import (
    CommissionerDecisionRequired,
    CorrectionTargetUnknown,
    CorrectionValueInvalid,
    ExclusionProposalPending,
    ExclusionProposalUnknown,
    ExclusionUnknown,
    FieldNotAmendable,
    NothingToAmend,
    PermanentExclusionRequired,
    ProposalAlreadyDecided,
    ProposalIdInUse,
    PupilPermanentlyExcluded,
    RecordAlreadyWithdrawn,
    RecordNotCorrectable,
    SafetyArrangementsRequired,
    SuspensionCapExceeded,
    WithdrawalWouldOverdrawSlips,
)

# ----------------------------------------------------------------------------- the pupil record


class PupilNotRegistered(ConflictsWithRecord):
    rule_id = "pupil.registered"


class PupilAlreadyRegistered(ConflictsWithRecord):
    rule_id = "pupil.registered_once"


class PupilRecordErased(ConflictsWithRecord):
    rule_id = "pupil.erased_record_closed"


class NothingToUpdate(InvalidCommand):
    rule_id = "pupil.update_changes_something"


class DatedInFuture(InvalidCommand):
    rule_id = "record.not_in_future"


class DatesOutOfOrder(InvalidCommand):
    rule_id = "record.dates_in_order"


class NarrativeRequired(InvalidCommand):
    rule_id = "record.narrative_required"


# ----------------------------------------------------------------------------- referral to placement


class ReferralUnknown(InvalidCommand):
    rule_id = "referral.exists"


class ReferralAlreadyReceived(ConflictsWithRecord):
    rule_id = "referral.unique"


class ReferralAlreadyPlaced(ConflictsWithRecord):
    rule_id = "referral.placed_once"


class ParentNotConsulted(ConflictsWithRecord):
    rule_id = "placement.parent_consulted"


class EligibilityNotDecided(ConflictsWithRecord):
    rule_id = "placement.eligibility_decided"


class LookedAfterAuthorityMismatch(ConflictsWithRecord):
    """Issue 14: a looked-after child's placement names the local authority looking after them (its virtual school
    head is told of suspensions and exclusions), and only a child the record shows looked after names one."""

    rule_id = "placement.looked_after_names_authority"


class PupilNotEligible(ConflictsWithRecord):
    rule_id = "placement.pupil_eligible"


class EhcpExceptionalCircumstancesRequired(InvalidCommand):
    rule_id = "eligibility.ehcp_exceptional_circumstances"


class MultidisciplinaryMeetingRequired(ConflictsWithRecord):
    rule_id = "placement.out_of_key_stage_meeting"


class HomeSchoolHeadDecisionRequired(ConflictsWithRecord):
    rule_id = "placement.out_of_key_stage_head_decision"


class GoverningBodyAgreementRequired(InvalidCommand):
    rule_id = "placement.out_of_key_stage_governing_body"


class AlternativesNotConsidered(InvalidCommand):
    rule_id = "placement.out_of_key_stage_alternatives"


class NotOutsideKeyStage(InvalidCommand):
    rule_id = "placement.out_of_key_stage_only"


class PlacementAlreadyActive(ConflictsWithRecord):
    rule_id = "placement.one_at_a_time"


class PlacementIdInUse(ConflictsWithRecord):
    rule_id = "placement.unique"


class ReducedTimetableIncomplete(InvalidCommand):
    rule_id = "timetable.reduced_has_review_date_and_plan"


class ReducedTimetableReviewTooLate(InvalidCommand):
    rule_id = "timetable.reduced_is_time_limited"


class NotOnReducedTimetable(ConflictsWithRecord):
    rule_id = "timetable.review_needs_reduced_timetable"


class ReviewIntervalTooLong(InvalidCommand):
    rule_id = "placement.reviewed_half_termly"


# ----------------------------------------------------------------------------- a placement's life


class PlacementUnknown(InvalidCommand):
    rule_id = "placement.exists"


class PlacementAlreadyEnded(ConflictsWithRecord):
    rule_id = "placement.closed_after_end"


class DateOutsidePlacement(InvalidCommand):
    rule_id = "record.within_placement"


class AttendanceAlreadyRecorded(ConflictsWithRecord):
    rule_id = "attendance.one_mark_per_session"


class IncidentUnknown(InvalidCommand):
    rule_id = "incident.exists"


class IncidentAlreadyRecorded(ConflictsWithRecord):
    rule_id = "incident.unique"


class InsufficientRewardSlips(ConflictsWithRecord):
    rule_id = "reward.slips_cover_redemption"


class RewardItemOverLimit(InvalidCommand):
    rule_id = "reward.item_within_limit"


class StaffNotTrained(ConflictsWithRecord):
    rule_id = "intervention.trained_staff_only"


class SearchSafeguardsNotMet(InvalidCommand):
    rule_id = "search.same_sex_with_witness"


class SearchExceptionReasonRequired(InvalidCommand):
    rule_id = "search.exception_reason"


class WitnessMustDifferFromSearcher(InvalidCommand):
    rule_id = "search.witness_is_another_person"


class DisposalRequired(InvalidCommand):
    rule_id = "search.found_item_disposal"


class ItemMustGoToPolice(InvalidCommand):
    rule_id = "search.police_items"


class ItemMayNotBeReturned(InvalidCommand):
    rule_id = "search.no_return_of_confiscated_substances"


class ConcernMustGoToDsl(InvalidCommand):
    rule_id = "safeguarding.referred_to_dsl"


class ParentPermissionRequired(InvalidCommand):
    rule_id = "agency.parent_permission"


class TransitionOnlyForFinalPrimaryYear(ConflictsWithRecord):
    rule_id = "transition.final_primary_year"


class TooFewTransitionVisits(InvalidCommand):
    rule_id = "transition.minimum_visits"


class PartTimeCodeWithoutReducedTimetable(ConflictsWithRecord):
    rule_id = "attendance.part_time_code_needs_reduced_timetable"


class TransitionPlanRequired(ConflictsWithRecord):
    rule_id = "placement.transition_plan_before_secondary"


__all__ = [
    "AlternativesNotConsidered", "AttendanceAlreadyRecorded", "BoardAlreadyDecided", "BoardCaseUnknown",
    "CommissionerDecisionRequired",
    "CommissionerNotResponsible", "ConcernMustGoToDsl", "ConflictsWithRecord", "CorrectionTargetUnknown",
    "CorrectionValueInvalid", "DateOutsidePlacement", "DatedInFuture", "DatesOutOfOrder", "DisposalRequired",
    "DomainError", "EhcpExceptionalCircumstancesRequired", "EligibilityNotDecided", "EndReasonNeedsCommissioner",
    "ExclusionProposalPending", "ExclusionProposalUnknown", "ExclusionUnknown", "ExclusionWithdrawn",
    "FieldNotAmendable",
    "GoverningBodyAgreementRequired", "HomeSchoolHeadDecisionRequired", "IncidentAlreadyRecorded", "IncidentUnknown",
    "IndependentReviewNotExplained",
    "InsufficientRewardSlips", "InvalidCommand", "ItemMayNotBeReturned", "ItemMustGoToPolice", "KeyStageNotServed",
    "MeetingNotMultidisciplinary", "MultidisciplinaryMeetingRequired", "NarrativeRequired",
    "NotEntitledToCorrect", "NotOnReducedTimetable", "NotOutsideKeyStage", "NothingToAmend", "NothingToUpdate",
    "OnlyHomeSchool", "OrganisationFactsIncomplete",
    "OrganisationNotRegistered", "ParentNotConsulted", "ParentPermissionRequired",
    "PartTimeCodeWithoutReducedTimetable", "PermanentExclusionRequired", "PlacementAlreadyActive",
    "PlacementAlreadyEnded", "PlacementBeforePrerequisite", "PlacementIdInUse", "PlacementUnknown",
    "ProposalAlreadyDecided", "ProposalIdInUse", "PupilAlreadyRegistered", "PupilNotEligible", "PupilNotRegistered",
    "PupilPermanentlyExcluded", "PupilRecordErased", "RecordAlreadyWithdrawn", "RecordNotCorrectable",
    "ReducedTimetableIncomplete", "ReducedTimetableReviewTooLate", "ReferralAlreadyPlaced", "ReferralAlreadyReceived",
    "ReferralUnknown", "ReintegrationNotConfirmed", "ReservedToAnotherParty", "ReviewIntervalTooLong",
    "RewardItemOverLimit", "SafetyArrangementsRequired", "SearchExceptionReasonRequired", "SearchSafeguardsNotMet",
    "StaffNotTrained", "SuspensionCapExceeded", "SuspensionNotBeforeBoard", "TooFewTransitionVisits",
    "TrainingNotOnRegister",
    "TransferAlreadyPending", "TransferConfirmedByOtherParty", "TransferToSameSchool", "TransferUnknown",
    "TransitionOnlyForFinalPrimaryYear", "TransitionPlanRequired", "WithdrawalWouldOverdrawSlips",
    "WitnessMustDifferFromSearcher", "WitnessNotOnRegister",
]
