"""v1 events of the provider self-audit (seed 000, issue 13).

One stream per provider and academic year. The commissioner asks for the year's self-audit against a
versioned template of the toolkit's statements; the provider rates each statement Red, Amber or Green
with its evidence and, below Green, an action plan; the commissioner of record moderates each rating,
agreeing or changing it, always with a reason. The trend per statement across years is read from these
events (``ap_commissioning`` read model). No personal data: free text must never name a pupil.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field, StrictInt

from ap_contracts.events.commissioning_vocabulary import (
    AcademicYear,
    CommissioningEvent,
    LongText,
    ShortText,
    UserId,
)
from ap_contracts.identifiers import OrganisationId


class RagRating(StrEnum):
    """The toolkit's ratings (seed 000's audit tool: RED / AMBER / GREEN columns)."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class SelfAuditRequested(CommissioningEvent):
    """The commissioner asks a provider for the year's self-audit against one version of the template."""

    event_type: ClassVar[str] = "SelfAuditRequested"

    provider_id: OrganisationId
    commissioner_id: OrganisationId
    academic_year: AcademicYear
    template_version: ShortText
    requested_by: UserId
    # Issue 14: the day the audit is due (the commissioner's, else 31 August, the last day of ``academic_year``),
    # and how many statements the template version has, so an audit is seen to be overdue or done (every
    # statement rated) without commissioning's rules or template. None in events recorded before.
    due_on: date | None = None
    statement_count: Annotated[StrictInt, Field(ge=1)] | None = None


class SelfAuditStatementRated(CommissioningEvent):
    """The provider's rating of one statement, with its evidence (and an action plan below Green)."""

    event_type: ClassVar[str] = "SelfAuditStatementRated"

    provider_id: OrganisationId
    academic_year: AcademicYear
    statement_id: ShortText
    rating: RagRating
    evidence: LongText
    action_plan: LongText = ""
    rated_by: UserId


class SelfAuditRatingModerated(CommissioningEvent):
    """The commissioner agrees (``moderated_rating`` equal to ``provider_rating``) or changes a rating,
    always with a reason."""

    event_type: ClassVar[str] = "SelfAuditRatingModerated"

    provider_id: OrganisationId
    academic_year: AcademicYear
    statement_id: ShortText
    provider_rating: RagRating
    moderated_rating: RagRating
    reason: LongText
    moderated_by: UserId


class SelfAuditDueDateChanged(CommissioningEvent):
    """The commissioner moves the day a requested audit is due, with a reason, before the provider has rated
    every statement and before any rating is moderated (issue 16 follow-up). Readers take ``due_on`` from the
    latest of this event and ``SelfAuditRequested``."""

    event_type: ClassVar[str] = "SelfAuditDueDateChanged"

    provider_id: OrganisationId
    commissioner_id: OrganisationId
    academic_year: AcademicYear
    previous_due_on: date | None
    due_on: date
    reason: LongText
    changed_by: UserId
