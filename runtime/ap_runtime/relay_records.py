"""The relay's records built from its read's rows, every value rendered by PostgreSQL (issue 11, Python per event).

The read (``relay_reads``) selects exactly what a record carries, rendered as text by PostgreSQL: the
key, the envelope JSON and the header values, ``ce_time`` formatted as ``datetime.isoformat``
formats a UTC time (the microseconds left out when there are none). Formatting that time in Python
cost about 3-5 us an event; decoding the ids as ``UUID`` and the time as ``datetime`` only to render
them again as text cost more. The headers are ``ap_runtime.kafka.record_headers``, as for any event.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import asyncpg

from ap_contracts.events.base import event_model
from ap_runtime.eventstore.encoded_rows import ENVELOPE_JSON
from ap_runtime.kafka import record_headers
from ap_runtime.relay_batches import Record

_CE_TIME = (
    "to_char(occurred_at AT TIME ZONE 'UTC', CASE WHEN date_trunc('second', occurred_at) = occurred_at"
    """ THEN 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"' ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"' END)"""
)
RELAYED_COLUMNS = (
    "transaction_id::text::bigint AS t, position, event_type, schema_version, stream_id, event_id::text,"
    f" correlation_id::text, causation_id::text, {_CE_TIME}, {ENVELOPE_JSON}"
)
"""Of ``events``: the checkpoint, the event's type and the record's values as text (``relayed_records``)."""


@functools.lru_cache(maxsize=1024)
def contract_topic(event_type: str, schema_version: int) -> str:
    """The topic an event type's contract names."""
    topic: str = event_model(event_type, schema_version).topic
    return topic


def relayed_records(rows: Sequence[asyncpg.Record], topic_override: str | None) -> list[Record]:
    """Each row (``RELAYED_COLUMNS``) as the record the relay sends: topic, key (stream id), envelope, headers."""
    records: list[Record] = []
    for _t, _position, event_type, version, stream_id, event_id, correlation_id, causation_id, ce_time, value in rows:
        topic = topic_override or contract_topic(event_type, version)
        key, event_id_bytes = stream_id.encode(), event_id.encode()
        headers = record_headers(event_type, version, topic, event_id_bytes, correlation_id.encode(),
                                 None if causation_id is None else causation_id.encode(), ce_time.encode(), key)
        records.append((topic, key, value.encode(), headers))
    return records
