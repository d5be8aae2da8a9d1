"""Unit tests of the provision staff's forms (WEB-FORM-1): each problem against its question in plain English,
nothing sent until every answer is valid, and the command body built from the checked answers and the fixed
fields the draft holds (never from a field the form does not ask)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ap_web.journeys.register import CODES, register_items
from ap_web.journeys.staff_forms import FORMS, SCORE_AMENDMENT, check, command_body, read_answers, shown
from ap_web.journeys.staff_scores import score_choices
from ap_web.refusals import FieldError

FIXED = {"command_id": "c0a8b1d2-0000-4000-8000-000000000001", "placement_id": "p-1", "keyworker": "staff-north"}


def test_every_missing_answer_is_reported_against_its_question_in_page_order() -> None:
    for form in FORMS.values():
        errors = check(form, read_answers(form, {}))
        asked = [question.name for question in form.questions if not question.optional]
        assert [error.field for error in errors] == asked, form.slug
        assert all(error.message.split()[0] in ("Enter", "Select") for error in errors), errors


@pytest.mark.parametrize(("slug", "name", "value", "words"), [
    ("sanction", "applied_on", "yesterday", "must be a real date"),
    ("sanction", "sanction", "sent_home", "Select the sanction"),
    ("reward", "quantity", "three", "must be a whole number"),
    ("redemption", "cost_pence", "1.505", "must be an amount in pounds"),
    ("redemption", "cost_pence", "-2", "must be an amount in pounds"),
    ("engagement-score", "session", "evening", "Select the session"),
])
def test_a_malformed_answer_is_named_with_what_is_wrong(slug: str, name: str, value: str, words: str) -> None:
    form = FORMS[slug]
    errors = [error for error in check(form, {name: value}) if error.field == name]
    assert len(errors) == 1 and words in errors[0].message, errors


def test_the_body_holds_the_checked_answers_and_the_drafts_fixed_fields_only() -> None:
    form = FORMS["redemption"]
    posted = {"redeemed_on": "2026-12-04", "item": "Snack", "cost_pence": "£1.50", "slips_spent": "2",
              "placement_id": "forged", "pupil_ref": "forged", "command_id": "forged"}
    answers = read_answers(form, posted)
    assert check(form, answers) == []
    assert command_body(form, answers, FIXED) == {**FIXED, "redeemed_on": "2026-12-04", "item": "Snack",
                                                  "cost_pence": 150, "slips_spent": 2}
    assert shown(form.questions[2], answers["cost_pence"]) == "£1.50"


def test_the_whole_day_is_sent_as_no_session_and_blank_notes_are_left_out() -> None:
    form = FORMS["engagement-score"]
    answers = read_answers(form, {"scored_on": "2026-12-04", "session": "day", "score": "4", "notes": ""})
    assert check(form, answers) == []
    body = command_body(form, answers, FIXED)
    assert "session" not in body and "notes" not in body and body["score"] == 4


def test_the_register_offers_every_code_and_keeps_the_one_given() -> None:
    items = register_items("\\")
    assert [item["value"] for item in items] == list(CODES)
    assert [item["value"] for item in items if item["selected"]] == ["\\"]
    assert items[0] == {"value": "", "text": "Not marked yet", "selected": False}


def test_the_scores_to_amend_are_those_recorded_and_not_withdrawn_each_as_last_amended() -> None:
    entries = [
        {"event_type": "EngagementScoreRecorded", "record_id": "s1", "withdrawn": False,
         "details": {"scored_on": "2026-12-04", "session": "AM", "score": 4}},
        {"event_type": "EngagementScoreRecorded", "record_id": "s2", "withdrawn": True,
         "details": {"scored_on": "2026-12-04", "session": "PM", "score": 1}},
        {"event_type": "EngagementScoreRecorded", "record_id": "s3",
         "details": {"scored_on": "2026-12-03", "score": 2}},
        {"event_type": "EngagementScoreAmended", "record_id": "a1", "details": {"score_record_id": "s1", "score": 3}},
        {"event_type": "EngagementScoreAmended", "record_id": "a2", "details": {"score_record_id": "s1", "score": 5}},
        {"event_type": "IncidentRecorded", "record_id": "i1", "details": {"score": 9}},
    ]
    assert score_choices(entries) == {"s1": "Score 5, morning of 4 December 2026",
                                      "s3": "Score 2, whole day of 3 December 2026"}


def test_a_score_that_is_not_one_of_the_pupils_is_not_sent() -> None:
    form = FORMS[SCORE_AMENDMENT]
    offered = replace(form, questions=(replace(form.questions[0], choices={"s1": "Score 4"}), *form.questions[1:]))
    answers = {"score_record_id": "forged", "score": "3", "reason": "wrong_value", "explanation": "Wrong row"}
    assert check(offered, answers) == [FieldError("score_record_id", "Select the score to amend")]
    assert check(offered, answers | {"score_record_id": "s1"}) == []
    assert command_body(offered, answers | {"score_record_id": "s1"}, {"command_id": "c"}) == {
        "command_id": "c", "score_record_id": "s1", "score": 3, "reason": "wrong_value", "explanation": "Wrong row"}
