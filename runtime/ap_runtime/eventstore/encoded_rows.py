"""The relay's read of stored events, shared by ``EventStore.read_all_encoded`` and ``relay_reads``.

Rule served (issue 10, "Copies"): the expression that renders each envelope as JSON in PostgreSQL (the
relay's fast path: no Python model per event) is written once. The two reads differ in their commit
horizon (see ``eventstore/schema.py`` and ``relay_reads``) and in their other columns: the relay's are
the record's values already rendered (``relay_records``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ap_runtime.eventstore.models import EncodedEvent

ENVELOPE_JSON = (
    "json_build_object('event_id', event_id, 'event_type', event_type, 'schema_version', schema_version,"
    "   'stream_id', stream_id, 'stream_version', stream_version, 'occurred_at', occurred_at,"
    "   'recorded_at', recorded_at, 'actor', actor, 'organisation_id', organisation_id,"
    "   'correlation_id', correlation_id, 'causation_id', causation_id, 'pii_subject', pii_subject,"
    "   'payload', payload)::text"
)
"""The envelope (the fields of ``EventEnvelope``) as JSON text, of a row of ``events``."""

ENCODED_COLUMNS = (
    "transaction_id::text::bigint AS t, position, stream_id, event_type, schema_version,"
    f" event_id, correlation_id, causation_id, occurred_at, {ENVELOPE_JSON} AS envelope"
)
"""The routing columns and the envelope as JSON text, of ``events``."""


def encoded_event(row: Mapping[str, Any]) -> EncodedEvent:
    """One row selected with ``ENCODED_COLUMNS`` as the relay publishes it."""
    return EncodedEvent(row["t"], row["position"], row["stream_id"], row["event_type"], row["schema_version"],
                        row["event_id"], row["correlation_id"], row["causation_id"], row["envelope"].encode(),
                        row["occurred_at"])
