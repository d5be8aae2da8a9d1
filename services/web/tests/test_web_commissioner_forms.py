"""The commissioner's pages without a browser: a review's status against today, a moderation's answers, and a
self-audit's new due date typed in a GOV.UK date input."""

from __future__ import annotations

from datetime import date

import pytest

from ap_web.journeys.commissioner import check_due_date, check_moderation, due_may_move, due_on_typed, due_status
from ap_web.journeys.commissioner_register import register_rows, review_status

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(("review", "words", "colour"), [
    ("2026-03-09", "Overdue by 1 days", "govuk-tag--red"), ("2026-03-10", "Due in 0 days", "govuk-tag--yellow"),
    ("2026-04-07", "Due in 28 days", "govuk-tag--yellow"), ("2026-04-08", "Booked", "govuk-tag--grey"),
    (None, "No review booked", "govuk-tag--grey"), ("not a date", "No review booked", "govuk-tag--grey")])
def test_a_review_is_overdue_after_its_day_and_due_soon_within_four_weeks(review: str | None, words: str,
                                                                          colour: str) -> None:
    assert review_status(review, TODAY) == (words, colour)


def test_the_most_pressing_review_comes_first_and_none_booked_last() -> None:
    rows = register_rows([{"pupil_ref": "a", "next_review_date": None},
                          {"pupil_ref": "b", "next_review_date": "2026-05-01"},
                          {"pupil_ref": "c", "next_review_date": "2026-02-01"}], TODAY)
    assert [(row["pupil_ref"], row["review"][1]) for row in rows] == [
        ("c", "govuk-tag--red"), ("b", "govuk-tag--grey"), ("a", "govuk-tag--grey")]


def test_a_moderation_needs_a_rating_and_a_reason_even_to_agree() -> None:
    assert [e.field for e in check_moderation({})] == ["moderated_rating", "reason"]
    assert [e.field for e in check_moderation({"moderated_rating": "amber", "reason": "  "})] == ["reason"]
    assert [e.field for e in check_moderation({"moderated_rating": "purple", "reason": "seen"})] == [
        "moderated_rating"]
    assert check_moderation({"moderated_rating": "green", "reason": "seen at the visit"}) == []


@pytest.mark.parametrize(("audit", "words", "colour"), [
    ({"due_on": "2026-03-09", "complete": False}, "Overdue by 1 days", "govuk-tag--red"),
    ({"due_on": "2026-04-07", "complete": False}, "Due in 28 days", "govuk-tag--yellow"),
    ({"due_on": "2026-08-31", "complete": False}, "Due on 31 August 2026", "govuk-tag--grey"),
    ({"due_on": "2026-03-09", "complete": True}, "Rated", "govuk-tag--green"),
    ({"due_on": None, "complete": False}, "No due date", "govuk-tag--grey")])
def test_a_self_audit_shows_its_due_date_overdue_or_due_soon_until_rated(audit: dict[str, object], words: str,
                                                                         colour: str) -> None:
    """Issue 16 follow-up: the commissioning service's ``due_on`` on the self-audit pages."""
    assert due_status(audit, TODAY) == (words, colour)


def _due(day: str, month: str, year: str, reason: str = "the manager starts next month") -> dict[str, str]:
    return {"due_on-day": day, "due_on-month": month, "due_on-year": year, "reason": reason}


@pytest.mark.parametrize(("answers", "errors"), [
    (_due("", "", "", ""), [("due_on-day", "Enter the date the self-audit is due"),
                            ("reason", "Enter the reason for changing the due date")]),
    (_due("31", "", "2026"), [("due_on-month", "Date the self-audit is due must include a month")]),
    (_due("31", "2", "2026"), [("due_on-day", "Date the self-audit is due must be a real date")]),
    (_due("1", "1", "26"), [("due_on-day", "Date the self-audit is due must be a real date")]),
    (_due("x", "1", "2026"), [("due_on-day", "Date the self-audit is due must be a real date")]),
    (_due("9", "3", "2026"), [("due_on-day", "Date the self-audit is due must be today or in the future")]),
    (_due("10", "3", "2026"), []), (_due("10", "3", "2026", "  "), [
        ("reason", "Enter the reason for changing the due date")])])
def test_a_due_date_is_checked_in_govuk_words(answers: dict[str, str], errors: list[tuple[str, str]]) -> None:
    assert [(e.field, e.message) for e in check_due_date(answers, TODAY)] == errors


def test_the_typed_day_and_when_the_link_is_offered() -> None:
    assert due_on_typed(_due("05", "03", "2027")) == date(2027, 3, 5)
    assert due_on_typed(_due("30", "2", "2027")) is None
    assert [due_may_move(a) for a in ({"complete": False, "moderated": 0}, {"complete": True, "moderated": 0},
                                      {"complete": False, "moderated": 1})] == [True, False, False]
