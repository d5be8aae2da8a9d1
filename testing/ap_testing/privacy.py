"""Event contracts used only by the privacy tests and benchmarks (import explicitly; never loaded
by the catalogue). They exercise every personal-field shape the codec must handle."""

from __future__ import annotations

import base64
import os
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from ap_contracts.events.base import DomainEvent
from ap_contracts.personal import (
    BehaviourNarrative,
    FamilyContactText,
    PupilIdentityText,
    SafeguardingNarrative,
    SenHealthText,
)
from ap_runtime.privacy.masterkeys import ACTIVE_MASTER_KEY_ENV, KEY_BYTES, MASTER_KEYS_ENV, MasterKeyRing

PROBE_TOPIC = "ap.test.privacy"


class ProbeNoteRecorded(DomainEvent):
    """A pupil event with one field of each personal shape and some third-party fields."""

    event_type: ClassVar[str] = "PrivacyProbeNoteRecorded"
    topic: ClassVar[str] = PROBE_TOPIC
    pii_subject_field: ClassVar[str | None] = "pupil_ref"

    pupil_ref: UUID
    narrative: BehaviourNarrative
    preferred_name: PupilIdentityText | None = None
    safeguarding_note: SafeguardingNarrative | None = None
    sen_summary: SenHealthText | None = None
    family_contacts: list[FamilyContactText] = Field(default_factory=list)
    staff_involved: list[str] = Field(default_factory=list)
    witness_user_ids: list[str] = Field(default_factory=list)
    severity: int = Field(default=1, ge=0, le=5)


class ProbeUnattributedNote(DomainEvent):
    """A contract bug on purpose: personal data but no pupil to key it to."""

    event_type: ClassVar[str] = "PrivacyProbeUnattributedNote"
    topic: ClassVar[str] = PROBE_TOPIC

    narrative: BehaviourNarrative | None = None


def master_keys_env(keys: dict[str, bytes], active: str) -> dict[str, str]:
    """The environment variables an operator would set for ``keys`` (``MasterKeyRing.from_env``)."""
    spec = ",".join(f"{key_id}:{base64.b64encode(key).decode()}" for key_id, key in keys.items())
    return {MASTER_KEYS_ENV: spec, ACTIVE_MASTER_KEY_ENV: active}


def random_ring(*key_ids: str, active: str | None = None) -> tuple[MasterKeyRing, dict[str, bytes]]:
    """A ring of fresh random keys (default one key, ``mk-1``) and the raw keys, for tests."""
    keys = {key_id: os.urandom(KEY_BYTES) for key_id in key_ids or ("mk-1",)}
    return MasterKeyRing(keys, active or next(iter(keys))), keys
