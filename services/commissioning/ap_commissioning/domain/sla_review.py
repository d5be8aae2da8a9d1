"""The annual review of a service level agreement (seed 001, appendix 1; issue 13).

Rules served:
- the questionnaire is data with a version (``REVIEW_TEMPLATES``): answers name its questions, each at most once;
  a statement (questions 1 to 3) is answered with one of the five choices, the others in words;
- each party answers once, for the version in force on the day it answers;
- the review is scored: strongly agree 5 ... strongly disagree 1 per statement, per party;
- the commissioner completes a review both parties answered, once, with actions (each with an owner and a due
  date) and the next review date, which is after today;
- the next review falls due on the last completed review's ``next_review_on``; before any, on the version in
  force's first review date, else a year after it came into force. Past that date the review is overdue
  (``review_due``; alerting an overdue review is issue 14's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from ap_commissioning.domain.context import DecisionContext
from ap_commissioning.domain.sla import SlaState, last_completed_review, next_review_on, party_in, recorded_for
from ap_commissioning.domain.sla_commands import AnswerSlaReview, CompleteSlaReview
from ap_commissioning.domain.sla_errors import (
    SlaNextReviewAfterToday,
    SlaReviewAnsweredByBoth,
    SlaReviewAnsweredOncePerParty,
    SlaReviewAnswersMatchTemplate,
    SlaReviewCompletedOnce,
    SlaReviewNotRecorded,
    SlaReviewOfVersionInForce,
    SlaReviewTemplateKnown,
)
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_sla import (
    LikertChoice,
    ReviewAnswer,
    SlaParty,
    SlaReviewAnswered,
    SlaReviewCompleted,
)


class QuestionKind(StrEnum):
    STATEMENT = "statement"
    """Answered with a ``LikertChoice``; scored."""
    WORDS = "words"
    """Answered in words; not scored."""


@dataclass(frozen=True, slots=True)
class Question:
    question_id: str
    text: str
    kind: QuestionKind
    required: bool


@dataclass(frozen=True, slots=True)
class ReviewTemplate:
    template_id: str
    version: int
    title: str
    questions: tuple[Question, ...]

    @property
    def max_score(self) -> int:
        return max(CHOICE_SCORES.values()) * sum(q.kind is QuestionKind.STATEMENT for q in self.questions)


CHOICE_SCORES: Mapping[LikertChoice, int] = MappingProxyType({
    LikertChoice.STRONGLY_AGREE: 5, LikertChoice.AGREE: 4, LikertChoice.NEUTRAL: 3,
    LikertChoice.DISAGREE: 2, LikertChoice.STRONGLY_DISAGREE: 1,
})

_S, _W = QuestionKind.STATEMENT, QuestionKind.WORDS
SLA_REVIEW_V1 = ReviewTemplate("sla-review", 1, "Review of Primary Behaviour Provision Service Level Agreement", (
    Question("1", "The current Service Level Agreement reflects the vision of the Neighbourhood Partnership", _S, True),
    Question("2", "The current Service Level Agreement reflects the characteristics of the Behaviour Provision",
             _S, True),
    Question("3", "The current Service Level Agreement reflects the day-to-day practice in the Behaviour Provision",
             _S, True),
    Question("3a", "How do you know?", _W, False),
    Question("4", "What are the strengths of the current Service Level Agreement?", _W, False),
    Question("5", "What changes (if any) would you like to see made to the current Service Level Agreement?",
             _W, False),
    Question("6", "Additional comments", _W, False),
))

REVIEW_TEMPLATES: Mapping[tuple[str, int], ReviewTemplate] = MappingProxyType({
    (SLA_REVIEW_V1.template_id, SLA_REVIEW_V1.version): SLA_REVIEW_V1,
})


def template_of(template_id: str, version: int) -> ReviewTemplate:
    template = REVIEW_TEMPLATES.get((template_id, version))
    if template is None:
        raise SlaReviewTemplateKnown(template_id, version)
    return template


def score(template: ReviewTemplate, answers: Sequence[ReviewAnswer]) -> int:
    """The answers checked against the questionnaire, and their score (statements only)."""
    questions = {q.question_id: q for q in template.questions}
    seen: set[str] = set()
    total = 0
    for answer in answers:
        question = questions.get(answer.question_id)
        if question is None:
            raise SlaReviewAnswersMatchTemplate(f"question {answer.question_id!r} is not in the questionnaire")
        if answer.question_id in seen:
            raise SlaReviewAnswersMatchTemplate(f"question {answer.question_id!r} is answered twice")
        seen.add(answer.question_id)
        if question.kind is QuestionKind.STATEMENT:
            if answer.choice is None or answer.text is not None:
                raise SlaReviewAnswersMatchTemplate(f"question {answer.question_id!r} is answered with a choice")
            total += CHOICE_SCORES[answer.choice]
        elif answer.choice is not None or not answer.text:
            raise SlaReviewAnswersMatchTemplate(f"question {answer.question_id!r} is answered in words")
    missing = [q.question_id for q in template.questions if q.required and q.question_id not in seen]
    if missing:
        raise SlaReviewAnswersMatchTemplate(f"questions {', '.join(missing)} must be answered")
    return total


def answer_review(command: AnswerSlaReview, state: SlaState, ctx: DecisionContext) -> Sequence[DomainEvent]:
    """One party's answers, for the version in force today, scored against the questionnaire."""
    recorded_for(command, state)
    party = party_in(state, ctx)
    in_force = state.in_force_on(ctx.today)
    in_force_version = None if in_force is None else in_force[0]
    if command.version != in_force_version:
        raise SlaReviewOfVersionInForce(command.version, in_force_version, ctx.today)
    review = state.reviews.get(command.review_id)
    if review is not None and (party in review.answers or review.version != command.version):
        raise SlaReviewAnsweredOncePerParty(command.review_id, party.value)
    template = template_of(command.template_id, command.template_version)
    return [SlaReviewAnswered(
        provision_id=command.provision_id, commissioner_id=command.commissioner_id, review_id=command.review_id,
        version=command.version, template_id=template.template_id, template_version=template.version, party=party,
        answers=command.answers, score=score(template, command.answers), max_score=template.max_score,
        answered_by=ctx.user_id, answered_on=ctx.today)]


