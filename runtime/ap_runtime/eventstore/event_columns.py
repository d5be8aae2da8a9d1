"""An append's events as the column arrays its statement takes, payloads sealed.

One place for what every append statement writes of an event (``EventStore``'s own and the grouped appends of
concurrent commands, ``grouped_appends``): each adds its own columns (stream, versions, command) around these.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from ap_runtime.eventstore.codec import EventCodec, PlaintextCodec, seal_all
from ap_runtime.eventstore.json_columns import actors_json, payloads_json
from ap_runtime.eventstore.models import NewEvent


class EventColumns(NamedTuple):
    event_ids: list[UUID]
    event_types: list[str]
    schema_versions: list[int]
    occurred_at: list[datetime]
    organisations: list[str]
    actors: list[str]
    correlations: list[UUID]
    causations: list[UUID | None]
    pii_subjects: list[str | None]
    payloads: list[str]


async def sealed_columns(codec: EventCodec, events: Sequence[NewEvent]) -> EventColumns:
    """``events``' columns in order, each payload sealed by ``codec`` (raises what sealing raises)."""
    models = [e.event for e in events]
    if type(codec) is PlaintextCodec:  # exactly: a subclass may seal otherwise
        payloads = codec.seal_json_many(models)
    else:
        payloads = payloads_json(models, await seal_all(codec, models))
    return EventColumns(
        [e.event_id for e in events], [m.event_type for m in models], [m.schema_version for m in models],
        [e.occurred_at for e in events], [e.organisation_id for e in events], actors_json(e.actor for e in events),
        [e.correlation_id for e in events], [e.causation_id for e in events], [m.pii_subject() for m in models],
        payloads,
    )
