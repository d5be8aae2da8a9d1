"""The ``finance_directory`` read model: display names and places of the registered organisations.

Rule served (issue 12, "Names"): reports a person reads show an organisation's name beside its id (the
host school, the Partnership, the schools of an allocation, the LA). The incidents service keeps the
register of organisations (``OrganisationRegistered`` on stream ``organisation-<id>``); finance keeps
this copy of it from ``ap.incidents.events``: id, kind, display name, the LA and the partnership each
organisation belongs to. Organisations hold no pupil data; nothing else of the incidents topic is kept.
A later registration of the same organisation replaces its row, as it replaces its facts at the source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import asyncpg

from ap_contracts.topics import INCIDENTS_EVENTS
from ap_runtime.projection import Projection, ReceivedEvent

DIRECTORY_DDL = """
CREATE TABLE IF NOT EXISTS organisation_directory (
    organisation_id    text PRIMARY KEY,
    kind               text NOT NULL,
    name               text,
    local_authority_id text,
    partnership_id     text
);
"""


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


class OrganisationDirectoryProjection(Projection):
    """Each registered organisation's kind, display name, LA and partnership (topic: incidents events)."""

    name = "finance_directory"
    topics = (INCIDENTS_EVENTS,)
    ddl = DIRECTORY_DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        if event.event_type != "OrganisationRegistered":
            return
        payload = event.payload
        await conn.execute(
            "INSERT INTO organisation_directory (organisation_id, kind, name, local_authority_id, partnership_id)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organisation_id) DO UPDATE SET kind = EXCLUDED.kind,"
            " name = EXCLUDED.name, local_authority_id = EXCLUDED.local_authority_id,"
            " partnership_id = EXCLUDED.partnership_id",
            str(payload["organisation_id"]), str(payload["kind"]), _optional(payload.get("name")),
            _optional(payload.get("local_authority_id")), _optional(payload.get("partnership_id")),
        )


async def organisation_names(conn: asyncpg.Connection, organisation_ids: Iterable[str],
                             partnership_id: str | None = None) -> Mapping[str, str]:
    """The display names registered for ``organisation_ids`` and for the organisations of ``partnership_id``
    (the schools an allocation may name, even one whose share is nil); ids without a name are left out.

    An empty answer when the directory has not been built in this database yet: names are shown when
    known, and reports stay readable (ids, marked as unnamed) without them.
    """
    # Asked first rather than caught: a failed statement would end the caller's read transaction.
    if await conn.fetchval("SELECT to_regclass('organisation_directory')") is None:
        return {}
    rows = await conn.fetch(
        "SELECT organisation_id, name FROM organisation_directory"
        " WHERE (organisation_id = ANY($1::text[]) OR partnership_id = $2) AND name IS NOT NULL",
        sorted(set(organisation_ids)), partnership_id,
    )
    return {str(r["organisation_id"]): str(r["name"]) for r in rows}
