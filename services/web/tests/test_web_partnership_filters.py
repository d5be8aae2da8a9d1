"""The report pages' filters and chart, and the panel cases' tags, without services: a filter value not offered
is a field error and the default stands; a range ending before it starts is refused against its last year; a
chart draws no bar for a withheld figure (``c``) and names it; a case beyond the expected wait is red."""

from __future__ import annotations

from datetime import date

from ap_web.journeys.commissioner_cases import case_status, referral_status
from ap_web.journeys.partnership_reports import TERMS, chosen, table_chart, this_academic_year, years_in_order
from ap_web.refusals import FieldError


def test_a_value_not_offered_is_a_field_error_and_the_default_stands() -> None:
    fields = {"year": {"2026-27": "2026 to 2027"}, "term": TERMS}
    filters = chosen({"year": "1999-00", "term": "spring"}, fields, {"year": "2026-27", "term": "autumn"})
    assert filters.values == {"year": "2026-27", "term": "spring"}
    assert filters.errors == [FieldError("year", "Choose a year from the list")]
    assert chosen({}, fields, {"year": "2026-27", "term": "autumn"}).errors == []


def test_a_range_ending_before_it_starts_is_refused_against_its_last_year() -> None:
    assert [e.field for e in years_in_order({"from_year": "2026-27", "to_year": "2025-26"})] == ["to_year"]
    assert years_in_order({"from_year": "2025-26", "to_year": "2026-27"}) == []


def test_the_academic_year_turns_in_september() -> None:
    assert (this_academic_year(date(2026, 8, 31)), this_academic_year(date(2026, 9, 1))) == (2025, 2026)


def test_a_withheld_figure_draws_no_bar_and_is_marked() -> None:
    table = {"title": "Pupils served", "unit": "pupils", "row_labels": ["Autumn"], "column_labels": ["KS3", "KS4"],
             "cells": [["c", "12"]]}
    svg = table_chart(table)
    assert "<title id=\"chart-title\">Pupils served (pupils)</title>" in svg
    assert svg.count("</rect>") == 1  # one bar, with its figure as its title: the withheld one draws none
    assert ">c<" in svg
    assert table_chart({**table, "row_labels": [], "cells": []}) == ""


def test_cases_beyond_the_expected_wait_are_red_and_undecided_referrals_yellow() -> None:
    assert referral_status({"decision": None}) == ("Awaiting decision", "govuk-tag--yellow")
    assert referral_status({"decision": "accepted", "within_expected_wait": False})[1] == "govuk-tag--red"
    assert referral_status({"decision": "accepted", "within_expected_wait": True})[1] == "govuk-tag--green"
    assert case_status({"open": True, "beyond_expectation": True}) == ("Open, beyond the expected wait",
                                                                        "govuk-tag--red")
    assert case_status({"open": True, "beyond_expectation": None}) == ("Open", "govuk-tag--yellow")
    assert case_status({"open": False})[1] == "govuk-tag--grey"
