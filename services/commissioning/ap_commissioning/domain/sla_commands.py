"""The commands of a service level agreement and its review (issue 13). The path names the agreement's two
parties; the body never names who acts or as which party (the token and the stored parties decide)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import Field

from ap_commissioning.domain.context import CommissioningCommand
from ap_contracts.events.commissioning_sla import (
    ReviewAction,
    ReviewAnswer,
    SlaTerms,
    TemplateId,
    VersionNumber,
)
from ap_contracts.identifiers import OrganisationId


class SlaCommand(CommissioningCommand):
    provision_id: OrganisationId
    commissioner_id: OrganisationId


class DraftSlaVersion(SlaCommand):
    """The commissioner drafts the terms of the next version (a new version supersedes once agreed)."""

    version: VersionNumber
    terms: SlaTerms


PathVersion = Annotated[int, Field(ge=1, description="The version number, from the URL path")]


class SignSlaVersion(SlaCommand):
    """The caller's organisation signs a version, as whichever party the agreement records it to be."""

    version: PathVersion


class AnswerSlaReview(SlaCommand):
    """One party's answers to the annual review questionnaire (seed 001, appendix 1)."""

    review_id: UUID
    version: VersionNumber
    template_id: TemplateId = "sla-review"
    template_version: VersionNumber = 1
    answers: tuple[ReviewAnswer, ...] = Field(min_length=1, max_length=50)


class CompleteSlaReview(SlaCommand):
    """The commissioner concludes a review both parties answered: actions with owners, and the next review."""

    review_id: UUID
    actions: tuple[ReviewAction, ...] = Field(default=(), max_length=50)
    next_review_on: date
