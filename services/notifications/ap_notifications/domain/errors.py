"""Refusals of the notifications domain, each named after the rule it protects."""

from __future__ import annotations

from uuid import UUID


class NotificationsRefused(Exception):
    """Base of every refusal by the notifications domain."""


class NotificationNotFound(NotificationsRefused):
    def __init__(self, notification_id: UUID) -> None:
        super().__init__(f"no notification {notification_id}")
        self.notification_id = notification_id


class TransferNotFound(NotificationsRefused):
    def __init__(self, transfer_id: UUID) -> None:
        super().__init__(f"no safeguarding file transfer {transfer_id}")
        self.transfer_id = transfer_id


class OnlyReceivingDslConfirms(NotificationsRefused):
    """KCSIE: receipt of a child-protection file is confirmed by the receiving setting's DSL."""

    def __init__(self, transfer_id: UUID, expected: str, caller: str) -> None:
        super().__init__(
            f"transfer {transfer_id} is confirmed by the DSL of {expected}, not by organisation {caller}"
        )


class TransferAlreadyOfferedDifferently(NotificationsRefused):
    """A transfer id names one offer; re-offering it to another setting is a different transfer."""

    def __init__(self, transfer_id: UUID) -> None:
        super().__init__(f"transfer {transfer_id} was already offered with other details")


class TransferToSameSetting(NotificationsRefused):
    """The file goes to a new setting: offering it to the organisation that holds it is a mistake."""

    def __init__(self, organisation_id: str) -> None:
        super().__init__(f"the child-protection file cannot be transferred from {organisation_id} to itself")
