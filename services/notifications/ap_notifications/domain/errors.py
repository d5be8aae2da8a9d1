"""Refusals of the notifications domain, each named after the rule it protects.

Each carries its rule id and its kind of refusal, on the shared refusal template
(``ap_runtime.refusal.Refusal``); the API maps the kind to a status at the edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar
from uuid import UUID

from ap_runtime.refusal import Refusal, RefusalKind


class NotificationsRefused(Refusal):
    """Base of every refusal by the notifications domain."""

    kind: ClassVar[RefusalKind] = RefusalKind.CONFLICTS_WITH_RECORD


class NothingRecordedUnder(NotificationsRefused):
    """The request names an id under which nothing was recorded (``what`` says what it should name)."""

    kind = RefusalKind.NOT_FOUND
    what: ClassVar[str]
    says = "no {what} {named_id}"
    named_id: UUID


class NotificationNotFound(NothingRecordedUnder):
    rule_id = "notification.known"
    what = "notification"


class TransferNotFound(NothingRecordedUnder):
    rule_id = "transfer.known"
    what = "safeguarding file transfer"


class OnlyReceivingDslConfirms(NotificationsRefused):
    """KCSIE: receipt of a child-protection file is confirmed by the receiving setting's DSL."""

    rule_id = "transfer.confirmed_by_receiving_dsl"
    kind = RefusalKind.RESERVED_TO_ANOTHER_PARTY
    says = "transfer {transfer_id} is confirmed by the DSL of {expected}, not by organisation {caller}"
    transfer_id: UUID
    expected: str
    caller: str


class TransferAlreadyOfferedDifferently(NotificationsRefused):
    """A transfer id names one offer; re-offering it to another setting is a different transfer."""

    rule_id = "transfer.offered_once"
    says = "transfer {transfer_id} was already offered with other details"
    transfer_id: UUID


class TransferToSameSetting(NotificationsRefused):
    """The file goes to a new setting: offering it to the organisation that holds it is a mistake."""

    rule_id = "transfer.to_another_setting"
    says = "the child-protection file cannot be transferred from {organisation_id} to itself"
    organisation_id: str


class NotReachedByTheChain(NotificationsRefused):
    """KCSIE and issue 14: a safeguarding alert is the DSL's; another person of the organisation (its head) hears of
    it, and may acknowledge it, only once the escalation chain has reached them."""

    rule_id = "escalation.acknowledged_by_those_reached"
    kind = RefusalKind.RESERVED_TO_ANOTHER_PARTY
    says = ("notification {notification_id} is acknowledged by the designated safeguarding lead, or by a person"
            " its escalation chain has reached")
    notification_id: UUID


class EscalationChainRepeatsARole(NotificationsRefused):
    """An escalation chain tells each role once: a role named twice is a mistake in the chain."""

    rule_id = "escalation.each_role_once"
    kind = RefusalKind.BREAKS_RULE
    says = "steps: an escalation chain names each role once; repeated: {repeated}"
    steps: Sequence[str]

    @property
    def repeated(self) -> str:
        return ", ".join(sorted({step for step in self.steps if list(self.steps).count(step) > 1}))
