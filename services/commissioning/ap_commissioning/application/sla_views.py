"""What the SLA reads answer: an agreement's versions with their signatures, the version in force, the review."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel

from ap_commissioning.domain.sla import SlaState, SlaVersion
from ap_commissioning.domain.sla_review import ReviewDue
from ap_contracts.events.commissioning_sla import (
    ReviewAction,
    SlaParty,
    SlaReviewAnswered,
    SlaTerms,
)


class SignatureView(BaseModel):
    party: SlaParty
    signed_by: str
    signed_on: date


class VersionView(BaseModel):
    provision_id: str
    commissioner_id: str
    version: int
    terms: SlaTerms
    signatures: list[SignatureView]
    in_force_from: date | None
    ends_on: date
    supersedes_version: int | None


class ReviewView(BaseModel):
    review_id: UUID
    version: int
    provider_score: int | None
    commissioner_score: int | None
    max_score: int | None
    completed_on: date | None
    actions: list[ReviewAction]
    next_review_on: date | None


class ReviewStatusView(BaseModel):
    provision_id: str
    commissioner_id: str
    due_on: date | None
    overdue: bool
    last_completed_review_id: UUID | None


class SlaView(BaseModel):
    provision_id: str
    commissioner_id: str
    versions: list[VersionView]
    in_force_version: int | None
    review_status: ReviewStatusView
    reviews: list[ReviewView]


def version_view(state: SlaState, number: int, version: SlaVersion) -> VersionView:
    agreed = version.agreed
    return VersionView(
        provision_id=state.provision_id or "", commissioner_id=state.commissioner_id or "", version=number,
        terms=version.terms,
        signatures=[SignatureView(party=s.party, signed_by=s.signed_by, signed_on=s.signed_on)
                    for s in version.signatures.values()],
        in_force_from=None if agreed is None else agreed.in_force_from, ends_on=version.terms.ends_on,
        supersedes_version=None if agreed is None else agreed.supersedes_version)


def review_status_view(state: SlaState, due: ReviewDue | None) -> ReviewStatusView:
    return ReviewStatusView(
        provision_id=state.provision_id or "", commissioner_id=state.commissioner_id or "",
        due_on=None if due is None else due.due_on, overdue=due is not None and due.overdue,
        last_completed_review_id=None if due is None or due.last_completed is None else due.last_completed.review_id)


def _score(answers: dict[SlaParty, SlaReviewAnswered], party: SlaParty) -> int | None:
    answer = answers.get(party)
    return None if answer is None else answer.score


def sla_view(state: SlaState, today: date, due: ReviewDue | None) -> SlaView:
    in_force = state.in_force_on(today)
    reviews = []
    for review_id, review in state.reviews.items():
        answers = dict(review.answers)
        done = review.completed
        max_scores = [a.max_score for a in answers.values()]
        reviews.append(ReviewView(
            review_id=review_id, version=review.version, provider_score=_score(answers, SlaParty.PROVIDER),
            commissioner_score=_score(answers, SlaParty.COMMISSIONER), max_score=max(max_scores, default=None),
            completed_on=None if done is None else done.completed_on,
            actions=[] if done is None else list(done.actions),
            next_review_on=None if done is None else done.next_review_on))
    return SlaView(
        provision_id=state.provision_id or "", commissioner_id=state.commissioner_id or "",
        versions=[version_view(state, n, v) for n, v in sorted(state.versions.items())],
        in_force_version=None if in_force is None else in_force[0],
        review_status=review_status_view(state, due), reviews=reviews)
