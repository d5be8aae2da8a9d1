"""Escalation of urgent alerts nobody acknowledged in time (issue 14): the chain, the deadlines, the next step.

Rules served:
- ``escalation.deadline``: a notification whose priority the escalation rule book gives a deadline, and
  which nobody acknowledged by it, goes to the next step of its recipient organisation's chain; each step
  has the same deadline again, counted from when it was sent. Acknowledging the notification stops it.
- ``escalation.chain_set_by_the_organisation``: the chain is data kept per organisation (``EscalationChainSet``),
  set by that organisation's head (policy action ``notifications.set_escalation_chain``); it names roles of
  that organisation only, so an alert never leaves the organisation it was sent to.
- ``escalation.safeguarding_to_dsl_roles``: that a safeguarding alert exists is safeguarding information,
  so it escalates only to the roles the rule book names (by default the DSL, the deputy DSL and the head);
  any other role in the chain is passed over for it, never told.
- ``escalation.once_per_step``: a step's command and message id is derived from the notification, the step
  and the recipient, so a restarted or doubled check records and delivers each step once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import (
    AlertEscalated,
    Audience,
    EscalationChainSet,
    EscalationRole,
    NotificationAcknowledged,
    NotificationSent,
)
from ap_notifications.domain.alert_classes import is_safeguarding_alert
from ap_notifications.domain.alerts import Priority
from ap_notifications.domain.commands import SetEscalationChain
from ap_notifications.domain.errors import EscalationChainRepeatsARole
from ap_notifications.domain.notification import sent_event

ESCALATION_CHAIN_STREAM_PREFIX = "escalation-chain-"
ESCALATION_NAMESPACE = UUID("0c7a52a4-93d4-4a43-8f0e-5d2b6f9e8a17")

# The role an audience's message already reached: a chain step naming it is not told a second time.
AUDIENCE_ROLE: MappingProxyType[Audience, EscalationRole] = MappingProxyType({Audience.DSL: EscalationRole.DSL})


class EscalationRuleBook(BaseModel):
    """Deadlines per priority and the roles a safeguarding alert may reach; change ``version`` with any value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(default="escalation-2026.1", min_length=1, max_length=60)
    # Issue 14: urgent alerts (a safeguarding concern with immediate risk, a drug or weapon found, and any rule
    # the alert rule book rates urgent) are chased after 30 minutes. A priority not named here never escalates.
    deadlines: Mapping[Priority, timedelta] = Field(
        default_factory=lambda: {Priority.URGENT: timedelta(minutes=30)})
    # An alert nobody acknowledged for this long is no longer chased (it stays unread in the inbox); it also
    # bounds what each check reads.
    chase_for: timedelta = Field(default=timedelta(days=2), gt=timedelta(0))
    # KCSIE: safeguarding information goes to the DSL, its deputy and the head, never to another colleague.
    safeguarding_roles: frozenset[EscalationRole] = frozenset(
        {EscalationRole.DSL, EscalationRole.DEPUTY_DSL, EscalationRole.HEAD})


DEFAULT_ESCALATION_BOOK = EscalationRuleBook()


def escalation_chain_stream_id(organisation_id: str) -> str:
    return f"{ESCALATION_CHAIN_STREAM_PREFIX}{organisation_id}"


def chain_in_force(history: Sequence[DomainEvent]) -> tuple[EscalationRole, ...]:
    """The organisation's chain as last set (none: nobody is chased)."""
    chains = [e for e in history if isinstance(e, EscalationChainSet)]
    return chains[-1].steps if chains else ()


def decide_set_chain(history: Sequence[DomainEvent], command: SetEscalationChain) -> list[EscalationChainSet]:
    """Set the organisation's chain; setting the chain in force again records nothing."""
    if len(set(command.steps)) != len(command.steps):
        raise EscalationChainRepeatsARole(command.steps)
    if chain_in_force(history) == command.steps:
        return []
    return [EscalationChainSet(organisation_id=command.organisation_id, steps=command.steps,
                               set_by=command.by_user_id)]


