"""Subject access: what the notifications service holds about one pupil, third parties withheld.

Rule served: UK GDPR Art. 15, answered by the data protection officer of an organisation
responsible for the pupil (policy DP-SAR-*): every notification sent about the pupil, its
acknowledgement and delivery failures, and the safeguarding file transfers, with third parties'
data withheld. A parent's contact details are family-contact data (withheld by the shared
redaction list); who acknowledged a notification names a member of staff, so it is withheld too.

Safeguarding records are held back (issue 9): that a concern was raised, a weapon found, a DSL told
or a child-protection file transferred is safeguarding information, which a subject access export
discloses only after a DPO's review. The concerns themselves are released by the incidents service
(``SubjectAccessSafeguardingReleased``); the alerts and transfers derived from them stay here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from ap_notifications.domain.alert_classes import is_safeguarding_alert
from ap_runtime.eventstore import EventCodec, StoredEvent
from ap_runtime.privacy.subject_access import RedactionPolicy, build_subject_access_document

# Staff named in this service's events beyond the shared list (the platform user who acknowledged).
STAFF_FIELDS = frozenset({"acknowledged_by"})
REDACTION_SUFFIX = "+notifications.1"

SAFEGUARDING_EVENT_TYPES = frozenset({
    "SafeguardingFileOffered", "SafeguardingFileReceiptConfirmed", "SafeguardingFileTransferOverdue",
    "BreakGlassAccessUsed",
})


def held_back(events: Sequence[StoredEvent]) -> set[int]:
    """Positions of the safeguarding records (and everything about a safeguarding alert) in ``events``.

    Only clear fields are read (rule, audience, notification id), so nothing held back is decrypted.
    """
    alerts = {str(e.payload.get("notification_id")) for e in events if e.event_type == "NotificationSent"
              and is_safeguarding_alert(str(e.payload.get("rule_name")), str(e.payload.get("audience")))}
    return {index for index, e in enumerate(events)
            if e.event_type in SAFEGUARDING_EVENT_TYPES or str(e.payload.get("notification_id")) in alerts}


def notifications_redaction(base: RedactionPolicy | None = None) -> RedactionPolicy:
    """The shared redaction list plus the staff fields of notification events."""
    policy = base or RedactionPolicy.load()
    return policy.model_copy(update={"payload_fields": policy.payload_fields | STAFF_FIELDS,
                                     "version": policy.version + REDACTION_SUFFIX})


async def subject_access_document(events: Sequence[StoredEvent], codec: EventCodec, pupil_ref: UUID,
                                  generated_at: datetime) -> dict[str, Any]:
    """The machine-readable document (render HTML with ``render_subject_access_html``)."""
    envelopes = []
    hidden = held_back(events)
    for index, event in enumerate(events):
        if index in hidden:
            continue
        revealed = await codec.reveal(event.event_type, event.schema_version, event.payload, event.pii_subject)
        envelopes.append(event.envelope().model_copy(update={"payload": revealed}).model_dump(mode="json"))
    document: dict[str, Any] = build_subject_access_document(pupil_ref, envelopes, generated_at=generated_at,
                                                             policy=notifications_redaction())
    return document
