"""Refusals of service level agreements and their reviews (seed 001, section 2, appendices 1 and 2), one class
per rule, each with its rule id ``sla.<rule>``."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ap_commissioning.domain.errors import CommissioningRefused
from ap_runtime.refusal import RefusalKind


class SlaNotRecorded(CommissioningRefused):
    rule_id = "sla.known"
    kind = RefusalKind.NOT_FOUND
    says = "no service level agreement between {provision_id} and {commissioner_id} is recorded"
    provision_id: str
    commissioner_id: str


class SlaPartiesFixed(CommissioningRefused):
    """An agreement's parties are those of its first version; a stream is never shared by two pairs."""

    rule_id = "sla.parties_fixed"
    says = "this agreement is recorded between other parties"


class VersionsNumberedInOrder(CommissioningRefused):
    rule_id = "sla.versions_numbered_in_order"
    says = "the next version of this agreement is {expected}, not {given}"
    given: int
    expected: int


class SlaVersionNotRecorded(CommissioningRefused):
    rule_id = "sla.version_known"
    kind = RefusalKind.NOT_FOUND
    says = "version {version} of this agreement was never drafted"
    version: int


class SlaDatesRunForwards(CommissioningRefused):
    rule_id = "sla.dates_run_forwards"
    kind = RefusalKind.BREAKS_RULE
    says = "terms.ends_on {ends_on} must be after terms.starts_on {starts_on}"
    starts_on: date
    ends_on: date


class SlaReviewDatesWithinTerm(CommissioningRefused):
    rule_id = "sla.review_dates_within_term"
    kind = RefusalKind.BREAKS_RULE
    says = "terms.review_dates: {review_on} is outside the dates the agreement runs"
    review_on: date


class SlaPhaseListedOnce(CommissioningRefused):
    rule_id = "sla.phase_listed_once"
    kind = RefusalKind.BREAKS_RULE
    says = "terms.places_by_phase names phase {phase!r} more than once"
    phase: str


class SlaSignedOncePerParty(CommissioningRefused):
    """Both parties sign (seed 001, appendix 2, "Signatures and Dates"): one party signing twice is not two."""

    rule_id = "sla.signed_once_per_party"
    says = "version {version} is already signed by the {party}; the other party must sign"
    version: int
    party: str


class SlaSignedBeforeItEnds(CommissioningRefused):
    """A version signed after its end date would never be in force: agree a new version instead."""

    rule_id = "sla.signed_before_it_ends"
    says = "version {version} ended on {ends_on}; draft a new version to agree"
    version: int
    ends_on: date


class SlaSignedByAParty(CommissioningRefused):
    """Only the provision or the commissioner named by the agreement signs or answers for it."""

    rule_id = "sla.acted_on_by_a_party"
    kind = RefusalKind.RESERVED_TO_ANOTHER_PARTY
    says = "organisation {organisation_id} is not a party to this agreement"
    organisation_id: str


class SlaReviewOfVersionInForce(CommissioningRefused):
    """A review is of the agreement as it stands: the version in force on the day it is answered."""

    rule_id = "sla.review_of_version_in_force"

    says = "version {version} is not in force on {on} ({now} is); review the version in force"
    version: int
    in_force: int | None
    on: date

    @property
    def now(self) -> str:
        return "no version" if self.in_force is None else f"version {self.in_force}"


class SlaReviewTemplateKnown(CommissioningRefused):
    rule_id = "sla.review_template_known"
    kind = RefusalKind.BREAKS_RULE
    says = "no review questionnaire {template_id!r} version {version}"
    template_id: str
    version: int


class SlaReviewAnswersMatchTemplate(CommissioningRefused):
    rule_id = "sla.review_answers_match_template"
    kind = RefusalKind.BREAKS_RULE
    says = "answers: {problem}"
    problem: str


class SlaReviewAnsweredOncePerParty(CommissioningRefused):
    rule_id = "sla.review_answered_once_per_party"
    says = "the {party} has already answered review {review_id}"
    review_id: UUID
    party: str


class SlaReviewNotRecorded(CommissioningRefused):
    rule_id = "sla.review_known"
    kind = RefusalKind.NOT_FOUND
    says = "no review {review_id} of this agreement was answered"
    review_id: UUID


class SlaReviewAnsweredByBoth(CommissioningRefused):
    """Appendix 1 is answered by the provider and by the commissioner before the review is concluded."""

    rule_id = "sla.review_answered_by_both"
    says = "the {missing} has not answered this review yet"
    missing: str


class SlaReviewCompletedOnce(CommissioningRefused):
    rule_id = "sla.review_completed_once"
    says = "review {review_id} is already completed"
    review_id: UUID


class SlaNextReviewAfterToday(CommissioningRefused):
    rule_id = "sla.next_review_after_today"
    kind = RefusalKind.BREAKS_RULE
    says = "next_review_on {next_review_on} must be after today ({today})"
    next_review_on: date
    today: date


class SlaNotInForce(CommissioningRefused):
    rule_id = "sla.in_force_on_date"
    kind = RefusalKind.NOT_FOUND
    says = "no version of this agreement is in force on {on}"
    on: date
