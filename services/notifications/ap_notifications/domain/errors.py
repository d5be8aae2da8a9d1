"""Refusals of the notifications domain, each named after the rule it protects.

Each carries its rule id and its kind of refusal; the API maps the kind to a status at the edge.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from ap_runtime.refusal import RefusalKind


class NotificationsRefused(Exception):
    """Base of every refusal by the notifications domain."""

    rule: ClassVar[str]
    kind: ClassVar[RefusalKind] = RefusalKind.CONFLICTS_WITH_RECORD


class NotificationNotFound(NotificationsRefused):
    rule = "notification.known"
    kind = RefusalKind.NOT_FOUND

    def __init__(self, notification_id: UUID) -> None:
        super().__init__(f"no notification {notification_id}")
        self.notification_id = notification_id


class TransferNotFound(NotificationsRefused):
    rule = "transfer.known"
    kind = RefusalKind.NOT_FOUND

    def __init__(self, transfer_id: UUID) -> None:
        super().__init__(f"no safeguarding file transfer {transfer_id}")
        self.transfer_id = transfer_id


class OnlyReceivingDslConfirms(NotificationsRefused):
    """KCSIE: receipt of a child-protection file is confirmed by the receiving setting's DSL."""

    rule = "transfer.confirmed_by_receiving_dsl"
    kind = RefusalKind.RESERVED_TO_ANOTHER_PARTY

    def __init__(self, transfer_id: UUID, expected: str, caller: str) -> None:
        super().__init__(
            f"transfer {transfer_id} is confirmed by the DSL of {expected}, not by organisation {caller}"
        )


class TransferAlreadyOfferedDifferently(NotificationsRefused):
    """A transfer id names one offer; re-offering it to another setting is a different transfer."""

    rule = "transfer.offered_once"

    def __init__(self, transfer_id: UUID) -> None:
        super().__init__(f"transfer {transfer_id} was already offered with other details")


class TransferToSameSetting(NotificationsRefused):
    """The file goes to a new setting: offering it to the organisation that holds it is a mistake."""

    rule = "transfer.to_another_setting"

    def __init__(self, organisation_id: str) -> None:
        super().__init__(f"the child-protection file cannot be transferred from {organisation_id} to itself")
