"""v1 events of a placement's life: start, agreed thresholds, reviews, withdrawal of the place, end.

A placement belongs to one pupil stream; every event here names its ``placement_id``. The provider
can propose to withdraw a place but never withdraw it alone: the commissioner decides
(seed 000), and only the home school head can exclude from school (see ``school_exclusions``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Self
from uuid import UUID

from pydantic import ConfigDict, Field, model_validator

from ap_contracts.envelope import StrictModel
from ap_contracts.events.pupil_vocabulary import (
    BehaviourText,
    CommissionerDecision,
    ExclusionReason,
    ExclusionText,
    KeyStage,
    OrganisationId,
    PlacementEndReason,
    ReducedTimetableOutcome,
    ReviewOutcome,
    RuleVersion,
    SenHealthNote,
    Severity,
    StaffIdText,
    TimetableKind,
    VisitPart,
    YearGroup,
)
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.personal import Personal, RecordClass
from ap_contracts.upcasting import upcaster

PercentInt = Annotated[int, Field(ge=0, le=100)]


class PlacementEvent(PupilEvent):
    """Base of events about one placement of the pupil."""

    placement_id: UUID


class _PlacementStartedTerms(PlacementEvent):
    """The agreed terms every version of ``PlacementStarted`` carries (an abstract base: no event type)."""

    referral_id: UUID
    provision_id: OrganisationId
    home_school_id: OrganisationId
    commissioner_id: OrganisationId
    partnership_id: OrganisationId
    start_date: date
    planned_end_date: date
    key_stage: KeyStage = Field(description="Key stage the provision serves for this placement")
    pupil_key_stage: KeyStage
    outside_key_stage: bool
    timetable: TimetableKind
    reduced_timetable_review_date: date | None
    reintegration_plan: BehaviourText
    planned_review_date: date
    exit_criteria: BehaviourText
    incident_severity_threshold: Severity = Field(
        description="Incidents at or above it alert the home school and the commissioner"
    )
    attendance_threshold_percent: PercentInt | None = Field(
        default=None,
        description="Attendance below it alerts the commissioner; none agreed: the SLA in force for the provision"
                    " and commissioner applies (issue 13)")
    rule_version: RuleVersion

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.outside_key_stage != (self.key_stage is not self.pupil_key_stage):
            raise ValueError("outside_key_stage must say whether key_stage differs from pupil_key_stage")
        if (self.timetable is TimetableKind.REDUCED) != (self.reduced_timetable_review_date is not None):
            raise ValueError("a reduced timetable, and only a reduced one, has a review date")
        if self.planned_end_date < self.start_date or self.planned_review_date < self.start_date:
            raise ValueError("planned dates cannot precede the start date")
        return self


class PlacementStartedV1(_PlacementStartedTerms):
    """The pupil started at a provision on the agreed terms."""

    # Superseded by v2 (read through the upcaster below): its ``looked_after_by`` is in clear, so any reader of
    # placement events could tell that a pseudonymous pupil is looked after. Kept to read what was stored.
    model_config = ConfigDict(title="PlacementStarted")
    event_type: ClassVar[str] = "PlacementStarted"

    looked_after_by: OrganisationId | None = Field(
        default=None, description="Looked-after child: the local authority looking after them, whose virtual school"
                                  " head is told of suspensions and exclusions")


# None or one authority; sealed always, empty or not, so the stored shape never says whether the child is looked after.
LookingAfter = Annotated[
    Annotated[tuple[OrganisationId, ...], Field(max_length=1)] | None,
    Personal(RecordClass.PUPIL_IDENTITY),
    Field(description="Looked-after child: the local authority looking after them (one), whose virtual school head"
                      " is told of suspensions and exclusions; empty: not looked after; null: erased or not said"),
]


class PlacementStarted(_PlacementStartedTerms):
    """The pupil started at a provision on the agreed terms (v2: whether the child is looked after is sealed).

    Issue 14: a looked-after child's virtual school head is told of the child's suspensions and exclusions
    (STATUTORY.md). ``looked_after_by`` names the local authority looking after the child, sealed with the pupil's
    key as the pupil's own ``looked_after`` is: the incidents service always writes it (empty when not looked
    after), so the sealed value is there for every child and only a reader holding the key learns anything.
    The notifications worker opens this one field, never a narrative (``projections/looked_after.py``).
    """

    schema_version: ClassVar[int] = 2
    event_type: ClassVar[str] = "PlacementStarted"

    looked_after_by: LookingAfter = None


@upcaster("PlacementStarted", from_version=1)
def _placement_started_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """v1's clear authority (or none) as v2's list of at most one; v1 said nothing of a child not looked after."""
    authority = payload.get("looked_after_by")
    return {**payload, "looked_after_by": None if authority is None else [authority]}


class AlertThresholdsAgreed(PlacementEvent):
    """Provider and commissioner agreed new alert thresholds for the placement."""

    event_type: ClassVar[str] = "AlertThresholdsAgreed"

    agreed_on: date
    incident_severity_threshold: Severity
    attendance_threshold_percent: PercentInt


class ReviewHeld(PlacementEvent):
    """The placement was reviewed: progress, a time-bound plan of action, the next review."""

    event_type: ClassVar[str] = "ReviewHeld"

    held_on: date
    outcome: ReviewOutcome
    progress_summary: BehaviourText
    action_plan: BehaviourText
    action_plan_due_date: date
    next_review_date: date | None
    rule_version: RuleVersion


class ReducedTimetableReviewed(PlacementEvent):
    """A reduced timetable reached its review: extended to a new date or moved towards full time."""

    event_type: ClassVar[str] = "ReducedTimetableReviewed"

    reviewed_on: date
    outcome: ReducedTimetableOutcome
    next_review_date: date | None
    reintegration_plan: BehaviourText
    rule_version: RuleVersion

    @model_validator(mode="after")
    def _next_review_unless_full_time(self) -> Self:
        full_time = self.outcome is ReducedTimetableOutcome.RETURNED_TO_FULL_TIME
        if full_time != (self.next_review_date is None):
            raise ValueError("a timetable still reduced needs a next review date; a full-time one has none")
        return self


class ExclusionProposed(PlacementEvent):
    """The provider proposed withdrawing the place; only the commissioner can decide it."""

    event_type: ClassVar[str] = "ExclusionProposed"

    proposal_id: UUID
    proposed_on: date
    primary_reason: ExclusionReason
    further_reasons: tuple[ExclusionReason, ...] = Field(default=(), max_length=2)
    account: ExclusionText
    safety_arrangements: ExclusionText


class CommissionerDecisionRecorded(PlacementEvent):
    """The commissioner upheld or declined the provider's proposal to withdraw the place."""

    event_type: ClassVar[str] = "CommissionerDecisionRecorded"

    proposal_id: UUID
    commissioner_id: OrganisationId
    decided_on: date
    decision: CommissionerDecision
    reasons: ExclusionText


