"""Escalation rules (issue 14) as pure functions: when a step is due, to whom, and when the chain stops.

Unit level: no server. Rules: escalation.deadline, escalation.safeguarding_to_dsl_roles,
escalation.once_per_step, escalation.each_role_once (``domain/escalation.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import (
    AlertEscalated,
    Audience,
    Channel,
    DeliveryFailure,
    EscalationChainSet,
    EscalationRole,
    NotificationAcknowledged,
    NotificationSent,
)
from ap_notifications.adapters.smtp import SmtpDelivery, SmtpSettings
from ap_notifications.application.escalation import escalation_outbound
from ap_notifications.application.ports import DeliveryError
from ap_notifications.domain.commands import SetEscalationChain
from ap_notifications.domain.errors import EscalationChainRepeatsARole
from ap_notifications.domain.escalation import (
    DEFAULT_ESCALATION_BOOK,
    decide_escalation,
    decide_set_chain,
    escalation_message_id,
    next_escalation,
)

pytestmark = pytest.mark.unit

SENT_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEADLINE = timedelta(minutes=30)  # the default book's deadline for an urgent alert
CHAIN = (EscalationRole.DSL, EscalationRole.DEPUTY_DSL, EscalationRole.SENIOR_LEADER, EscalationRole.HEAD)
R = EscalationRole


def sent(rule: str = "physical_intervention", audience: Audience = Audience.HOME_SCHOOL,
         priority: str | None = "urgent") -> NotificationSent:
    return NotificationSent(notification_id=uuid4(), pupil_ref=uuid4(), rule_name=rule, audience=audience,
                            recipient_organisation_id="school-a", channel=Channel.EMAIL, cause_event_id=uuid4(),
                            template_id=rule, priority=priority)


def chased(history: list[DomainEvent], minutes_after: list[int]) -> list[tuple[int, EscalationRole]]:
    """Run the check at each time (minutes after sending), recording what it decides, as the service does."""
    steps = []
    for minutes in minutes_after:
        now = SENT_AT + timedelta(minutes=minutes)
        due = next_escalation(history, SENT_AT, CHAIN, DEFAULT_ESCALATION_BOOK, now).escalation
        if due is not None:
            history.append(due)
            steps.append((due.step, due.recipient_role))
    return steps


def test_an_urgent_alert_goes_step_by_step_down_the_chain_each_after_its_deadline() -> None:
    history: list[DomainEvent] = [sent()]
    assert chased(history, [0, 29]) == []
    assert chased(history, [30, 31, 59]) == [(1, R.DSL)]
    assert chased(history, [60, 89, 90, 200, 300]) == [(2, R.DEPUTY_DSL), (3, R.SENIOR_LEADER), (4, R.HEAD)]


def test_a_step_records_its_recipient_and_the_next_deadline() -> None:
    alert = sent()
    due = next_escalation([alert], SENT_AT, CHAIN, DEFAULT_ESCALATION_BOOK, SENT_AT + DEADLINE).escalation
    assert due is not None
    assert (due.step, due.recipient_organisation_id, due.recipient_role) == (1, "school-a", R.DSL)
    assert due.acknowledge_by == SENT_AT + 2 * DEADLINE
    assert due.message_id == escalation_message_id(alert.notification_id, 1, "school-a", R.DSL)


def test_acknowledging_stops_the_chain() -> None:
    alert = sent()
    history: list[DomainEvent] = [alert]
    assert chased(history, [30]) == [(1, R.DSL)]
    history.append(NotificationAcknowledged(notification_id=alert.notification_id, pupil_ref=alert.pupil_ref,
                                            acknowledged_by="dsl@school-a", acknowledged_at=SENT_AT))
    assert chased(history, [60, 120, 600]) == []


def test_a_safeguarding_alert_reaches_only_the_dsl_roles_and_the_head() -> None:
    # escalation.safeguarding_to_dsl_roles: the senior leader in the chain is passed over, never told; the DSL
    # who received the alert is not told twice.
    history: list[DomainEvent] = [sent("safeguarding_concern", Audience.DSL)]
    assert chased(history, [30, 60, 90, 120, 600]) == [(1, R.DEPUTY_DSL), (2, R.HEAD)]


def test_an_alert_whose_priority_has_no_deadline_never_escalates() -> None:
    for priority in ("high", "normal", None, "unheard-of"):
        history: list[DomainEvent] = [sent(priority=priority)]
        assert chased(history, [30, 600, 6000]) == [], priority


def test_without_a_chain_nobody_is_chased() -> None:
    alert = sent()
    assert next_escalation([alert], SENT_AT, (), DEFAULT_ESCALATION_BOOK, SENT_AT + 10 * DEADLINE).escalation is None


def test_a_step_recorded_by_another_check_is_not_recorded_again() -> None:
    # escalation.once_per_step: two checks decided step 1; the second finds it recorded and decides nothing.
    alert = sent()
    now = SENT_AT + DEADLINE
    due = next_escalation([alert], SENT_AT, CHAIN, DEFAULT_ESCALATION_BOOK, now).escalation
    assert due is not None
    assert decide_escalation([alert], due, SENT_AT, CHAIN, DEFAULT_ESCALATION_BOOK, now) == [due]
    assert decide_escalation([alert, due], due, SENT_AT, CHAIN, DEFAULT_ESCALATION_BOOK, now) == []


def test_a_chain_repeating_a_role_is_refused_naming_the_rule_and_the_role() -> None:
    command = SetEscalationChain("school-a", (R.DEPUTY_DSL, R.HEAD, R.DEPUTY_DSL), "head@school-a")
    with pytest.raises(EscalationChainRepeatsARole, match="deputy_dsl") as refused:
        decide_set_chain([], command)
    assert refused.value.rule_id == "escalation.each_role_once"


def test_setting_the_chain_in_force_again_records_nothing_and_another_chain_replaces_it() -> None:
    first = SetEscalationChain("school-a", (R.DEPUTY_DSL, R.HEAD), "head@school-a")
    recorded = decide_set_chain([], first)
    assert recorded == [EscalationChainSet(organisation_id="school-a", steps=(R.DEPUTY_DSL, R.HEAD),
                                           set_by="head@school-a")]
    assert decide_set_chain(recorded, first) == []
    second = SetEscalationChain("school-a", (R.HEAD,), "head@school-a")
    assert [e.steps for e in decide_set_chain(recorded, second)] == [(R.HEAD,)]


def test_an_escalation_names_its_step_once_in_the_contract() -> None:
    with pytest.raises(ValueError, match="step"):
        AlertEscalated(notification_id=uuid4(), step=0, recipient_organisation_id="school-a",
                       recipient_role=R.HEAD, message_id=uuid4(), escalated_at=SENT_AT, acknowledge_by=SENT_AT)


def test_an_alert_is_chased_only_for_as_long_as_the_rule_book_says() -> None:
    # A step whose time comes after ``chase_for`` (two days by default) is never sent: the check was down, or
    # nobody reads the inbox; the alert stays unread there.
    history: list[DomainEvent] = [sent()]
    late = SENT_AT + DEFAULT_ESCALATION_BOOK.chase_for + timedelta(minutes=1)
    assert next_escalation(history, SENT_AT, CHAIN, DEFAULT_ESCALATION_BOOK, late).escalation is not None
    short = DEFAULT_ESCALATION_BOOK.model_copy(update={"chase_for": timedelta(minutes=20)})
    assert next_escalation(history, SENT_AT, CHAIN, short, late).escalation is None


def test_an_escalation_step_is_never_mailed_to_the_offices_default_address() -> None:
    # A safeguarding step meant for the deputy DSL must not land in the office's shared mailbox when the
    # directory has no deputy DSL: the delivery fails as no_contact_details instead (and is recorded so).
    alert = sent("safeguarding_concern", Audience.DSL)
    step = AlertEscalated(notification_id=alert.notification_id, pupil_ref=alert.pupil_ref, step=1,
                          recipient_organisation_id="school-a", recipient_role=R.DEPUTY_DSL, message_id=uuid4(),
                          escalated_at=SENT_AT, acknowledge_by=SENT_AT + DEADLINE)
    message = escalation_outbound(alert, step, uuid4())
    office = SmtpDelivery(SmtpSettings(host="smtp.invalid"), {"school-a": {"default": "office@school-a.example"}})
    with pytest.raises(DeliveryError) as failed:
        office.address_for(message)
    assert failed.value.failure is DeliveryFailure.NO_CONTACT_DETAILS
    deputy = SmtpDelivery(SmtpSettings(host="smtp.invalid"),
                          {"school-a": {"default": "office@school-a.example", "deputy_dsl": "ddsl@school-a.example"}})
    assert deputy.address_for(message) == "ddsl@school-a.example"
