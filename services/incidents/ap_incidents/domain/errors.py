"""Domain errors: each one names the rule it protects.

Every error has a stable ``rule`` id (for clients, logs and tests), a refusal ``kind`` and a message
written for the person at the keyboard. ``BREAKS_RULE``: the command itself breaks a rule whatever
the record holds; ``CONFLICTS_WITH_RECORD``: it conflicts with what the pupil record already holds;
``RESERVED_TO_ANOTHER_PARTY``: the rule reserves the act to a named party (the home school head,
the commissioner, the provider). The domain knows no HTTP: the edge maps a kind to a status
(``ap_runtime.http.problems.STATUS_OF_KIND``).
"""

from __future__ import annotations

from typing import ClassVar

from ap_runtime.refusal import RefusalKind


class DomainError(Exception):
    """Base of every refusal by the pupil-path domain."""

    rule: ClassVar[str]
    kind: ClassVar[RefusalKind]

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidCommand(DomainError):
    kind: ClassVar[RefusalKind] = RefusalKind.BREAKS_RULE


class ConflictsWithRecord(DomainError):
    kind: ClassVar[RefusalKind] = RefusalKind.CONFLICTS_WITH_RECORD


class ReservedToAnotherParty(DomainError):
    kind: ClassVar[RefusalKind] = RefusalKind.RESERVED_TO_ANOTHER_PARTY


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


# ----------------------------------------------------------------------------- withdrawal of a place, exclusion


class ExclusionProposalPending(ConflictsWithRecord):
    rule = "exclusion.one_open_proposal"


class ExclusionProposalUnknown(InvalidCommand):
    rule = "exclusion.proposal_exists"


class ProposalAlreadyDecided(ConflictsWithRecord):
    rule = "exclusion.decided_once"


class ProposalIdInUse(ConflictsWithRecord):
    rule = "exclusion.proposal_unique"


class SafetyArrangementsRequired(InvalidCommand):
    rule = "exclusion.safety_arrangements_first"


class CommissionerDecisionRequired(ConflictsWithRecord):
    rule = "placement.withdrawal_needs_commissioner"


class PermanentExclusionRequired(ConflictsWithRecord):
    rule = "placement.end_by_exclusion_needs_exclusion"


class SuspensionCapExceeded(ConflictsWithRecord):
    rule = "suspension.cap_per_academic_year"


class PupilPermanentlyExcluded(ConflictsWithRecord):
    rule = "exclusion.pupil_off_roll"


class ExclusionUnknown(InvalidCommand):
    rule = "reinstatement.exclusion_exists"


# ----------------------------------------------------------------------------- corrections


class CorrectionTargetUnknown(InvalidCommand):
    rule = "correction.target_exists"


class RecordAlreadyWithdrawn(ConflictsWithRecord):
    rule = "correction.target_not_withdrawn"


class RecordNotCorrectable(ConflictsWithRecord):
    rule = "correction.target_correctable"


class FieldNotAmendable(InvalidCommand):
    rule = "correction.amendable_fields"


class CorrectionValueInvalid(InvalidCommand):
    rule = "correction.valid_values"


class NothingToAmend(InvalidCommand):
    rule = "correction.changes_something"


class WithdrawalWouldOverdrawSlips(ConflictsWithRecord):
    rule = "reward.slips_never_negative"


# ----------------------------------------------------------------------------- who may act, given the facts
# Who may ask (a role at an organisation standing in a relationship to the pupil) is the access policy's
# (runtime/ap_runtime/access/policy.yaml): "only the home-school head excludes" is EXC-3, "only the head
# decides out of key stage" OKS-1, "only the DSL corrects safeguarding" AMD-1, "only the commissioner
# decides a proposed withdrawal" EXC-2, "the provider's manager proposes it" EXC-1, "a local authority acts
# only for its area's pupils" PUP-2 (with PUP-1, PUP-3 to PUP-5 and REF-2 for the home school); none is
# repeated here.
# The refusals below need a fact of the record the policy does not see: the organisation named on THIS
# placement, proposal or entry, who requested a transfer, which party made the entry being corrected.


class OnlyHomeSchool(ReservedToAnotherParty):
    rule = "pupil.home_school_acts"


class OnlyPlacementProvider(ReservedToAnotherParty):
    rule = "placement.provider_records"


class NotAPartyToPlacement(ReservedToAnotherParty):
    rule = "placement.parties_only"


class OnlyProvisionKeepsRegister(ReservedToAnotherParty):
    rule = "staff_register.provision_keeps"


class TrainingNotOnRegister(InvalidCommand):
    rule = "staff_register.training_exists"


class NotEntitledToCorrect(ReservedToAnotherParty):
    rule = "correction.by_original_party"


# ----------------------------------------------------------------------------- registered organisations, transfers


class OrganisationNotRegistered(ConflictsWithRecord):
    """A fact the rule needs (a school's LA, a provision's key stages) is not on the register."""

    rule = "organisation.registered"


class OrganisationFactsIncomplete(InvalidCommand):
    """A registration names every fact its kind of organisation is relied on for."""

    rule = "organisation.registration_complete"


class CommissionerNotResponsible(ConflictsWithRecord):
    """The commissioner of a place is the home school, its local authority or a commissioning body of that LA."""

    rule = "referral.commissioner_responsible"


class TransferUnknown(InvalidCommand):
    rule = "transfer.exists"


class TransferAlreadyPending(ConflictsWithRecord):
    rule = "transfer.one_at_a_time"


class TransferToSameSchool(InvalidCommand):
    rule = "transfer.to_another_school"


class TransferConfirmedByOtherParty(ReservedToAnotherParty):
    """The party that did not request the move (the current school or its LA) confirms it."""

    rule = "transfer.confirmed_by_other_party"


# ----------------------------------------------------------------------------- protective rules


class PlacementBeforePrerequisite(ConflictsWithRecord):
    """A placement starts on or after the steps it depends on (referral, consultation, eligibility, meeting,
    out-of-key-stage decision): order in time, not only existence."""

    rule = "placement.after_its_prerequisites"


class KeyStageNotServed(ConflictsWithRecord):
    """A placement's key stage is one the provision is registered to serve."""

    rule = "placement.key_stage_served_by_provision"


class WitnessNotOnRegister(InvalidCommand):
    """A search witness is a member of staff on the provision's register."""

    rule = "search.witness_on_staff_register"


class EndReasonNeedsCommissioner(ReservedToAnotherParty):
    """The provider gives alone only the end reasons the rule book lists; the others go through the commissioner."""

    rule = "placement.end_reason_needs_commissioner"


class ReintegrationNotConfirmed(ConflictsWithRecord):
    """A place ends as a reintegration only once the home school confirmed it takes the pupil back."""

    rule = "placement.reintegration_confirmed_by_home_school"


class MeetingNotMultidisciplinary(InvalidCommand):
    """A multidisciplinary meeting brings together at least the rule book's number of different professions."""

    rule = "meeting.multidisciplinary"
