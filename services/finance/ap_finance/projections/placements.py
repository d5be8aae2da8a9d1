"""The ``placement_costs`` read model: which placements ran at each provision, and when.

Consumes the incidents service's placement events without personal data: only the placement id,
the provision and the dates are kept, never ``pupil_ref`` or anything else about the pupil. The
costs themselves are computed at report time (``ap_finance.reports.placement_costs``) from these
dates and the ledger's actual spend.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ap_contracts.topics import INCIDENTS_EVENTS
from ap_finance.projections.placement_rows import PlacementColumns, apply_placement_event, payload_day
from ap_runtime.projection import Projection, ReceivedEvent

PLACEMENTS_DDL = """
CREATE TABLE IF NOT EXISTS placements (
    placement_id uuid PRIMARY KEY,
    provision_id text,
    start_date   date,
    end_date     date
);
CREATE INDEX IF NOT EXISTS placements_provision ON placements (provision_id);
ALTER TABLE placements ADD COLUMN IF NOT EXISTS start_recorded_at timestamptz;
ALTER TABLE placements ADD COLUMN IF NOT EXISTS end_recorded_at timestamptz;
"""
# When each date was recorded (the event's envelope), so a report as recorded by a moment counts only the
# placements, and ends, known by then (issue 15). Rows projected before these columns have NULL: rebuild.
_RECORDED = {
    "PlacementStarted": "UPDATE placements SET start_recorded_at = $2 WHERE placement_id = $1",
    "PlacementEnded": "UPDATE placements SET end_recorded_at = $2 WHERE placement_id = $1",
}


_COLUMNS: PlacementColumns = {
    "PlacementStarted": lambda p: {"provision_id": str(p["provision_id"]), "start_date": payload_day(p, "start_date")},
    "PlacementEnded": lambda p: {"end_date": payload_day(p, "end_date")},
}


class PlacementCostsProjection(Projection):
    """Placement periods by provision, from PlacementStarted and PlacementEnded (topic: incidents events)."""

    name = "placement_costs"
    topics = (INCIDENTS_EVENTS,)
    ddl = PLACEMENTS_DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        if await apply_placement_event(conn, "placements", event, _COLUMNS):
            await conn.execute(_RECORDED[event.event_type], UUID(str(event.payload["placement_id"])),
                               event.envelope.recorded_at)
