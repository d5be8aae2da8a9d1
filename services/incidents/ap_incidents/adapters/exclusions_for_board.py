"""The exclusions-for-board read model in PostgreSQL: the application's ``ExclusionsForBoardReadModel`` port.

One indexed read of the projection's serving schema per request (the awaiting rows of the authority's schools),
instead of the event-store scan it replaced (issue 16).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import asyncpg

from ap_incidents.application.ports import Row
from ap_incidents.projections.exclusions_for_board import ExclusionsForBoardProjection
from ap_runtime.projection import read_model

_AWAITING = """
SELECT e.record_id, e.pupil_ref, e.kind, e.home_school_id, e.facts
  FROM exclusions_for_board e
  JOIN register_organisations o ON o.organisation_id = e.home_school_id
 WHERE e.decision IS NULL AND NOT e.withdrawn AND o.local_authority_id = $1
"""


@dataclass(frozen=True, slots=True)
class PostgresExclusionsForBoard:
    pool: asyncpg.Pool

    async def awaiting(self, local_authority_id: str) -> list[Row]:
        async with read_model(self.pool, ExclusionsForBoardProjection.name) as conn:
            rows = await conn.fetch(_AWAITING, local_authority_id)
        return [{"record_id": r["record_id"], "pupil_ref": r["pupil_ref"], "kind": r["kind"],
                 "home_school_id": r["home_school_id"], **json.loads(r["facts"])} for r in rows]
