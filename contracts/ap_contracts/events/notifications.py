"""Notification events v1: who was told what, by which channel, and whether it arrived.

Alerts go to the people the domain brief names (home school, commissioner, DSL, parents, LA) when
a rule fires on another service's event. A notification names its recipient by organisation and
platform user where possible; a parent's own email address or phone number is family-contact
personal data, encrypted with the pupil's key and erased with it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Self
from uuid import UUID

from pydantic import Field, StrictInt, model_validator

from ap_contracts.envelope import StrictModel
from ap_contracts.events.base import DomainEvent
from ap_contracts.personal import FamilyContactText
from ap_contracts.topics import NOTIFICATIONS_EVENTS

Identifier = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[a-z][a-z0-9_.-]*$")]
OrganisationId = Annotated[str, Field(min_length=1, max_length=200)]
UserId = Annotated[str, Field(min_length=1, max_length=200)]


class Audience(StrEnum):
    """Whom an alert is for (domain brief, section 5)."""

    HOME_SCHOOL = "home_school"
    COMMISSIONER = "commissioner"
    DSL = "dsl"
    PARENT = "parent"
    LA = "la"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    IN_APP = "in_app"


class Comparison(StrEnum):
    AT_OR_ABOVE = "at_or_above"
    BELOW = "below"


class ThresholdContext(StrictModel):
    """The agreed threshold a rule compared against, so a reader sees why the alert fired.

    Thresholds are agreed per placement and change over time, so the value in force is copied
    here rather than looked up later. Measures are integers in the unit named (a percentage is
    sent in basis points, for example).
    """

    metric: Identifier
    comparison: Comparison
    threshold_value: StrictInt
    observed_value: StrictInt
    unit: Identifier
    placement_id: UUID | None = None


def _personal_data_has_a_subject(pupil_ref: UUID | None, personal_value: str | None) -> None:
    # Personal fields are encrypted with the pupil's key; without a pupil there is no key to use.
    if personal_value is not None and pupil_ref is None:
        raise ValueError("a parent's contact details can only be recorded for a pupil_ref")


class NotificationEvent(DomainEvent):
    """Common shape: every notification event is on the notifications topic and may be about a pupil."""

    topic: ClassVar[str] = NOTIFICATIONS_EVENTS
    pii_subject_field: ClassVar[str | None] = "pupil_ref"

    notification_id: UUID
    pupil_ref: UUID | None = None


class NotificationSent(NotificationEvent):
    """An alert was handed to a delivery channel for one recipient because a rule fired."""

    event_type: ClassVar[str] = "NotificationSent"

    rule_name: Identifier
    audience: Audience
    recipient_organisation_id: OrganisationId
    recipient_user_id: UserId | None = None
    recipient_contact: FamilyContactText | None = Field(
        default=None, description="A parent's email address or phone number when they have no platform account"
    )
    channel: Channel
    cause_event_id: UUID
    template_id: Identifier
    threshold: ThresholdContext | None = None

    @model_validator(mode="after")
    def _contact_needs_a_pupil(self) -> Self:
        _personal_data_has_a_subject(self.pupil_ref, self.recipient_contact)
        return self


class NotificationAcknowledged(NotificationEvent):
    """The recipient confirmed they had read the alert (needed for decisions a commissioner must take)."""

    event_type: ClassVar[str] = "NotificationAcknowledged"

    acknowledged_by: UserId
    acknowledged_at: datetime


class DeliveryFailure(StrEnum):
    BOUNCED = "bounced"
    REJECTED = "rejected"
    UNREACHABLE = "unreachable"
    NO_CONTACT_DETAILS = "no_contact_details"
    PROVIDER_ERROR = "provider_error"
    TIMED_OUT = "timed_out"


class NotificationDeliveryFailed(NotificationEvent):
    """A channel reported that an alert did not reach its recipient."""

    event_type: ClassVar[str] = "NotificationDeliveryFailed"

    channel: Channel
    failure: DeliveryFailure
    attempt: StrictInt = Field(ge=1)
    will_retry: bool
    provider_detail: FamilyContactText | None = Field(
        default=None, description="The provider's own message; it may repeat the recipient's address"
    )

    @model_validator(mode="after")
    def _detail_needs_a_pupil(self) -> Self:
        _personal_data_has_a_subject(self.pupil_ref, self.provider_detail)
        return self
