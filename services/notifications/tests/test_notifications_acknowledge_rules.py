"""Who acknowledges a safeguarding alert (issue 14, rule ``escalation.acknowledged_by_those_reached``), given / when /
then on the notification's history: the DSL at any time; a head once a step of its chain went to the head; any
other alert whoever the policy lets ask. Pure: no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import (
    AlertEscalated,
    Audience,
    Channel,
    EscalationRole,
    NotificationAcknowledged,
    NotificationSent,
)
from ap_notifications.application.acknowledge import escalation_roles_of
from ap_notifications.domain.commands import AcknowledgeNotification
from ap_notifications.domain.errors import NotReachedByTheChain
from ap_notifications.domain.notification import decide_acknowledge
from ap_runtime.access import Principal, Role

pytestmark = pytest.mark.unit

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
R = EscalationRole
HEAD = frozenset({R.HEAD})


def sent(rule: str = "safeguarding_concern", audience: Audience = Audience.HOME_SCHOOL) -> NotificationSent:
    return NotificationSent(notification_id=uuid4(), pupil_ref=uuid4(), rule_name=rule, audience=audience,
                            recipient_organisation_id="school-1", channel=Channel.EMAIL, cause_event_id=uuid4(),
                            template_id=rule, priority="urgent")


def step(of: NotificationSent, number: int, role: EscalationRole) -> AlertEscalated:
    return AlertEscalated(notification_id=of.notification_id, pupil_ref=of.pupil_ref, step=number,
                          recipient_organisation_id=of.recipient_organisation_id, recipient_role=role,
                          message_id=uuid4(), escalated_at=AT, acknowledge_by=AT + timedelta(minutes=30))


def ack(notification_id: UUID, roles: frozenset[EscalationRole]) -> AcknowledgeNotification:
    return AcknowledgeNotification(notification_id, "someone@school-1", AT + timedelta(hours=1), roles)


def test_a_head_the_chain_has_not_reached_is_refused_naming_the_rule() -> None:
    alert = sent()
    history: list[DomainEvent] = [alert, step(alert, 1, R.DEPUTY_DSL)]
    with pytest.raises(NotReachedByTheChain) as refused:
        decide_acknowledge(history, ack(alert.notification_id, HEAD))
    assert refused.value.rule_id == "escalation.acknowledged_by_those_reached"
    assert str(alert.notification_id) in str(refused.value)


def test_a_head_the_chain_reached_acknowledges() -> None:
    alert = sent("drug_or_weapon_found", Audience.DSL)
    [done] = decide_acknowledge([alert, step(alert, 1, R.DEPUTY_DSL), step(alert, 2, R.HEAD)],
                                ack(alert.notification_id, HEAD))
    assert isinstance(done, NotificationAcknowledged) and done.notification_id == alert.notification_id


def test_a_step_of_another_notification_reaches_nobody_here() -> None:
    alert, other = sent(), sent()
    with pytest.raises(NotReachedByTheChain):
        decide_acknowledge([alert, step(other, 1, R.HEAD)], ack(alert.notification_id, HEAD))


def test_the_dsl_acknowledges_a_safeguarding_alert_without_any_step() -> None:
    alert = sent()
    assert len(decide_acknowledge([alert], ack(alert.notification_id, frozenset({R.DSL, R.DEPUTY_DSL})))) == 1


def test_an_alert_that_is_not_safeguarding_is_the_policy_s_alone() -> None:
    alert = sent("physical_intervention")
    assert len(decide_acknowledge([alert], ack(alert.notification_id, frozenset()))) == 1


@pytest.mark.parametrize(("role", "kind", "steps"), [
    (Role.DSL, OrgKind.PROVISION, {R.DSL, R.DEPUTY_DSL}),
    (Role.HOME_SCHOOL_HEAD, OrgKind.HOME_SCHOOL, {R.HEAD}),
    (Role.PROVISION_MANAGER, OrgKind.PROVISION, {R.HEAD}),
    (Role.HOME_SCHOOL_STAFF, OrgKind.HOME_SCHOOL, set()),
    (Role.PROVISION_STAFF, OrgKind.PROVISION, set()),
])
def test_the_steps_a_caller_stands_for_come_from_the_roles_of_its_token(
    role: Role, kind: OrgKind, steps: set[EscalationRole],
) -> None:
    assert escalation_roles_of(Principal("u@org", "org", kind, frozenset({role}))) == steps
