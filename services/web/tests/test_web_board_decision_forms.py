"""The exclusions pages' own logic, without servers (issue 16): an exclusion past the board's due day with no
decision is tagged overdue on the officers' list; the head's board-decision page names each missing answer against
its field (the parents told of the independent review before "upheld", the reasons before "reinstated") and sends
the command the decision asks for; only the school's recorders get links from their exclusion alerts."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any, cast

from ap_runtime.access import Role
from ap_web.identity import SignedInPerson
from ap_web.journeys.commissioner_exclusions import due_tag
from ap_web.journeys.home_school_exclusions import ANSWERS, PATH, board_links, decision_command, decision_problems

EXCLUSION = "0b8f3f8e-51a6-4f0c-9d3e-6c1b7f2a9e44"
PUPIL = "6d1c2c0e-1f7d-4b5e-9a0b-2a3f4c5d6e7f"


def _answers(**given: str) -> dict[str, str]:
    return {name: "" for name in ANSWERS} | {"pupil_ref": PUPIL, "exclusion_record_id": EXCLUSION,
                                             "board_met_on": "2026-12-01"} | given


def test_an_exclusion_past_its_due_day_is_tagged_overdue() -> None:
    assert due_tag("2026-12-01", date(2026, 12, 2)) == ("Overdue: was due by 1 December 2026", "govuk-tag--red")
    assert due_tag("2026-12-02", date(2026, 12, 2)) == ("Due today", "govuk-tag--red")
    assert due_tag("2026-12-09", date(2026, 12, 2))[1] == "govuk-tag--yellow"
    assert due_tag(None, date(2026, 12, 2))[1] == "govuk-tag--grey"


def test_each_missing_answer_is_named_against_its_field() -> None:
    problems = decision_problems(_answers(pupil_ref="ashgrove", decision="upheld", board_met_on=""))
    assert [p.field for p in problems] == ["pupil_ref", "board_met_on", "parents_told"]
    assert [p.field for p in decision_problems(_answers(decision="reinstated", board_met_on="last week"))] == [
        "board_met_on", "reasons"]
    assert [p.field for p in decision_problems(_answers(decision="adjourned"))] == ["decision"]


def test_the_decision_asks_for_its_own_command() -> None:
    assert decision_problems(_answers(decision="upheld", parents_told="yes")) == []
    path, body = decision_command(_answers(decision="upheld", parents_told="yes"))
    assert (path, body["exclusion_record_id"], body["parents_told_of_independent_review"]) == (
        "upheld-exclusions", EXCLUSION, True)
    path, body = decision_command(_answers(decision="reinstated", reasons="Procedure not followed"))
    assert (path, body["reasons"], "parents_told_of_independent_review" in body) == (
        "reinstatements", "Procedure not followed", False)


def test_only_the_schools_recorders_follow_an_exclusion_alert_to_the_page() -> None:
    alerts: list[dict[str, Any]] = [
        {"notification_id": "n1", "rule_name": "permanent_exclusion", "pupil_ref": PUPIL, "cause_event_id": EXCLUSION},
        {"notification_id": "n2", "rule_name": "incident_recorded", "pupil_ref": PUPIL, "cause_event_id": EXCLUSION}]
    head = cast(SignedInPerson, SimpleNamespace(roles=(Role.HOME_SCHOOL_HEAD,)))
    dsl = cast(SignedInPerson, SimpleNamespace(roles=(Role.DSL,)))
    assert board_links(head, alerts) == {"n1": f"{PATH}?pupil={PUPIL}&exclusion={EXCLUSION}"}
    assert board_links(dsl, alerts) == {}
