"""Read model behind ``GET /v1/notifications``: each organisation's notifications and their state.

Built from the notifications service's own events on ``ap.notifications.events``; it holds no
personal field (a parent's contact details, when ever recorded, stay sealed in the event store).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

import asyncpg

from ap_contracts.topics import NOTIFICATIONS_EVENTS
from ap_runtime.projection import Projection, ReceivedEvent

DDL = """
CREATE TABLE IF NOT EXISTS notifications (
    notification_id           uuid PRIMARY KEY,
    pupil_ref                 uuid,
    rule_name                 text NOT NULL,
    audience                  text NOT NULL,
    recipient_organisation_id text NOT NULL,
    channel                   text NOT NULL,
    cause_event_id            uuid NOT NULL,
    template_id               text NOT NULL,
    threshold                 jsonb,
    sent_at                   timestamptz NOT NULL,
    acknowledged_at           timestamptz,
    acknowledged_by           text,
    delivery_failures         integer NOT NULL DEFAULT 0,
    last_failure              text
);
CREATE INDEX IF NOT EXISTS notifications_by_recipient ON notifications (recipient_organisation_id, sent_at DESC);
"""


class InboxProjection(Projection):
    name: ClassVar[str] = "notification_inbox"
    topics = (NOTIFICATIONS_EVENTS,)
    ddl: ClassVar[str] = DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        p = event.payload
        if event.event_type == "NotificationSent":
            await conn.execute(
                "INSERT INTO notifications (notification_id, pupil_ref, rule_name, audience,"
                " recipient_organisation_id, channel, cause_event_id, template_id, threshold, sent_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10) ON CONFLICT DO NOTHING",
                UUID(p["notification_id"]), _uuid(p.get("pupil_ref")), p["rule_name"], p["audience"],
                p["recipient_organisation_id"], p["channel"], UUID(p["cause_event_id"]), p["template_id"],
                None if p.get("threshold") is None else json.dumps(p["threshold"]), event.envelope.occurred_at,
            )
        elif event.event_type == "NotificationAcknowledged":
            await conn.execute(
                "UPDATE notifications SET acknowledged_at = $2, acknowledged_by = $3"
                " WHERE notification_id = $1 AND acknowledged_at IS NULL",
                UUID(p["notification_id"]), datetime.fromisoformat(p["acknowledged_at"]), p["acknowledged_by"],
            )
        elif event.event_type == "NotificationDeliveryFailed":
            await conn.execute(
                "UPDATE notifications SET delivery_failures = delivery_failures + 1, last_failure = $2"
                " WHERE notification_id = $1", UUID(p["notification_id"]), p["failure"],
            )


def _uuid(value: Any) -> UUID | None:
    return None if value is None else UUID(str(value))


@dataclass(frozen=True, slots=True)
class InboxEntry:
    notification_id: UUID
    pupil_ref: UUID | None
    rule_name: str
    audience: str
    recipient_organisation_id: str
    channel: str
    cause_event_id: UUID
    template_id: str
    threshold: dict[str, Any] | None
    sent_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    delivery_failures: int


async def notifications_for(
    conn: asyncpg.Connection, organisation_id: str, audiences: Collection[str], unacknowledged_only: bool,
    limit: int, excluded_rules: Collection[str] = (),
) -> list[InboxEntry]:
    """An organisation's notifications for the given audiences, newest first, without ``excluded_rules``."""
    rows = await conn.fetch(
        "SELECT * FROM notifications WHERE recipient_organisation_id = $1 AND audience = ANY($2::text[])"
        " AND (NOT $3 OR acknowledged_at IS NULL) AND rule_name <> ALL($5::text[])"
        " ORDER BY sent_at DESC, notification_id LIMIT $4",
        organisation_id, list(audiences), unacknowledged_only, limit, list(excluded_rules),
    )
    return [
        InboxEntry(
            notification_id=r["notification_id"], pupil_ref=r["pupil_ref"], rule_name=r["rule_name"],
            audience=r["audience"], recipient_organisation_id=r["recipient_organisation_id"], channel=r["channel"],
            cause_event_id=r["cause_event_id"], template_id=r["template_id"],
            threshold=None if r["threshold"] is None else json.loads(r["threshold"]), sent_at=r["sent_at"],
            acknowledged_at=r["acknowledged_at"], acknowledged_by=r["acknowledged_by"],
            delivery_failures=r["delivery_failures"],
        )
        for r in rows
    ]
