"""Read model of the SLA review check (issue 13): each agreement's next review date and the event that set it,
from ``SlaVersionAgreed`` and ``SlaReviewCompleted`` on ``ap.commissioning.events`` (an agreement's events share
its stream, so they arrive in order and the latest sets the date). Organisation ids, dates and event ids only."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

import asyncpg

from ap_contracts.topics import COMMISSIONING_EVENTS
from ap_notifications.domain.sla_review_alerts import SlaReviewDue
from ap_runtime.projection import Projection, ReceivedEvent

SLA_REVIEWS_DDL = """
CREATE TABLE IF NOT EXISTS sla_reviews_due (
    provision_id    text NOT NULL,
    commissioner_id text NOT NULL,
    due_on          date NOT NULL,
    set_by_event_id uuid NOT NULL,
    PRIMARY KEY (provision_id, commissioner_id)
);
"""
_SETTING_EVENTS = frozenset({"SlaVersionAgreed", "SlaReviewCompleted"})


class SlaReviewsProjection(Projection):
    name: ClassVar[str] = "notification_sla_reviews"
    topics = (COMMISSIONING_EVENTS,)
    ddl: ClassVar[str] = SLA_REVIEWS_DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        payload = event.payload
        if event.event_type not in _SETTING_EVENTS or payload.get("next_review_on") is None:
            return  # an agreement recorded before it stated its next review keeps the date it had
        await conn.execute(
            "INSERT INTO sla_reviews_due VALUES ($1, $2, $3, $4) ON CONFLICT (provision_id, commissioner_id)"
            " DO UPDATE SET due_on = EXCLUDED.due_on, set_by_event_id = EXCLUDED.set_by_event_id",
            str(payload["provision_id"]), str(payload["commissioner_id"]),
            date.fromisoformat(str(payload["next_review_on"])), event.envelope.event_id)


async def reviews_past_due(conn: asyncpg.Connection, today: date) -> list[SlaReviewDue]:
    """Every agreement whose next review date is before ``today``."""
    rows = await conn.fetch("SELECT * FROM sla_reviews_due WHERE due_on < $1 ORDER BY provision_id, commissioner_id",
                            today)
    return [SlaReviewDue(r["provision_id"], r["commissioner_id"], r["due_on"], UUID(str(r["set_by_event_id"])))
            for r in rows]
