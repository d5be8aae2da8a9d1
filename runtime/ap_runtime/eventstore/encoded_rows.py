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

# The JSON json_build_object renders, byte for byte, put together by concatenation: json_build_object
# looks up how to render each of its 26 arguments again for every row, about 5 us of the relay's
# PostgreSQL time per event (issue 11); ``||`` makes a NULL in a NOT NULL column a NULL envelope, not bad JSON.
ENVELOPE_JSON = (
    "'{\"event_id\" : \"' || event_id::text || '\", \"event_type\" : ' || to_json(event_type)::text"
    " || ', \"schema_version\" : ' || schema_version::text || ', \"stream_id\" : ' || to_json(stream_id)::text"
    " || ', \"stream_version\" : ' || stream_version::text || ', \"occurred_at\" : ' || to_json(occurred_at)::text"
    " || ', \"recorded_at\" : ' || to_json(recorded_at)::text || ', \"actor\" : ' || actor::text"
    " || ', \"organisation_id\" : ' || to_json(organisation_id)::text"
    " || ', \"correlation_id\" : \"' || correlation_id::text"
    " || '\", \"causation_id\" : ' || coalesce('\"' || causation_id::text || '\"', 'null')"
    " || ', \"pii_subject\" : ' || coalesce(to_json(pii_subject)::text, 'null')"
    " || ', \"payload\" : ' || payload::text || '}'"
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
