"""The commands a caller gives the notifications service; each is declared once in ``domain/declarations.py``.

Values only: a decider takes the stream's history and one of these and returns events or a named refusal.
The API fills the organisation and time fields from the verified caller and the clock, never from the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ap_contracts.events.notifications import EscalationRole


class NotificationsCommand:
    """Base of every notifications command (so a test can find one that has no declaration)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class AcknowledgeNotification(NotificationsCommand):
    """A recipient confirms it has seen a notification (a commissioner, a decision it must take)."""

    notification_id: UUID
    by_user_id: str
    at: datetime
    # The escalation roles the caller holds by its verified token (issue 14: a safeguarding alert is acknowledged
    # by the DSL or by a person its escalation chain has reached, ``escalation.acknowledged_by_those_reached``).
    by_roles: frozenset[EscalationRole] = frozenset()


@dataclass(frozen=True, slots=True)
class OfferTransfer(NotificationsCommand):
    """The DSL sends the child-protection file to the new setting (KCSIE); also started by a placement's end."""

    transfer_id: UUID
    pupil_ref: UUID
    from_organisation_id: str
    to_organisation_id: str
    receiving_dsl_organisation_id: str
    offered_at: datetime


@dataclass(frozen=True, slots=True)
class ConfirmFileReceipt(NotificationsCommand):
    """The receiving setting's DSL confirms the child-protection file arrived."""

    transfer_id: UUID
    by_organisation_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SetEscalationChain(NotificationsCommand):
    """An organisation's head sets who, in order, is told of an urgent alert nobody acknowledged (issue 14)."""

    organisation_id: str
    steps: tuple[EscalationRole, ...]
    by_user_id: str
