"""The relay's reads and checkpoint writes, on the connection that holds its leadership.

The commit-safe read of ``EventStore.read_all_encoded`` (see ``eventstore/schema.py``), on one given
connection (a leader that lost its session can neither read a batch nor record a checkpoint), with a
horizon that only this database's open transactions hold back (``_READ``'s first lines).
"""

from __future__ import annotations

import asyncpg

from ap_runtime.eventstore.models import Checkpoint
from ap_runtime.relay_records import RELAYED_COLUMNS

# The commit horizon (the WITH part): the oldest transaction in progress in this snapshot (else its
# xmax), leaving out transactions known to run in another database. They can never add rows to this database's events,
# yet with ``pg_snapshot_xmin`` any of them (a long report, a DROP DATABASE, another service's append)
# held every relay on the server back. Only an id positively seen in another database is left out:
# one that ended since the snapshot is not seen, so it still counts, which can only delay, never skip.
_READ = (
    "WITH snap AS (SELECT pg_current_snapshot() AS s),"  # noqa: S608  # nosec B608 - constant select list
    " horizon AS (SELECT coalesce(("
    "   SELECT min(x) FROM snap, pg_snapshot_xip(snap.s) AS x"
    "   WHERE xid(x) NOT IN (SELECT backend_xid FROM pg_stat_activity"
    "                        WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database())"
    " ), (SELECT pg_snapshot_xmax(s) FROM snap)) AS h)"
    f" SELECT {RELAYED_COLUMNS}"
    " FROM events, horizon WHERE (transaction_id, position) > ($1::text::xid8, $2)"
    "   AND transaction_id < horizon.h"
    " ORDER BY transaction_id, position LIMIT $3"
)

# Far above a batch's read on a loaded server; a leader whose statement takes longer steps down.
STATEMENT_TIMEOUT_SECONDS = 30.0

# Monotonic: a checkpoint never moves back (a stale writer could only cause re-sends, never a gap).
_SAVE = (
    "INSERT INTO relay_checkpoints (relay, transaction_id, position, published)"
    " VALUES ($1, $2::text::xid8, $3, $4)"
    " ON CONFLICT (relay) DO UPDATE SET transaction_id = EXCLUDED.transaction_id,"
    " position = EXCLUDED.position, published = relay_checkpoints.published + $4, updated_at = now()"
    " WHERE (relay_checkpoints.transaction_id, relay_checkpoints.position)"
    "     < (EXCLUDED.transaction_id, EXCLUDED.position)"
)


async def read_batch(conn: asyncpg.Connection, after: Checkpoint, limit: int) -> list[asyncpg.Record]:
    """Events after ``after`` in commit-safe global order, as ``RELAYED_COLUMNS`` (``relay_records``)."""
    rows: list[asyncpg.Record] = await conn.fetch(_READ, str(after.transaction_id), after.position, limit,
                                                  timeout=STATEMENT_TIMEOUT_SECONDS)
    return rows


def checkpoint_after(rows: list[asyncpg.Record]) -> Checkpoint:
    """Where a read that returned ``rows`` (not empty) ends."""
    return Checkpoint(rows[-1][0], rows[-1][1])


async def load_checkpoint(conn: asyncpg.Connection, relay: str) -> Checkpoint:
    row = await conn.fetchrow(
        "SELECT transaction_id::text::bigint AS t, position FROM relay_checkpoints WHERE relay = $1", relay)
    return Checkpoint() if row is None else Checkpoint(row["t"], row["position"])


async def save_checkpoint(conn: asyncpg.Connection, relay: str, cp: Checkpoint, published: int) -> None:
    await conn.execute(_SAVE, relay, str(cp.transaction_id), cp.position, published, timeout=STATEMENT_TIMEOUT_SECONDS)