def escalation_message_id(notification_id: UUID, step: int, organisation_id: str, role: EscalationRole) -> UUID:
    """The command and message id of one step: the same notification, step and recipient give the same id."""
    return uuid5(notification_id, f"escalation|{step}|{organisation_id}|{role.value}")


def roles_to_chase(sent: NotificationSent, chain: Sequence[EscalationRole],
                   book: EscalationRuleBook) -> tuple[EscalationRole, ...]:
    """The chain's roles this notification goes to, in order (``escalation.safeguarding_to_dsl_roles``)."""
    already_told = AUDIENCE_ROLE.get(sent.audience)
    safeguarding = is_safeguarding_alert(sent.rule_name, sent.audience.value)
    return tuple(role for role in chain
                 if role is not already_told and (not safeguarding or role in book.safeguarding_roles))


@dataclass(frozen=True, slots=True)
class EscalationDue:
    """A step to record now, or nothing to do with the time it becomes due (None: never)."""

    escalation: AlertEscalated | None
    due_at: datetime | None


def escalations(history: Sequence[DomainEvent]) -> list[AlertEscalated]:
    return [e for e in history if isinstance(e, AlertEscalated)]


def deadline_of(sent: NotificationSent, book: EscalationRuleBook) -> timedelta | None:
    if sent.priority is None:
        return None
    try:
        return book.deadlines.get(Priority(sent.priority))
    except ValueError:  # a priority this version does not know: it names no deadline
        return None


def next_escalation(history: Sequence[DomainEvent], sent_at: datetime, chain: Sequence[EscalationRole],
                    book: EscalationRuleBook, now: datetime) -> EscalationDue:
    """The next step of an unacknowledged notification once its deadline passed (``escalation.deadline``)."""
    sent = sent_event(history)
    deadline = None if sent is None else deadline_of(sent, book)
    if sent is None or deadline is None or any(isinstance(e, NotificationAcknowledged) for e in history):
        return EscalationDue(None, None)
    earlier = escalations(history)
    roles = roles_to_chase(sent, chain, book)
    if len(earlier) >= len(roles):
        return EscalationDue(None, None)
    due_at = earlier[-1].acknowledge_by if earlier else sent_at + deadline
    if due_at > sent_at + book.chase_for:
        return EscalationDue(None, None)
    if now < due_at:
        return EscalationDue(None, due_at)
    step, role = len(earlier) + 1, roles[len(earlier)]
    return EscalationDue(AlertEscalated(
        notification_id=sent.notification_id, pupil_ref=sent.pupil_ref, step=step,
        recipient_organisation_id=sent.recipient_organisation_id, recipient_role=role,
        message_id=escalation_message_id(sent.notification_id, step, sent.recipient_organisation_id, role),
        escalated_at=now, acknowledge_by=now + deadline,
    ), due_at)


def step_still_due(history: Sequence[DomainEvent], message_id: UUID, now: datetime) -> bool:
    """Whether the step whose message is ``message_id`` is still worth delivering at ``now`` (a retry of a failed
    delivery): the notification not acknowledged (``escalation.deadline``: acknowledging stops the chain) and the
    step's own deadline not passed (then the next step is what counts, and this one is not sent late)."""
    if any(isinstance(e, NotificationAcknowledged) for e in history):
        return False
    step = next((e for e in escalations(history) if e.message_id == message_id), None)
    return step is not None and now < step.acknowledge_by


def decide_escalation(history: Sequence[DomainEvent], expected: AlertEscalated, sent_at: datetime,
                      chain: Sequence[EscalationRole], book: EscalationRuleBook,
                      now: datetime) -> list[AlertEscalated]:
    """Record ``expected`` when it is still the step due on the history as it is now, else nothing.

    Two checks at once decide the same step under the same command id; the second sees it recorded.
    """
    due = next_escalation(history, sent_at, chain, book, now).escalation
    return [due] if due is not None and due.message_id == expected.message_id else []
