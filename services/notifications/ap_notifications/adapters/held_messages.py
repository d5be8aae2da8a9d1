"""Messages waiting for their time (issue 14): daily digests and quiet hours, on the notifications database.

A batch is one message to come: a digest (many alerts for one recipient) or one alert held for quiet hours.
Each alert is held at most once (its notification id is the key), in exactly one batch; once the batch is
delivered its copies are deleted and the delivery ledger, which then counts each alert delivered, keeps a
replayed alert from being held again. Closing a batch and
adding to it are serialised on the batch's row (``FOR SHARE`` against the closing ``UPDATE``): an alert recorded
while its digest is being closed goes into the next day's digest instead of being lost between the two.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from ap_contracts.events.notifications import Audience
from ap_notifications.application.digests import Batch
from ap_notifications.application.ports import OutboundMessage

DDL = """
CREATE TABLE IF NOT EXISTS notification_batches (
    batch_id                  uuid PRIMARY KEY,
    kind                      text NOT NULL CHECK (kind IN ('digest', 'held')),
    recipient_organisation_id text NOT NULL,
    audience                  text NOT NULL,
    due_at                    timestamptz NOT NULL,
    closed                    boolean NOT NULL DEFAULT false,
    delivered                 boolean NOT NULL DEFAULT false,
    failed_attempts           integer NOT NULL DEFAULT 0,
    given_up                  boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS notification_batches_open ON notification_batches (due_at) WHERE NOT delivered;
CREATE TABLE IF NOT EXISTS notification_held (
    position   bigint GENERATED ALWAYS AS IDENTITY,
    message_id uuid PRIMARY KEY,
    batch_id   uuid NOT NULL REFERENCES notification_batches (batch_id),
    message    jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS notification_held_batch ON notification_held (batch_id, position);
"""


async def migrate_held_messages(pool: asyncpg.Pool) -> None:
    """Create the tables if missing, safe from several processes starting at once (as the ledger)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ap_notifications.held.migrate'))")
        await conn.execute(DDL)


def outbound_from_json(data: dict[str, Any]) -> OutboundMessage:
    """The message as ``OutboundMessage.as_json`` wrote it."""
    return OutboundMessage(
        notification_id=UUID(data["notification_id"]), rule_name=data["rule_name"], template_id=data["template_id"],
        audience=Audience(data["audience"]), recipient_organisation_id=data["recipient_organisation_id"],
        pupil_ref=_uuid(data["pupil_ref"]), cause_event_id=_uuid(data["cause_event_id"]),
        cause_event_type=data["cause_event_type"], priority=data["priority"], link_path=data["link_path"],
        subject=data["subject"], body=data["body"], threshold=data["threshold"],
        incident_severity=data["incident_severity"], recipient_role=data.get("recipient_role"),
        notification_of=_uuid(data.get("notification_of")),
    )


def _uuid(value: str | None) -> UUID | None:
    return None if value is None else UUID(value)


def _document(value: str | dict[str, Any]) -> dict[str, Any]:
    """A ``jsonb`` value as asyncpg returns it: text, unless the pool registered a JSON codec."""
    return json.loads(value) if isinstance(value, str) else value


BatchFor = Callable[[datetime], tuple[UUID, datetime]]
"""Given a due time whose batch is closed, the next batch (its id and due time)."""


class PostgresHeldMessages:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def hold(self, message: OutboundMessage, kind: str, batch_id: UUID, due_at: datetime,
                   next_batch: BatchFor) -> UUID:
        """Put the message in its batch (or, when that one is closed already, the next); returns the batch id.

        Holding the same message again changes nothing: it stays in the batch it was first put in.
        """
        async with self._pool.acquire() as conn, conn.transaction():
            while True:
                await conn.execute(
                    "INSERT INTO notification_batches (batch_id, kind, recipient_organisation_id, audience, due_at)"
                    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (batch_id) DO NOTHING",
                    batch_id, kind, message.recipient_organisation_id, message.audience.value, due_at)
                closed = await conn.fetchval(
                    "SELECT closed FROM notification_batches WHERE batch_id = $1 FOR SHARE", batch_id)
                if not closed:
                    break
                batch_id, due_at = next_batch(due_at)
            await conn.execute(
                "INSERT INTO notification_held (message_id, batch_id, message) VALUES ($1, $2, $3::jsonb)"
                " ON CONFLICT (message_id) DO NOTHING",
                message.notification_id, batch_id, json.dumps(message.as_json()))
            held_in: UUID = await conn.fetchval(
                "SELECT batch_id FROM notification_held WHERE message_id = $1", message.notification_id)
        return held_in

    async def due(self, now: datetime) -> list[Batch]:
        """Close every batch due by ``now`` and return the closed batches not yet delivered, oldest first."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "UPDATE notification_batches SET closed = true WHERE due_at <= $1 AND NOT closed", now)
            batches = await conn.fetch(
                "SELECT batch_id, kind, recipient_organisation_id FROM notification_batches"
                " WHERE closed AND NOT delivered AND NOT given_up ORDER BY due_at, batch_id")
            found = []
            for b in batches:
                rows = await conn.fetch(
                    "SELECT message FROM notification_held WHERE batch_id = $1 ORDER BY position", b["batch_id"])
                messages = tuple(outbound_from_json(_document(r["message"])) for r in rows)
                found.append(Batch(b["batch_id"], b["kind"], b["recipient_organisation_id"], messages))
        return found

    async def claim(self, batch_id: UUID, now: datetime, backoff_minutes: tuple[int, ...]) -> bool:
        """Take the batch for one delivery attempt at ``now``; False when it is not due (a failed one waits its
        backoff) or another check took it first.

        Two checks at once both list a batch; the row lock of this ``UPDATE`` lets one through, and the other,
        re-reading the row, finds it due later. The due time moves to when the attempt after this one would
        be (``retry_backoff_minutes``), so a check that dies after claiming leaves it to be tried then.
        """
        claimed = await self._pool.fetchval(
            "UPDATE notification_batches SET due_at = $2 + make_interval(mins =>"
            " ($3::int[])[LEAST(failed_attempts + 1, cardinality($3::int[]))])"
            " WHERE batch_id = $1 AND due_at <= $2 AND NOT delivered AND NOT given_up RETURNING batch_id",
            batch_id, now, list(backoff_minutes))
        return claimed is not None

    async def pending(self, message_id: UUID) -> bool:
        """Whether the message waits in a batch not yet delivered nor given up (it is sent from there)."""
        found = await self._pool.fetchval(
            "SELECT 1 FROM notification_held h JOIN notification_batches b USING (batch_id)"
            " WHERE h.message_id = $1 AND NOT b.delivered AND NOT b.given_up", message_id)
        return found is not None

    async def held_alone(self, message_id: UUID) -> bool:
        """Whether a batch of the message alone exists (a retry or a quiet-hours hold), delivered, given up or
        waiting: the periodic check owns its delivery from then on (its batch id is the message id)."""
        found = await self._pool.fetchval(
            "SELECT 1 FROM notification_batches WHERE batch_id = $1 AND kind = 'held'", message_id)
        return found is not None

    async def forget_pupil(self, pupil_ref: UUID) -> int:
        """Erasure reaches the copies waiting for their time: the messages about the pupil are deleted, never sent.

        A copy holds no name or narrative (the message shows the pupil by reference only), but it ties the reference
        to what happened and would go out after the erasure. A batch left empty is closed as sent by the release.
        """
        status: str = await self._pool.execute(
            "DELETE FROM notification_held h USING notification_batches b WHERE b.batch_id = h.batch_id"
            " AND NOT b.delivered AND h.message->>'pupil_ref' = $1", str(pupil_ref))
        return int(status.split()[-1])

    async def record_failure(self, batch_id: UUID, max_attempts: int) -> int:
        """Count a failed delivery of the batch; at ``max_attempts`` it is given up (and its copies deleted)."""
        async with self._pool.acquire() as conn, conn.transaction():
            attempts: int = await conn.fetchval(
                "UPDATE notification_batches SET failed_attempts = failed_attempts + 1,"
                " given_up = failed_attempts + 1 >= $2 WHERE batch_id = $1 RETURNING failed_attempts",
                batch_id, max_attempts)
            if attempts >= max_attempts:
                await conn.execute("DELETE FROM notification_held WHERE batch_id = $1", batch_id)
        return attempts

    async def mark_delivered(self, batch_id: UUID) -> None:
        """The batch went: its copies of the messages are deleted (the ledger now answers for each alert)."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("UPDATE notification_batches SET delivered = true WHERE batch_id = $1", batch_id)
            await conn.execute("DELETE FROM notification_held WHERE batch_id = $1", batch_id)
