"""Subject access: everything this service holds about one pupil, third parties' data withheld.

Rule served: UK GDPR Art. 15, answered by the data protection officer of an organisation
responsible for the pupil, stating why (policy DP-SAR-*). The pupil's events are read from the
event store and revealed with the pupil's key (None where erased); the document and its
redaction are ``ap_runtime.privacy.subject_access``'s. Safeguarding records (concerns and every
correction of one) are held back until a DPO releases them (``SubjectAccessSafeguardingReleased``,
policy DP-SAR-REL-*), and then only those recorded up to the release (issue 9).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from ap_contracts.envelope import utc_now
from ap_contracts.events.privacy import SubjectAccessSafeguardingReleased
from ap_contracts.personal import RecordClass
from ap_incidents.application.access_view import PupilAccessView
from ap_incidents.application.resource_context import reader_context
from ap_incidents.domain.entry_classes import entry_class_of
from ap_incidents.domain.identity import pupil_stream_id
from ap_runtime.access import AccessGuard, Principal
from ap_runtime.eventstore import EventStorePort, StoredEvent
from ap_runtime.privacy.codec import PersonalDataCodec, SealedPayload
from ap_runtime.privacy.subject_access import build_subject_access_document

RELEASED = SubjectAccessSafeguardingReleased.event_type


async def export_subject_access(
    guard: AccessGuard, store: EventStorePort, codec: PersonalDataCodec, principal: Principal, view: PupilAccessView,
    *, purpose: str | None, correlation_id: UUID | None = None, now: datetime | None = None,
) -> dict[str, Any]:
    """The machine-readable subject access document (render HTML with ``render_subject_access_html``)."""
    await guard.check(principal, "privacy.export_subject_access", reader_context(view, principal.organisation_id),
                      purpose=purpose, correlation_id=correlation_id)
    stored = await store.read_stream(pupil_stream_id(view.pupil_ref))
    through = _released_through(stored)
    # A DPO of a provision or commissioner whose placements ended answers for the record up to the end.
    until = view.readable_through(principal.organisation_id)
    disclosed = [e for e in stored if not _held_back(e, through) and (until is None or e.stream_version <= until)]
    revealed = await codec.reveal_many(
        [SealedPayload(e.event_type, e.schema_version, e.payload, e.pii_subject) for e in disclosed]
    )
    envelopes = [
        event.envelope().model_copy(update={"payload": payload}).model_dump(mode="json")
        for event, payload in zip(disclosed, revealed, strict=True)
    ]
    document: dict[str, Any] = build_subject_access_document(view.pupil_ref, envelopes, generated_at=now or utc_now())
    return document


def _released_through(stored: Sequence[StoredEvent]) -> int | None:
    """The last stream version a DPO released for subject access (the release event's clear field)."""
    versions = [int(e.payload["released_through_version"]) for e in stored if e.event_type == RELEASED]
    return max(versions) if versions else None


def _held_back(event: StoredEvent, released_through: int | None) -> bool:
    """Safeguarding entries and their corrections until released, and the DPO's releases themselves
    (a record of the DPO's review, not the pupil's data: it would tell a parent that concerns exist).

    Only clear fields are read (``target_event_type`` of a correction), so nothing is decrypted for
    what is held back.
    """
    if event.event_type == RELEASED:
        return True
    if entry_class_of(event.event_type, event.payload) is not RecordClass.SAFEGUARDING:
        return False
    return released_through is None or event.stream_version > released_through
