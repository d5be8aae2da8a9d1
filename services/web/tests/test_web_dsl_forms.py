"""The DSL, home-school and DPO pages' own logic, without servers: the answers' checks (WEB-FORM-1), the
transfer's deadline tag, and the words the pages use for the services' values."""

from __future__ import annotations

from datetime import date

from ap_web.journeys.dsl import concerns_of
from ap_web.journeys.dsl_break_glass import LONGEST_REASON, REASONS
from ap_web.journeys.dsl_forms import choice_error, date_error, found, items, text_error, uuid_error
from ap_web.journeys.dsl_transfer import deadline_tag
from ap_web.journeys.home_school import alert_title, severity_counts
from ap_web.service_client import ServiceAnswer

DUE = {"due_by": "2026-12-10", "confirmed_at": None, "overdue_detected_on": None}


def test_the_deadline_tag_is_due_until_the_due_day_has_passed() -> None:
    assert deadline_tag(DUE, date(2026, 12, 10))["text"] == "Due"
    assert deadline_tag(DUE, date(2026, 12, 11)) == {"text": "Overdue", "classes": "govuk-tag--red"}


def test_the_deadline_tag_is_overdue_once_the_service_recorded_it_and_received_once_confirmed() -> None:
    assert deadline_tag({**DUE, "overdue_detected_on": "2026-12-11"}, date(2026, 12, 1))["text"] == "Overdue"
    confirmed = {**DUE, "confirmed_at": "2026-12-14T09:00:00+00:00", "overdue_detected_on": "2026-12-11"}
    assert deadline_tag(confirmed, date(2026, 12, 20)) == {"text": "Received", "classes": "govuk-tag--green"}


def test_each_missing_or_malformed_answer_is_named_against_its_field() -> None:
    answers = {"pupil_ref": "ashgrove", "reason": "  ", "category": "curiosity", "since": "last monday"}
    problems = found(uuid_error(answers, "pupil_ref", "pupil reference"),
                     text_error(answers, "reason", "Enter the reason"),
                     choice_error(answers, "category", REASONS, "Select why"),
                     date_error(answers, "since", "Enter the first day as a date"))
    assert [(p.field, p.message.split(",")[0]) for p in problems] == [
        ("pupil_ref", "Enter the pupil reference as shown on the pupil's record"), ("reason", "Enter the reason"),
        ("category", "Select why"), ("since", "Enter the first day as a date")]


def test_valid_answers_have_no_problem_and_a_long_reason_is_refused() -> None:
    answers = {"pupil_ref": "0b8f3f8e-51a6-4f0c-9d3e-6c1b7f2a9e44", "category": "immediate_risk", "since": "",
               "reason": "x" * (LONGEST_REASON + 1)}
    assert found(uuid_error(answers, "pupil_ref", "pupil reference"), choice_error(answers, "category", REASONS, ""),
                 date_error(answers, "since", "")) == []
    too_long = text_error(answers, "reason", "Enter the reason", LONGEST_REASON)
    assert too_long is not None and str(LONGEST_REASON) in too_long.message


def test_choices_mark_the_chosen_answer_only() -> None:
    marked = [(item["value"], item["checked"]) for item in items({"yes": "Yes", "no": "No"}, "no")]
    assert marked == [("yes", False), ("no", True)]


def test_the_pages_word_severities_and_alerts_as_the_services_do() -> None:
    assert severity_counts({"1": 0, "3": 1, "2": 2}) == "2 moderate, 1 serious"
    assert alert_title("pupil_sent_home") == "Pupil sent home"
    assert alert_title("a_rule_added_later") == "A rule added later"


def test_a_concern_shows_as_amended_since_and_a_withdrawn_one_not_at_all() -> None:
    concern = {"event_type": "SafeguardingConcernRaised", "record_id": "c1", "details": {"action_taken": None,
                                                                                        "category": "neglect"}}
    withdrawn = {"event_type": "SafeguardingConcernRaised", "record_id": "c2", "withdrawn": True, "details": {}}
    amended = {"event_type": "RecordAmended", "target_record_id": "c1",
               "details": {"corrected_values": {}, "corrected_safeguarding": {"action_taken": "Food parcel"}}}
    shown = concerns_of(ServiceAnswer(200, {"entries": [concern, withdrawn, amended]}))
    assert [(c["record_id"], c["details"]) for c in shown] == [
        ("c1", {"action_taken": "Food parcel", "category": "neglect"})]
