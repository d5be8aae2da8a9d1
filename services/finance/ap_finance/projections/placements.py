"""The ``placement_costs`` read model: which placements ran at each provision, and when.

Consumes the incidents service's placement events without personal data: only the placement id,
the provision and the dates are kept, never ``pupil_ref`` or anything else about the pupil. The
costs themselves are computed at report time (``ap_finance.reports.placement_costs``) from these
dates and the ledger's actual spend.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ap_contracts.topics import INCIDENTS_EVENTS
from ap_runtime.projection import Projection, ReceivedEvent

PLACEMENTS_DDL = """
CREATE TABLE IF NOT EXISTS placements (
    placement_id uuid PRIMARY KEY,
    provision_id text,
    start_date   date,
    end_date     date
);
CREATE INDEX IF NOT EXISTS placements_provision ON placements (provision_id);
"""


def _day(payload: dict[str, Any], field: str) -> date:
    return date.fromisoformat(str(payload[field]))


class PlacementCostsProjection(Projection):
    """Placement periods by provision, from PlacementStarted and PlacementEnded (topic: incidents events)."""

    name = "placement_costs"
    topics = (INCIDENTS_EVENTS,)
    ddl = PLACEMENTS_DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        payload = event.payload
        if event.event_type == "PlacementStarted":
            # Upsert: a redelivered or late start must not lose an end already recorded.
            await conn.execute(
                "INSERT INTO placements (placement_id, provision_id, start_date) VALUES ($1, $2, $3)"
                " ON CONFLICT (placement_id) DO UPDATE SET provision_id = EXCLUDED.provision_id,"
                " start_date = EXCLUDED.start_date",
                _uuid(payload["placement_id"]), str(payload["provision_id"]), _day(payload, "start_date"),
            )
        elif event.event_type == "PlacementEnded":
            await conn.execute(
                "INSERT INTO placements (placement_id, end_date) VALUES ($1, $2)"
                " ON CONFLICT (placement_id) DO UPDATE SET end_date = EXCLUDED.end_date",
                _uuid(payload["placement_id"]), _day(payload, "end_date"),
            )


def _uuid(value: object) -> UUID:
    return UUID(str(value))
