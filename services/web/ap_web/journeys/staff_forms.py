"""The provision staff's forms about one pupil, declared as data: each a question page, check your answers and a
confirmation over one incidents command (a sanction, a reward, a redemption, an engagement score, a target, the
amendment of a score given wrongly).

Rule WEB-FORM-1 (GOV.UK error pattern): each missing or malformed answer is reported against its field in plain
English, and nothing is sent to the incidents service until every answer is valid. Form fields carry the
command's own field names, so a service's ``errors[].field`` lands on the question that asked it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ap_contracts.events.attendance_vocabulary import Session
from ap_contracts.events.engagement import TargetArea
from ap_contracts.events.incident_vocabulary import RewardKind, SanctionType
from ap_contracts.events.pupil_corrections import CorrectionReason
from ap_web.identity import SignedInPerson
from ap_web.journeys.incident_form import words
from ap_web.refusals import FieldError


@dataclass(frozen=True, slots=True)
class Question:
    """One question: ``name`` is the command's field; ``kind`` one of date, radios, text, textarea, number,
    money (pounds asked, pence sent)."""

    name: str
    label: str
    kind: str
    choices: Mapping[str, str] = field(default_factory=dict)
    hint: str = ""
    optional: bool = False
    #: An answer meaning "leave the field out of the command" (the whole day rather than one session).
    omitted: str | None = None
    #: What the error says when the question is not answered (GOV.UK: "Enter ..." or "Select ...").
    missing: str = ""


@dataclass(frozen=True, slots=True)
class PupilForm:
    slug: str
    task: str  # the link's words on the pupil list, e.g. "Apply a sanction"
    button: str
    done: str
    command_path: str  # below /v1/pupils/{pupil_ref}/
    questions: tuple[Question, ...]
    rule_fields: Mapping[str, str] = field(default_factory=dict)
    # Fields the form does not ask: who the keyworker is, a new target's id.
    fixed_fields: Callable[[SignedInPerson], dict[str, Any]] = lambda _person: {}

    def question(self, name: str) -> Question | None:
        return next((item for item in self.questions if item.name == name), None)


def _choices(values: Any) -> dict[str, str]:
    return {item.value: words(item.value) for item in values}


TODAY_HINT = "For example, 2026-03-27"
#: The form amending a recorded engagement score (issue 16): its score choices depend on the pupil.
SCORE_AMENDMENT = "engagement-score-amendment"

FORMS: dict[str, PupilForm] = {form.slug: form for form in (
    PupilForm("sanction", "Apply a sanction", "Apply the sanction", "Sanction applied", "sanctions", (
        Question("applied_on", "Date applied", "date", hint=TODAY_HINT,
                 missing="Enter the date the sanction was applied"),
        Question("sanction", "Which sanction?", "radios", _choices(SanctionType), missing="Select the sanction"),
        Question("notes", "Notes", "textarea", optional=True),
    ), {"sanction.score_reduction_names_score": "sanction"}),
    PupilForm("reward", "Give a reward", "Give the reward", "Reward given", "rewards", (
        Question("granted_on", "Date given", "date", hint=TODAY_HINT, missing="Enter the date the reward was given"),
        Question("kind", "Which reward?", "radios", _choices(RewardKind), missing="Select the reward"),
        Question("quantity", "How many?", "number", missing="Enter how many were given"),
        Question("reason", "Why?", "textarea", optional=True),
    )),
    PupilForm("redemption", "Spend reward slips", "Spend the slips", "Reward slips spent", "reward-redemptions", (
        Question("redeemed_on", "Date spent", "date", hint=TODAY_HINT, missing="Enter the date the slips were spent"),
        Question("item", "What was chosen?", "text", missing="Enter what was chosen"),
        Question("cost_pence", "What did it cost?", "money", hint="In pounds, for example 1.50",
                 missing="Enter what it cost"),
        Question("slips_spent", "How many slips were spent?", "number", missing="Enter how many slips were spent"),
    ), {"reward.item_within_limit": "cost_pence", "reward.slips_cover_redemption": "slips_spent"}),
    PupilForm("engagement-score", "Record an engagement score", "Record the score", "Engagement score recorded",
              "engagement-scores", (
        Question("scored_on", "Date scored", "date", hint=TODAY_HINT, missing="Enter the date scored"),
        Question("session", "Which session?", "radios",
                 {Session.AM.value: "Morning", Session.PM.value: "Afternoon", "day": "The whole day"}, omitted="day",
                 missing="Select the session, or the whole day"),
        Question("score", "Score", "number", hint="On the provision's engagement scale", missing="Enter the score"),
        Question("notes", "Notes", "textarea", optional=True),
    ), {"engagement.score_on_scale": "score", "engagement.one_score_per_session": "session"},
        lambda person: {"keyworker": person.user_id}),
    PupilForm(SCORE_AMENDMENT, "Amend an engagement score", "Amend the score", "Engagement score amended",
              "engagement-score-amendments", (
        # The choices are the pupil's scores as recorded now (``staff_scores``), read on each page.
        Question("score_record_id", "Which score?", "radios", missing="Select the score to amend"),
        Question("score", "The right score", "number", hint="On the provision's engagement scale",
                 missing="Enter the right score"),
        Question("reason", "Why is it amended?", "radios", _choices(CorrectionReason),
                 missing="Select why the score is amended"),
        Question("explanation", "What was wrong", "textarea", missing="Enter what was wrong with the score"),
    ), {"engagement.score_on_scale": "score", "engagement.amendment_keeps_reductions": "score",
        "correction.changes_something": "score", "engagement.amends_recorded_score": "score_record_id"}),
    PupilForm("engagement-target", "Set an engagement target", "Set the target", "Engagement target set",
              "engagement-targets", (
        Question("area", "What is the target about?", "radios", _choices(TargetArea),
                 missing="Select what the target is about"),
        Question("description", "The target", "textarea", hint="In words the pupil will understand",
                 missing="Enter the target"),
        Question("set_on", "Date set", "date", hint=TODAY_HINT, missing="Enter the date the target is set"),
        Question("due_by", "Date due", "date", hint=TODAY_HINT, missing="Enter the date the target is due"),
    ), {"engagement.target_dates_forward": "due_by"},
        lambda person: {"keyworker": person.user_id, "target_id": str(uuid.uuid4())}),
)}


def _problem(question: Question, value: str) -> str | None:
    """What is wrong with one answer, in plain English, or None."""
    if not value:
        return None if question.optional else question.missing or f"Answer '{question.label}'"
    if question.kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return f"{question.label} must be a real date, like 2026-03-27"
    elif question.kind == "number" and not (value.lstrip("-").isdigit()):
        return f"{question.label} must be a whole number, like 3"
    elif question.kind == "money" and _pence(value) is None:
        return f"{question.label.rstrip('?')} must be an amount in pounds, like 1.50"
    elif question.kind == "radios" and value not in question.choices:
        return question.missing or f"Answer '{question.label}'"
    return None


def _pence(value: str) -> int | None:
    try:
        pounds = Decimal(value.removeprefix("£"))
    except InvalidOperation:
        return None
    pence = pounds * 100
    return int(pence) if pence == pence.to_integral_value() and pence >= 0 else None


def read_answers(form: PupilForm, posted: Mapping[str, Any]) -> dict[str, str]:
    return {question.name: str(posted.get(question.name, "")).strip() for question in form.questions}


def check(form: PupilForm, answers: Mapping[str, str]) -> list[FieldError]:
    """Every problem with the answers, in page order (empty when they may be sent)."""
    found = ((question.name, _problem(question, answers.get(question.name, ""))) for question in form.questions)
    return [FieldError(name, message) for name, message in found if message]


def command_body(form: PupilForm, answers: Mapping[str, str], fixed: Mapping[str, Any]) -> dict[str, Any]:
    """The command's body from checked answers and the ``fixed`` fields the draft holds (command id, placement,
    keyworker...); blank optional answers are left out."""
    body: dict[str, Any] = dict(fixed)
    for question in form.questions:
        value = answers.get(question.name, "")
        if value in ("", question.omitted):
            continue
        if question.kind == "number":
            body[question.name] = int(value)
        elif question.kind == "money":
            body[question.name] = _pence(value)
        else:
            body[question.name] = value
    return body


def shown(question: Question, value: str) -> str:
    """An answer as the check page shows it."""
    if question.kind == "radios":
        return question.choices.get(value, value)
    if question.kind == "money" and value:
        return f"£{Decimal(value.removeprefix('£')):.2f}"
    return value or "Not given"


def radio_items(question: Question, value: str) -> list[dict[str, Any]]:
    """A question's choices as GOV.UK radio items, the answer given checked."""
    return [{"value": choice, "text": text, "checked": choice == value} for choice, text in question.choices.items()]
