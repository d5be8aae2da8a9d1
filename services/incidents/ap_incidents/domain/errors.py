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
    rule = "pupil.registered"


class PupilAlreadyRegistered(ConflictsWithRecord):
    rule = "pupil.registered_once"


class PupilRecordErased(ConflictsWithRecord):
    rule = "pupil.erased_record_closed"


class NothingToUpdate(InvalidCommand):
    rule = "pupil.update_changes_something"


class DatedInFuture(InvalidCommand):
    rule = "record.not_in_future"


class DatesOutOfOrder(InvalidCommand):
    rule = "record.dates_in_order"


class NarrativeRequired(InvalidCommand):
    rule = "record.narrative_required"


# ----------------------------------------------------------------------------- referral to placement


class ReferralUnknown(InvalidCommand):
    rule = "referral.exists"


class ReferralAlreadyReceived(ConflictsWithRecord):
    rule = "referral.unique"


class ReferralAlreadyPlaced(ConflictsWithRecord):
    rule = "referral.placed_once"


class ParentNotConsulted(ConflictsWithRecord):
    rule = "placement.parent_consulted"


class EligibilityNotDecided(ConflictsWithRecord):
    rule = "placement.eligibility_decided"


class PupilNotEligible(ConflictsWithRecord):
    rule = "placement.pupil_eligible"


class EhcpExceptionalCircumstancesRequired(InvalidCommand):
    rule = "eligibility.ehcp_exceptional_circumstances"


class MultidisciplinaryMeetingRequired(ConflictsWithRecord):
    rule = "placement.out_of_key_stage_meeting"


class HomeSchoolHeadDecisionRequired(ConflictsWithRecord):
    rule = "placement.out_of_key_stage_head_decision"


class GoverningBodyAgreementRequired(InvalidCommand):
    rule = "placement.out_of_key_stage_governing_body"


class AlternativesNotConsidered(InvalidCommand):
    rule = "placement.out_of_key_stage_alternatives"


class NotOutsideKeyStage(InvalidCommand):
    rule = "placement.out_of_key_stage_only"


class PlacementAlreadyActive(ConflictsWithRecord):
    rule = "placement.one_at_a_time"


class PlacementIdInUse(ConflictsWithRecord):
    rule = "placement.unique"


class ReducedTimetableIncomplete(InvalidCommand):
    rule = "timetable.reduced_has_review_date_and_plan"


class ReducedTimetableReviewTooLate(InvalidCommand):
    rule = "timetable.reduced_is_time_limited"


class NotOnReducedTimetable(ConflictsWithRecord):
    rule = "timetable.review_needs_reduced_timetable"


class ReviewIntervalTooLong(InvalidCommand):
    rule = "placement.reviewed_half_termly"


# ----------------------------------------------------------------------------- a placement's life


class PlacementUnknown(InvalidCommand):
    rule = "placement.exists"


class PlacementAlreadyEnded(ConflictsWithRecord):
    rule = "placement.closed_after_end"


class DateOutsidePlacement(InvalidCommand):
    rule = "record.within_placement"


class AttendanceAlreadyRecorded(ConflictsWithRecord):
    rule = "attendance.one_mark_per_session"


class IncidentUnknown(InvalidCommand):
    rule = "incident.exists"


class IncidentAlreadyRecorded(ConflictsWithRecord):
    rule = "incident.unique"


class InsufficientRewardSlips(ConflictsWithRecord):
    rule = "reward.slips_cover_redemption"


class RewardItemOverLimit(InvalidCommand):
    rule = "reward.item_within_limit"


class StaffNotTrained(ConflictsWithRecord):
    rule = "intervention.trained_staff_only"


class SearchSafeguardsNotMet(InvalidCommand):
    rule = "search.same_sex_with_witness"


class SearchExceptionReasonRequired(InvalidCommand):
    rule = "search.exception_reason"


class WitnessMustDifferFromSearcher(InvalidCommand):
    rule = "search.witness_is_another_person"


class DisposalRequired(InvalidCommand):
    rule = "search.found_item_disposal"


class ItemMustGoToPolice(InvalidCommand):
    rule = "search.police_items"


class ItemMayNotBeReturned(InvalidCommand):
    rule = "search.no_return_of_confiscated_substances"


class ConcernMustGoToDsl(InvalidCommand):
    rule = "safeguarding.referred_to_dsl"


class ParentPermissionRequired(InvalidCommand):
    rule = "agency.parent_permission"


class TransitionOnlyForFinalPrimaryYear(ConflictsWithRecord):
    rule = "transition.final_primary_year"


class TooFewTransitionVisits(InvalidCommand):
    rule = "transition.minimum_visits"


class PartTimeCodeWithoutReducedTimetable(ConflictsWithRecord):
    rule = "attendance.part_time_code_needs_reduced_timetable"


class TransitionPlanRequired(ConflictsWithRecord):
    rule = "placement.transition_plan_before_secondary"


__all__ = [
    "AlternativesNotConsidered", "AttendanceAlreadyRecorded", "CommissionerDecisionRequired",
    "CommissionerNotResponsible", "ConcernMustGoToDsl", "ConflictsWithRecord", "CorrectionTargetUnknown",
    "CorrectionValueInvalid", "DateOutsidePlacement", "DatedInFuture", "DatesOutOfOrder", "DisposalRequired",
    "DomainError", "EhcpExceptionalCircumstancesRequired", "EligibilityNotDecided", "EndReasonNeedsCommissioner",
    "ExclusionProposalPending", "ExclusionProposalUnknown", "ExclusionUnknown", "FieldNotAmendable",
    "GoverningBodyAgreementRequired", "HomeSchoolHeadDecisionRequired", "IncidentAlreadyRecorded", "IncidentUnknown",
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
    "StaffNotTrained", "SuspensionCapExceeded", "TooFewTransitionVisits", "TrainingNotOnRegister",
    "TransferAlreadyPending", "TransferConfirmedByOtherParty", "TransferToSameSchool", "TransferUnknown",
    "TransitionOnlyForFinalPrimaryYear", "TransitionPlanRequired", "WithdrawalWouldOverdrawSlips",
    "WitnessMustDifferFromSearcher", "WitnessNotOnRegister",
]