class TransitionVisit(StrictModel):
    visit_date: date
    part_of_day: VisitPart


class TransitionPlanRecorded(PlacementEvent):
    """A Year 6 pupil's move to secondary school was planned, with visits and information sharing."""

    event_type: ClassVar[str] = "TransitionPlanRecorded"

    receiving_school_id: OrganisationId
    year_group: YearGroup
    planned_visits: tuple[TransitionVisit, ...] = Field(min_length=1)
    information_shared: bool
    lead_professional: StaffIdText
    needs_and_support: SenHealthNote
    parental_involvement: BehaviourText
    rule_version: RuleVersion


class ReintegrationConfirmed(PlacementEvent):
    """The home school confirmed it takes the pupil back full time: a provider may then end the place as a
    reintegration."""

    event_type: ClassVar[str] = "ReintegrationConfirmed"

    confirmed_on: date
    rule_version: RuleVersion


class PlacementEnded(PlacementEvent):
    """The placement ended; for a withdrawn place or a permanent exclusion the decision is referenced."""

    event_type: ClassVar[str] = "PlacementEnded"

    end_date: date
    reason: PlacementEndReason
    destination_id: OrganisationId | None = Field(
        default=None, description="Receiving school or setting, when the pupil moved to one"
    )
    decision_record_id: UUID | None = Field(
        default=None,
        description="The upheld commissioner decision (place withdrawn) or the permanent exclusion it follows",
    )
    summary: BehaviourText
    rule_version: RuleVersion | None = Field(
        default=None, description="Rule book version of the end-reason rules applied; None before they were versioned"
    )

    @model_validator(mode="after")
    def _decision_where_needed(self) -> Self:
        needs = self.reason in (PlacementEndReason.PLACE_WITHDRAWN, PlacementEndReason.PERMANENTLY_EXCLUDED)
        if needs != (self.decision_record_id is not None):
            raise ValueError("a withdrawn place or permanent exclusion, and only those, reference their decision")
        return self
