"""The clear facts of every suspension and permanent exclusion the governing board must consider, straight
from the incidents event store (issue 16): the exclusion events, with later amendments of their clear fields
applied, less those withdrawn in error and the permanent exclusions the board reinstated.

Reads the store's own ``events`` table, as the notifications transfer index does, because no projection keeps
exclusions; only clear (non-personal) payload fields are read, so no narrative is ever decrypted here.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg

ISSUED = ("PermanentExclusionIssued", "SuspensionIssued")

_FACTS = """
SELECT event_type, payload FROM events
WHERE event_type = ANY($1::text[])
   OR (event_type IN ('RecordAmended', 'RecordWithdrawnInError') AND payload->>'target_event_type' = ANY($1::text[]))
   OR event_type = 'PermanentExclusionReinstated'
ORDER BY position
"""


def _payload(raw: Any) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else dict(raw)
    return payload


async def exclusion_facts(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """Each standing exclusion's clear payload (``event_type`` added), in the order they were recorded."""
    standing: dict[str, dict[str, Any]] = {}
    for row in await pool.fetch(_FACTS, list(ISSUED)):
        payload = _payload(row["payload"])
        kind = row["event_type"]
        if kind in ISSUED:
            standing[str(payload["record_id"])] = {**payload, "event_type": kind}
        elif kind == "RecordAmended":
            target = standing.get(str(payload["target_record_id"]))
            if target is not None:
                target.update(payload.get("corrected_values") or {})
        elif kind == "RecordWithdrawnInError":
            standing.pop(str(payload["target_record_id"]), None)
        else:
            standing.pop(str(payload["exclusion_record_id"]), None)
    return list(standing.values())
