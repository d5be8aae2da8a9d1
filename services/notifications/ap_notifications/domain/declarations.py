"""Every notifications command declared once: its model, decider, access action, the events it may emit, its
route and summary.

Rule served: "a command is declared once and the rest is derived" (issue 10, STYLE.md). The HTTP routes
(``entrypoints/api.py``) take their path, summary and action from these declarations; a transfer's events
each have one step in ``fold_transfer``. Actions are ids of the access policy's vocabulary (``policy.yaml``,
``actions:``): the bootstrap checks ``NOTIFICATIONS_ACTIONS`` against the loaded policy, and
``services/notifications/tests/test_notifications_declarations.py`` checks nothing is declared half-way.
Alerts the worker sends are not commands of a caller: they follow from recorded events (``rules.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import EscalationChainSet, NotificationAcknowledged
from ap_contracts.events.privacy import SafeguardingFileOffered, SafeguardingFileReceiptConfirmed
from ap_notifications.domain.commands import (
    AcknowledgeNotification,
    ConfirmFileReceipt,
    NotificationsCommand,
    OfferTransfer,
    SetEscalationChain,
)
from ap_notifications.domain.escalation import decide_set_chain
from ap_notifications.domain.notification import decide_acknowledge
from ap_notifications.domain.transfers import decide_confirm, decide_offer

Decider = Callable[..., Sequence[DomainEvent]]


@dataclass(frozen=True, slots=True)
class NotificationsCommandDeclaration:
    """One command: ``stream`` says whose history the decider reads (a notification's, a transfer's, or an
    organisation's escalation chain)."""

    command: type[NotificationsCommand]
    decider: Decider
    action: str
    emits: tuple[type[DomainEvent], ...]
    stream: Literal["notification", "transfer", "escalation_chain"]
    path: str
    summary: str


D = NotificationsCommandDeclaration

ACKNOWLEDGE = D(AcknowledgeNotification, decide_acknowledge, "notifications.acknowledge_notification",
                (NotificationAcknowledged,), "notification", "/v1/notifications/{notification_id}/acknowledgement",
                "Acknowledge a notification sent to the caller's organisation")
OFFER_FILE = D(OfferTransfer, decide_offer, "notifications.offer_safeguarding_file", (SafeguardingFileOffered,),
               "transfer", "/v1/safeguarding-transfers",
               "Send a child-protection file to the new setting's DSL (KCSIE)")
CONFIRM_RECEIPT = D(ConfirmFileReceipt, decide_confirm, "notifications.confirm_safeguarding_file_receipt",
                    (SafeguardingFileReceiptConfirmed,), "transfer",
                    "/v1/safeguarding-transfers/{transfer_id}/receipt",
                    "Confirm receipt of a child-protection file, as the receiving DSL")

SET_ESCALATION_CHAIN = D(SetEscalationChain, decide_set_chain, "notifications.set_escalation_chain",
                         (EscalationChainSet,), "escalation_chain",
                         "/v1/organisations/{organisation_id}/escalation-chain",
                         "Set who, in order, is told of an urgent alert nobody acknowledged (the organisation's head)")

DECLARATIONS: tuple[NotificationsCommandDeclaration, ...] = (ACKNOWLEDGE, OFFER_FILE, CONFIRM_RECEIPT,
                                                             SET_ESCALATION_CHAIN)

READ_NOTIFICATIONS = "notifications.read_notifications"
"""The inbox and a transfer's state: reads, so no command."""
EXPORT_SUBJECT_ACCESS = "privacy.export_subject_access"
"""What this service holds about a pupil, for the DPO."""
READ_EARLY_WARNINGS = "notifications.read_early_warnings"
"""A pupil's current early-warning flags (issue 14): the pupil's home school and provision only."""
READ_ACTIONS = frozenset({READ_NOTIFICATIONS, EXPORT_SUBJECT_ACCESS, READ_EARLY_WARNINGS})

NOTIFICATIONS_ACTIONS = frozenset({d.action for d in DECLARATIONS}) | READ_ACTIONS
"""Every action id notifications asks the access policy about; checked against the policy at start-up."""
