"""Subject access: everything this service holds about one pupil, third parties' data withheld.

Rule served: UK GDPR Art. 15, answered by the data protection officer of an organisation
responsible for the pupil, stating why (policy DP-SAR-*). The pupil's events are read from the
event store and revealed with the pupil's key (None where erased); the document and its
redaction are ``ap_runtime.privacy.subject_access``'s.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ap_contracts.envelope import utc_now
from ap_incidents.application.access_view import PupilAccessView
from ap_incidents.application.resource_context import pupil_context
from ap_incidents.domain.identity import pupil_stream_id
from ap_runtime.access import AccessGuard, Action, Principal
from ap_runtime.eventstore import EventStore
from ap_runtime.privacy.codec import PersonalDataCodec, SealedPayload
from ap_runtime.privacy.subject_access import build_subject_access_document


async def export_subject_access(
    guard: AccessGuard, store: EventStore, codec: PersonalDataCodec, principal: Principal, view: PupilAccessView,
    *, purpose: str | None, correlation_id: UUID | None = None, now: datetime | None = None,
) -> dict[str, Any]:
    """The machine-readable subject access document (render HTML with ``render_subject_access_html``)."""
    await guard.check(principal, Action.EXPORT_SUBJECT_ACCESS, pupil_context(view), purpose=purpose,
                      correlation_id=correlation_id)
    stored = await store.read_stream(pupil_stream_id(view.pupil_ref))
    revealed = await codec.reveal_many(
        [SealedPayload(e.event_type, e.schema_version, e.payload, e.pii_subject) for e in stored]
    )
    envelopes = [
        event.envelope().model_copy(update={"payload": payload}).model_dump(mode="json")
        for event, payload in zip(stored, revealed, strict=True)
    ]
    document: dict[str, Any] = build_subject_access_document(view.pupil_ref, envelopes, generated_at=now or utc_now())
    return document
