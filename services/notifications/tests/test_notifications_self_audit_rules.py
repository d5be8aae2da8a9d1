"""A provider self-audit past its due date (issue 14), the rule: the provision is told the day after its due date,
the commissioner that requested it once it is still overdue more than the rule book's further period; an audit
with every statement rated owes nothing, done before or after its date (commissioning states the due date)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID, uuid4

from ap_contracts.events.notifications import Audience
from ap_notifications.domain.alerts import Alert
from ap_notifications.domain.messages import render
from ap_notifications.domain.notification import notification_id_for
from ap_notifications.domain.overdue import manager_cause
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK
from ap_notifications.domain.self_audit_due import SelfAuditProgress, self_audit_alerts

PROVIDER, COMMISSIONER, YEAR = "prov-brighter-futures", "la-demo-county", "2026-27"
DUE = date(2027, 3, 31)
AFTER = DEFAULT_RULE_BOOK.overdue_manager_after_days
AUDIT = SelfAuditProgress(PROVIDER, COMMISSIONER, YEAR, DUE, statement_count=20, rated=19,
                          requested_by_event_id=uuid4())


def steps(audit: SelfAuditProgress, today: date) -> list[tuple[str, Audience, str]]:
    return [(a.rule_name, a.audience, a.recipient_organisation_id)
            for a in self_audit_alerts(audit, today, DEFAULT_RULE_BOOK)]


OWNER = ("self_audit_overdue", Audience.PROVISION, PROVIDER)
MANAGER = ("self_audit_overdue_to_manager", Audience.COMMISSIONER, COMMISSIONER)


def test_not_yet_due_on_or_before_its_date_nothing_is_owed() -> None:
    assert steps(AUDIT, DUE - timedelta(days=30)) == []
    assert steps(AUDIT, DUE) == []


def test_due_the_day_after_its_date_the_provider_is_told_then_the_commissioner() -> None:
    assert steps(AUDIT, DUE + timedelta(days=1)) == [OWNER]
    assert steps(AUDIT, DUE + timedelta(days=AFTER)) == [OWNER]
    assert steps(AUDIT, DUE + timedelta(days=AFTER + 1)) == [OWNER, MANAGER]


def test_done_before_its_date_nothing_is_ever_owed() -> None:
    done = replace(AUDIT, rated=20)
    assert steps(done, DUE + timedelta(days=1)) == []
    assert steps(done, DUE + timedelta(days=365)) == []


def test_done_after_its_date_nothing_more_is_owed() -> None:
    assert steps(AUDIT, DUE + timedelta(days=2)) == [OWNER]  # told while overdue
    assert steps(replace(AUDIT, rated=20), DUE + timedelta(days=AFTER + 1)) == []  # the commissioner is not


def ident(alert: Alert) -> UUID:
    return notification_id_for(alert.cause_event_id, alert.rule_name, alert.audience, alert.recipient_organisation_id)


def test_each_step_has_one_notification_id_on_every_run() -> None:
    owner, manager = self_audit_alerts(AUDIT, DUE + timedelta(days=AFTER + 1), DEFAULT_RULE_BOOK)
    later_owner, later_manager = self_audit_alerts(AUDIT, DUE + timedelta(days=AFTER + 9), DEFAULT_RULE_BOOK)
    assert owner.cause_event_id == AUDIT.requested_by_event_id
    assert manager.cause_event_id == manager_cause(AUDIT.requested_by_event_id)
    assert {ident(a) for a in (owner, manager)} == {ident(a) for a in (later_owner, later_manager)}


def test_the_message_links_the_audit_and_names_no_pupil() -> None:
    [owner] = self_audit_alerts(AUDIT, DUE + timedelta(days=3), DEFAULT_RULE_BOOK)
    assert owner.pupil_ref is None
    assert owner.link_path == f"/self-audits/{PROVIDER}/{COMMISSIONER}/{YEAR}"
    assert owner.threshold is not None and owner.threshold.observed_value == 3
    message = render(owner)
    assert message.subject.endswith("Self-audit overdue") and "Pupil reference" not in message.body
