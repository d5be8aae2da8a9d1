"""Service level agreements between a provision and its commissioner, and their annual review (issue 13;
seed 001, section 2 and appendices 1 and 2).

One stream per agreement: ``sla-<provision>-<commissioner>``. A version's terms are drafted, each party
signs once, and the second signature puts the version in force (``SlaVersionAgreed``) from the later of its
start date and the day it was fully signed, until its end date; a later version in force supersedes it.
The appendix's headings are structured fields where they are facts (places by phase, dates, the attendance
threshold alerts use, reporting duties, review dates, charges) and text where they are prose. The review
(appendix 1) is answered by both parties against a versioned questionnaire, scored, and completed by the
commissioner with actions, owners and the next review date.

No personal data: organisations, staff user ids and prose that must never name a pupil.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, StrictInt

from ap_contracts.envelope import StrictModel
from ap_contracts.events.commissioning_vocabulary import CommissioningEvent, LongText, Phase, ShortText, UserId
from ap_contracts.identifiers import OrganisationId
from ap_contracts.money import Pence

VersionNumber = Annotated[StrictInt, Field(ge=1, description="1 for the first version, then one more each time")]
Percent = Annotated[StrictInt, Field(ge=0, le=100)]
TemplateId = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_.-]*$")]
QuestionId = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[0-9a-z_.-]+$")]


class SlaParty(StrEnum):
    """The two parties of an agreement (seed 001, section 2: the host school's provision and the body it serves)."""

    PROVIDER = "provider"
    COMMISSIONER = "commissioner"


class ReportingFrequency(StrEnum):
    MONTHLY = "monthly"
    HALF_TERMLY = "half_termly"
    TERMLY = "termly"
    ANNUALLY = "annually"


class ChargeBasis(StrEnum):
    PER_PLACE_PER_YEAR = "per_place_per_year"
    PER_PLACE_PER_TERM = "per_place_per_term"
    PER_PUPIL_DAY = "per_pupil_day"
    FIXED = "fixed"


class LikertChoice(StrEnum):
    """Appendix 1's five answers to a statement."""

    STRONGLY_AGREE = "strongly_agree"
    AGREE = "agree"
    NEUTRAL = "neutral"
    DISAGREE = "disagree"
    STRONGLY_DISAGREE = "strongly_disagree"


class PlacesForPhase(StrictModel):
    phase: Phase
    places: Annotated[StrictInt, Field(ge=0, le=1000)]


class ReportingDuty(StrictModel):
    duty: ShortText
    frequency: ReportingFrequency
    report_to: ShortText


class Charge(StrictModel):
    description: ShortText
    amount_pence: Pence
    basis: ChargeBasis


class SlaProse(StrictModel):
    """Appendix 2's headings that are prose (each may be left empty in a draft)."""

    purpose: LongText = ""
    vision_aims_mission: LongText = ""
    services_and_delivery: LongText = ""
    funding: LongText = ""
    roles_and_responsibilities: LongText = ""
    staffing: LongText = ""
    curriculum_and_resources: LongText = ""
    partnerships: LongText = ""
    performance_monitoring_kpis: LongText = ""
    reporting: LongText = ""
    quality_assurance_and_safeguarding: LongText = ""
    communication_and_feedback: LongText = ""
    review: LongText = ""
    termination: LongText = ""


class SlaTerms(StrictModel):
    """The facts of one version: what is commissioned, when it runs, what alerts use, who reports what."""

    places_by_phase: tuple[PlacesForPhase, ...] = Field(min_length=1, max_length=len(Phase))
    starts_on: date
    ends_on: date
    attendance_threshold_percent: Percent = Field(
        description="Attendance below it alerts the commissioner, for placements that agreed no threshold of their own")
    reporting_duties: tuple[ReportingDuty, ...] = Field(default=(), max_length=50)
    review_dates: tuple[date, ...] = Field(default=(), max_length=20)
    charges: tuple[Charge, ...] = Field(default=(), max_length=50)
    prose: SlaProse = SlaProse()


class SlaEvent(CommissioningEvent):
    """Every event of an agreement names its two parties."""

    provision_id: OrganisationId
    commissioner_id: OrganisationId


class SlaVersionDrafted(SlaEvent):
    event_type = "SlaVersionDrafted"

    version: VersionNumber
    terms: SlaTerms
    drafted_by: UserId


class SlaVersionSigned(SlaEvent):
    event_type = "SlaVersionSigned"

    version: VersionNumber
    party: SlaParty
    signed_by: UserId
    signed_on: date


class SlaVersionAgreed(SlaEvent):
    """Both parties signed: the version is in force from ``in_force_from`` to ``ends_on``."""

    event_type = "SlaVersionAgreed"

    version: VersionNumber
    in_force_from: date
    ends_on: date
    attendance_threshold_percent: Percent
    supersedes_version: VersionNumber | None = None
    # Issue 13: when the agreement's next review falls due from this agreement on (the last completed review's
    # next date; before any, this version's first review date, else a year after it came into force), so an
    # overdue review can be alerted from the events. None in events recorded before.
    next_review_on: date | None = None


class ReviewAnswer(StrictModel):
    question_id: QuestionId
    choice: LikertChoice | None = None
    text: LongText | None = None


class ReviewAction(StrictModel):
    action: ShortText
    owner: ShortText = Field(description="Who carries it out: a role or team, never a pupil")
    due_on: date


class SlaReviewAnswered(SlaEvent):
    """One party's answers to the review questionnaire for the version in force."""

    event_type = "SlaReviewAnswered"

    review_id: UUID
    version: VersionNumber
    template_id: TemplateId
    template_version: VersionNumber
    party: SlaParty
    answers: tuple[ReviewAnswer, ...] = Field(max_length=50)
    score: Annotated[StrictInt, Field(ge=0)]
    max_score: Annotated[StrictInt, Field(ge=0)]
    answered_by: UserId
    answered_on: date


class SlaReviewCompleted(SlaEvent):
    event_type = "SlaReviewCompleted"

    review_id: UUID
    version: VersionNumber
    provider_score: Annotated[StrictInt, Field(ge=0)]
    commissioner_score: Annotated[StrictInt, Field(ge=0)]
    max_score: Annotated[StrictInt, Field(ge=0)]
    actions: tuple[ReviewAction, ...] = Field(max_length=50)
    next_review_on: date
    completed_by: UserId
    completed_on: date
