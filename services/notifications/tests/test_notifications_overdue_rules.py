"""Overdue work (issue 14), the rule: the owner is told the day after the due date, the owner's manager once it is
still overdue more than the rule book's further period; one notification per (item, due date, step, recipient)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from uuid import uuid4

from ap_contracts.events.notifications import Audience
from ap_contracts.events.pupil_vocabulary import Severity
from ap_notifications.domain.notification import notification_id_for
from ap_notifications.domain.overdue import DueItem, OverdueKind, manager_cause, overdue_alerts, placement_item
from ap_notifications.domain.placement_terms import PlacementTerms, ThresholdChange, Thresholds
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK, AlertRuleBook
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, PARTNERSHIP, PROVISION

DUE = date(2025, 2, 24)
HOME_LA = "la-home-county"
TERMS = PlacementTerms(placement_id=uuid4(), pupil_ref=uuid4(), provision_id=PROVISION, home_school_id=HOME_SCHOOL,
                       commissioner_id=COMMISSIONER, partnership_id=PARTNERSHIP,
                       thresholds=(ThresholdChange(date(2025, 1, 13), 1, Thresholds(Severity.SERIOUS, 90)),),
                       local_authority_id=HOME_LA)


def item(kind: OverdueKind = OverdueKind.PLACEMENT_REVIEW, terms: PlacementTerms = TERMS) -> DueItem:
    return placement_item(kind, DUE, uuid4(), terms)


def steps(due: DueItem, today: date, book: AlertRuleBook = DEFAULT_RULE_BOOK) -> set[tuple[str, Audience, str]]:
    return {(a.rule_name, a.audience, a.recipient_organisation_id) for a in overdue_alerts(due, today, book)}


def test_on_its_due_date_a_review_is_not_overdue() -> None:
    assert steps(item(), DUE) == set()


def test_the_day_after_its_due_date_the_commissioner_is_told() -> None:
    due = item()
    [alert] = overdue_alerts(due, DUE + timedelta(days=1), DEFAULT_RULE_BOOK)
    assert (alert.rule_name, alert.audience, alert.recipient_organisation_id) == (
        "placement_review_overdue", Audience.COMMISSIONER, COMMISSIONER)
    assert alert.cause_event_id == due.set_by_event_id
    assert alert.threshold is not None and alert.threshold.observed_value == 1
    assert alert.link_path == f"/pupils/{TERMS.pupil_ref}/placements/{TERMS.placement_id}/reviews"


def test_still_overdue_after_the_further_period_the_la_is_told_as_well() -> None:
    at_line = DUE + timedelta(days=DEFAULT_RULE_BOOK.overdue_manager_after_days)
    assert steps(item(), at_line) == {("placement_review_overdue", Audience.COMMISSIONER, COMMISSIONER)}
    assert steps(item(), at_line + timedelta(days=1)) == {
        ("placement_review_overdue", Audience.COMMISSIONER, COMMISSIONER),
        ("placement_review_overdue_to_manager", Audience.LA, HOME_LA)}


def test_the_further_period_is_rule_book_data() -> None:
    book = AlertRuleBook(overdue_manager_after_days=1)
    assert ("placement_review_overdue_to_manager", Audience.LA, HOME_LA) in steps(item(), DUE + timedelta(2), book)


def test_each_step_is_one_notification_on_every_run_and_a_new_due_date_starts_again() -> None:
    due = item()
    ids = [{notification_id_for(a.cause_event_id, a.rule_name, a.audience, a.recipient_organisation_id)
            for a in overdue_alerts(due, day, DEFAULT_RULE_BOOK)} for day in (DUE + timedelta(7), DUE + timedelta(9))]
    assert ids[0] == ids[1] and len(ids[0]) == 2
    assert {a.cause_event_id for a in overdue_alerts(due, DUE + timedelta(7), DEFAULT_RULE_BOOK)} == {
        due.set_by_event_id, manager_cause(due.set_by_event_id)}
    later = item()  # a review held names the next date: another setting event, another item
    assert not ids[0] & {notification_id_for(a.cause_event_id, a.rule_name, a.audience, a.recipient_organisation_id)
                         for a in overdue_alerts(later, DUE + timedelta(7), DEFAULT_RULE_BOOK)}


def test_a_reduced_timetable_owners_alert_is_the_worker_rules_notification() -> None:
    due = item(OverdueKind.REDUCED_TIMETABLE_REVIEW)
    owner = next(a for a in overdue_alerts(due, DUE + timedelta(1), DEFAULT_RULE_BOOK))
    # the same rule, cause and recipient as ``reduced_timetable_past_review``: the two paths send it once
    assert (owner.rule_name, owner.cause_event_id) == ("reduced_timetable_past_review", due.set_by_event_id)


def test_the_manager_step_waits_while_the_home_schools_la_is_unknown() -> None:
    assert steps(item(terms=replace(TERMS, local_authority_id=None)), DUE + timedelta(30)) == {
        ("placement_review_overdue", Audience.COMMISSIONER, COMMISSIONER)}


def test_a_fair_access_case_past_its_expected_day_tells_the_panels_la_then_its_manager() -> None:
    case = DueItem(OverdueKind.FAIR_ACCESS_CASE, DUE, uuid4(), uuid4(), (HOME_LA,), (HOME_LA,),
                   {"panel_id": "panel-north", "case_id": "c-1"})
    assert steps(case, DUE) == set()
    [owner] = overdue_alerts(case, DUE + timedelta(1), DEFAULT_RULE_BOOK)
    assert (owner.rule_name, owner.audience, owner.recipient_organisation_id, owner.link_path) == (
        "fair_access_case_overdue", Audience.LA, HOME_LA, "/panels/panel-north/cases/c-1")
    assert owner.threshold is not None and owner.threshold.metric == "days_past_place_expected"
    assert steps(case, DUE + timedelta(DEFAULT_RULE_BOOK.overdue_manager_after_days + 1)) == {
        ("fair_access_case_overdue", Audience.LA, HOME_LA),
        ("fair_access_case_overdue_to_manager", Audience.LA, HOME_LA)}
