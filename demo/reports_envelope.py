"""The envelope the event store would give a synthetic event, recorded when the synthetic LA is loaded, and a
projection of another service applying the events as its runner would (``apply_events``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import asyncpg

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.events.base import DomainEvent
from ap_runtime.projection import Projection, ReceivedEvent
from ap_runtime.projection.store import ensure_registered


def as_loaded(event: DomainEvent, loaded_at: datetime, *, event_id: UUID | None = None,
              stream_version: int = 1) -> EventEnvelope:
    """A pupil-record event's envelope carries its record id as the event id (reinstatements and corrections
    name the record by it); the read models keep each fact's recorded moment for reports as at a day, and
    every report here is as at today. A budget's events give their own ids and versions on its stream (its
    reports show how far the stream was applied)."""
    event_id = getattr(event, "record_id", None) or event_id or uuid4()
    return EventEnvelope(event_id=event_id, event_type=type(event).__name__, schema_version=1,
                         stream_id="synthetic-la", stream_version=stream_version, occurred_at=loaded_at,
                         recorded_at=loaded_at, actor=Actor(user_id="synthetic-la", organisation_id="synthetic-la"),
                         organisation_id="synthetic-la", correlation_id=uuid4(), payload={})


async def apply_events(pool: asyncpg.Pool, projection: Projection, events: Sequence[DomainEvent],
                       recorded: Callable[[DomainEvent], datetime]) -> None:
    """Register the projection's read model in the pool's database and apply the events of its topics in order,
    each recorded at ``recorded(event)``, with an id and a stream version drawn from its place (the same events
    give the same read model)."""
    schema = await ensure_registered(pool, projection)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {schema}, public")  # the registry's own schema name
        for offset, event in enumerate(e for e in events if e.topic in projection.topics):
            envelope = as_loaded(event, recorded(event), stream_version=offset + 1,
                                 event_id=uuid5(NAMESPACE_URL, f"synthetic-la/{projection.name}/{offset}"))
            await projection.apply(conn, ReceivedEvent(envelope, event.model_dump(mode="json"), event.topic, 0, offset))
