"""The event envelope every service stores and publishes.

The envelope is metadata only; the payload is a v1 (or later) event model from
``ap_contracts.events``. On the wire and in the event store, personal payload fields hold
ciphertext (see ``ap_contracts.personal``); ``pii_subject`` names whose key encrypted them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from pydantic import ConfigDict, Field

from ap_contracts.text import TextGuardedModel


class StrictModel(TextGuardedModel):
    """Base of every contract model: unknown fields rejected, immutable, no type coercion surprises,
    no text that cannot be stored (NUL, unpaired surrogates: ``ap_contracts.text``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class OrgKind(StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    PARTNERSHIP = "partnership"
    HOST_SCHOOL = "host_school"
    HOME_SCHOOL = "home_school"
    PROVISION = "provision"
    COMMISSIONER = "commissioner"
    FINANCE_TEAM = "finance_team"
    SCHOOLS_FORUM = "schools_forum"
    PLATFORM = "platform"


class Actor(StrictModel):
    """Who caused an event: a user acting for an organisation, or a system process."""

    user_id: str = Field(min_length=1, max_length=200)
    organisation_id: str = Field(min_length=1, max_length=200)
    roles: tuple[str, ...] = ()


def utc_now() -> datetime:
    return datetime.now(UTC)


class EventEnvelope(StrictModel):
    """Metadata of one stored event; ``payload`` is the JSON form of the event model."""

    event_id: UUID = Field(default_factory=uuid4)
    event_type: str = Field(min_length=1, max_length=120)
    schema_version: int = Field(ge=1)
    stream_id: str = Field(min_length=1, max_length=200)
    stream_version: int = Field(ge=1)
    occurred_at: datetime
    recorded_at: datetime = Field(default_factory=utc_now)
    actor: Actor
    organisation_id: str = Field(min_length=1, max_length=200)
    correlation_id: UUID
    causation_id: UUID | None = None
    pii_subject: str | None = Field(
        default=None, description="Pseudonymous pupil reference whose data key encrypts personal fields"
    )
    payload: dict[str, Any]
