"""Notification events v1: who was told what, by which channel, and whether it arrived.

Alerts go to the people the domain brief names (home school, commissioner, DSL, parents, LA) when
a rule fires on another service's event. A notification names its recipient by organisation and
platform user where possible; a parent's own email address or phone number is family-contact
personal data, encrypted with the pupil's key and erased with it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Self
from uuid import UUID

from pydantic import AwareDatetime, Field, StrictInt, model_validator

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
    # Issue 14: the local authority's attendance officer, told of a pupil sent home (seed 002 appendices 2 and 3).
    ATTENDANCE_OFFICER = "attendance_officer"
    # Issue 14, early warning (seed 003 section 2.2): the home school's pastoral lead and the provision itself.
    PASTORAL_LEAD = "pastoral_lead"
    PROVISION = "provision"
    # Issue 14: the virtual school head of the local authority looking after a looked-after child (STATUTORY.md:
    # told of the child's suspensions and exclusions); reached only at that role's own address.
    VIRTUAL_SCHOOL_HEAD = "virtual_school_head"


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
    # Issue 14: how urgent the rule judged the alert; an unacknowledged alert of a priority the escalation
    # rule book gives a deadline goes up the recipient organisation's chain. None: recorded before issue 14.
    priority: Identifier | None = None

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


class EscalationRole(StrEnum):
    """A person in an organisation an unacknowledged urgent alert goes to next (issue 14).

    Recipients stay organisations in a role: the operator's directory gives each role its address.
    """

    DSL = "dsl"
    DEPUTY_DSL = "deputy_dsl"
    HEAD = "head"
    DEPUTY_HEAD = "deputy_head"
    SENIOR_LEADER = "senior_leader"


class EscalationChainSet(DomainEvent):
    """An organisation's head (or its administrator) set who is told, in order, of an urgent alert nobody
    acknowledged in time. The chain replaces the previous one; it names roles of that organisation only."""

    event_type: ClassVar[str] = "EscalationChainSet"
    topic: ClassVar[str] = NOTIFICATIONS_EVENTS

    organisation_id: OrganisationId
    steps: tuple[EscalationRole, ...] = Field(min_length=1, max_length=len(EscalationRole))
    set_by: UserId

    @model_validator(mode="after")
    def _each_role_once(self) -> Self:
        if len(set(self.steps)) != len(self.steps):
            raise ValueError("steps: each role appears at most once in an escalation chain")
        return self


class AlertEscalated(NotificationEvent):
    """An urgent notification was not acknowledged by its deadline and went to the chain's next step.

    ``message_id`` is the id the step's message is delivered under (derived from the notification, the
    step and the recipient), so a restarted check delivers it once; ``acknowledge_by`` is when the step
    after this one is due unless someone acknowledges the notification first.
    """

    event_type: ClassVar[str] = "AlertEscalated"

    step: StrictInt = Field(ge=1)
    recipient_organisation_id: OrganisationId
    recipient_role: EscalationRole
    message_id: UUID
    escalated_at: AwareDatetime
    acknowledge_by: AwareDatetime


class EarlyWarningMeasure(StrictModel):
    """One number an early-warning rule compared, in the unit named (a rate in basis points), so a reader can
    check the flag against the events it cites."""

    metric: Identifier
    value: StrictInt
    unit: Identifier


class EarlyWarningRaised(NotificationEvent):
    """Issue 14, early warning (seed 003 section 2.2): a pupil's trend crossed a rule of the early-warning rule
    book over a window of school days. No model: ``explanation`` states the rule and its inputs in words,
    ``measures`` the same numbers, and ``cited_event_ids`` the incidents events they were computed from.
    ``notification_id`` is the flag's id (derived from the rule, the pupil and the window: raised once)."""

    event_type: ClassVar[str] = "EarlyWarningRaised"

    pupil_ref: UUID
    placement_id: UUID
    rule_name: Identifier
    rule_version: Identifier
    window_start: date
    window_end: date
    counted_with: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="The school calendar (local authority id) the window's school days were counted on, or "
                    "'weekdays' when none is recorded")
    explanation: Annotated[str, Field(min_length=1, max_length=1000)]
    measures: tuple[EarlyWarningMeasure, ...] = Field(min_length=1, max_length=20)
    cited_event_ids: tuple[UUID, ...] = Field(min_length=1, max_length=500)
    home_school_id: OrganisationId
    provision_id: OrganisationId