def complete_review(command: CompleteSlaReview, state: SlaState, ctx: DecisionContext) -> Sequence[DomainEvent]:
    """The commissioner concludes a review both parties answered, with actions and the next review date."""
    recorded_for(command, state)
    review = state.reviews.get(command.review_id)
    if review is None:
        raise SlaReviewNotRecorded(command.review_id)
    if review.completed is not None:
        raise SlaReviewCompletedOnce(command.review_id)
    for party in SlaParty:
        if party not in review.answers:
            raise SlaReviewAnsweredByBoth(party.value)
    if command.next_review_on <= ctx.today:
        raise SlaNextReviewAfterToday(command.next_review_on, ctx.today)
    provider, commissioner = review.answers[SlaParty.PROVIDER], review.answers[SlaParty.COMMISSIONER]
    return [SlaReviewCompleted(
        provision_id=command.provision_id, commissioner_id=command.commissioner_id, review_id=command.review_id,
        version=review.version, provider_score=provider.score, commissioner_score=commissioner.score,
        max_score=max(provider.max_score, commissioner.max_score), actions=command.actions,
        next_review_on=command.next_review_on, completed_by=ctx.user_id, completed_on=ctx.today)]


@dataclass(frozen=True, slots=True)
class ReviewDue:
    due_on: date
    overdue: bool
    last_completed: SlaReviewCompleted | None


def review_due(state: SlaState, today: date) -> ReviewDue | None:
    """When the agreement's next review falls due and whether it is overdue today; None with nothing in force
    and no review ever completed."""
    last = last_completed_review(state)
    if last is not None:
        return ReviewDue(last.next_review_on, today > last.next_review_on, last)
    in_force = state.in_force_on(today)
    if in_force is None or in_force[1].agreed is None:
        return None
    version, agreed = in_force[1], in_force[1].agreed
    due = next_review_on(None, version.terms.review_dates, agreed.in_force_from)
    return ReviewDue(due, today > due, None)
