"""v1 events of a provision's staff register (stream ``provision-<provision_id>``).

Physical intervention is for trained staff only (seed 002; DfE reasonable force advice), so the
incidents service checks each member of staff against this register before recording one. The
register names staff by platform staff id only; it is not pupil data.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupil_vocabulary import OrganisationId, TrainingKind
from ap_contracts.topics import INCIDENTS_EVENTS

StaffId = Annotated[str, Field(min_length=1, max_length=200)]


class ProvisionEvent(DomainEvent):
    topic: ClassVar[str] = INCIDENTS_EVENTS

    provision_id: OrganisationId


class StaffTrainingRecorded(ProvisionEvent):
    """A member of staff completed training (physical intervention, safeguarding, searching, the behaviour
    approach, de-escalation, CPD)."""

    event_type: ClassVar[str] = "StaffTrainingRecorded"

    staff_id: StaffId
    training: TrainingKind
    completed_on: date
    expires_on: date | None
    programme: str | None = Field(
        default=None, min_length=1, max_length=120,
        description="The programme or course (for example 'Hertfordshire Steps'); absent in older events",
    )

    @model_validator(mode="after")
    def _expiry_after_completion(self) -> Self:
        if self.expires_on is not None and self.expires_on <= self.completed_on:
            raise ValueError("training cannot expire before it was completed")
        return self


class TrainingRevocationReason(StrEnum):
    RECORDED_IN_ERROR = "recorded_in_error"
    CERTIFICATE_INVALID = "certificate_invalid"
    LEFT_PROVISION = "left_provision"


class StaffTrainingRevoked(ProvisionEvent):
    """A member of staff no longer counts as trained (left, certificate invalid, recorded in error)."""

    event_type: ClassVar[str] = "StaffTrainingRevoked"

    staff_id: StaffId
    training: TrainingKind
    revoked_on: date
    reason: TrainingRevocationReason
