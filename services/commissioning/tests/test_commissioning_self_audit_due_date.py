"""Moving a self-audit's due date (issue 16 follow-up), decided on past events: not before today, by the end of
the next academic year (an overdue audit is extended past its own year), with a reason, and only while the audit
is open (not once every statement is rated, nor once a rating is moderated); each refusal names its rule and
records nothing."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from ap_commissioning.domain.self_audit import ChangeSelfAuditDueDate, change_due_date, fold_self_audit
from ap_commissioning.domain.self_audit_template import CURRENT_TEMPLATE_VERSION, TEMPLATES
from ap_contracts.events.commissioning_quality import RagRating, SelfAuditDueDateChanged, SelfAuditRatingModerated

from .test_commissioning_self_audit import AS_COMMISSIONER, FIRST, PARTIES, RATED_AMBER, REQUESTED, _refused


def _change(due_on: date = date(2027, 3, 31), reason: str = "inspection moved to March") -> ChangeSelfAuditDueDate:
    return ChangeSelfAuditDueDate(command_id=uuid4(), **PARTIES, due_on=due_on, reason=reason)


def test_the_commissioner_moves_the_due_date_and_the_event_keeps_the_one_it_replaces() -> None:
    [event] = change_due_date(_change(), fold_self_audit([REQUESTED, RATED_AMBER]), AS_COMMISSIONER)
    assert event == SelfAuditDueDateChanged(
        **PARTIES, previous_due_on=date(2027, 8, 31), due_on=date(2027, 3, 31),
        reason="inspection moved to March", changed_by="officer-1")
    [again] = change_due_date(_change(date(2027, 5, 1)), fold_self_audit([REQUESTED, event]), AS_COMMISSIONER)
    assert isinstance(again, SelfAuditDueDateChanged)
    assert (again.previous_due_on, again.due_on) == (date(2027, 3, 31), date(2027, 5, 1))


def test_today_is_still_a_due_date_but_yesterday_is_refused() -> None:
    today = AS_COMMISSIONER.today
    assert change_due_date(_change(today), fold_self_audit([REQUESTED]), AS_COMMISSIONER)
    _refused("self_audit.due_not_in_past", change_due_date, _change(date(2026, 9, 30)), [REQUESTED],
             AS_COMMISSIONER)


def test_an_audit_is_extended_into_the_next_year_but_no_further() -> None:
    assert change_due_date(_change(date(2028, 8, 31)), fold_self_audit([REQUESTED]), AS_COMMISSIONER)
    _refused("self_audit.due_by_next_year_end", change_due_date, _change(date(2028, 9, 1)), [REQUESTED],
             AS_COMMISSIONER)


def test_no_reason_or_no_request_is_refused() -> None:
    _refused("self_audit.due_change_has_reason", change_due_date, _change(reason="  "), [REQUESTED],
             AS_COMMISSIONER)
    _refused("self_audit.requested", change_due_date, _change(), [], AS_COMMISSIONER)


def test_a_moderated_audit_keeps_its_due_date() -> None:
    moderated = SelfAuditRatingModerated(
        provider_id=PARTIES["provider_id"], academic_year=PARTIES["academic_year"], statement_id=FIRST,
        provider_rating=RagRating.AMBER, moderated_rating=RagRating.RED, reason="r", moderated_by="officer-1")
    _refused("self_audit.due_changes_while_open", change_due_date, _change(), [REQUESTED, RATED_AMBER, moderated],
             AS_COMMISSIONER)


def test_a_submitted_audit_every_statement_rated_keeps_its_due_date() -> None:
    ratings = [RATED_AMBER.model_copy(update={"statement_id": s.statement_id})
               for s in TEMPLATES[CURRENT_TEMPLATE_VERSION].statements]
    _refused("self_audit.due_changes_while_open", change_due_date, _change(), [REQUESTED, *ratings],
             AS_COMMISSIONER)
    assert change_due_date(_change(), fold_self_audit([REQUESTED, *ratings[1:]]), AS_COMMISSIONER)
