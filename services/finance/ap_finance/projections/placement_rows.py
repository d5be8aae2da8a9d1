"""One placement's row in a finance read model, inserted or updated by placement id.

Rule served: a placement's events arrive in its stream's order, but a rebuilt or redelivered batch may bring a
later event's row first; each event sets only its own columns, so none loses what another recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ap_runtime.projection import ReceivedEvent

PlacementColumns = Mapping[str, Callable[[dict[str, Any]], Mapping[str, object]]]
"""event type -> the columns of the placement's row its payload sets"""


def payload_day(payload: Mapping[str, Any], name: str) -> date:
    """A date field of an event's payload (ISO text on the wire)."""
    return date.fromisoformat(str(payload[name]))


async def upsert_placement(conn: asyncpg.Connection, table: str, placement_id: UUID,
                           columns: Mapping[str, object]) -> None:
    """Set ``columns`` on ``table``'s row of ``placement_id``, creating the row if needed (the table and column
    names are the calling projection's constants, never a caller's)."""
    names = list(columns)
    values = ", ".join(f"${n}" for n in range(2, len(names) + 2))
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in names)
    # Table and column names are the projection's constants (never a caller's); values are parameters.
    statement = (f"INSERT INTO {table} (placement_id, {', '.join(names)}) VALUES ($1, {values})"  # noqa: S608  # nosec B608 - projection constants only
                 f" ON CONFLICT (placement_id) DO UPDATE SET {updates}")
    await conn.execute(statement, placement_id, *columns.values())


async def apply_placement_event(conn: asyncpg.Connection, table: str, event: ReceivedEvent,
                                columns: PlacementColumns) -> bool:
    """Set the columns ``event``'s type sets on its placement's row; False for an event of another type."""
    of = columns.get(event.event_type)
    if of is None:
        return False
    await upsert_placement(conn, table, UUID(str(event.payload["placement_id"])), of(event.payload))
    return True
