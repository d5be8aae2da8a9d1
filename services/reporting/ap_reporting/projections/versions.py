"""Facts kept as recorded over time, so that a report "as recorded by" a moment is a WHERE, not a replay.

Rule served (issue 15, point in time): a report as at a date is built only from the facts recorded by the
end of that date, and producing it again gives the same figures whatever was recorded since. So no fact
row is ever changed or deleted in place: each row is one version of a fact, carrying the moment the event
that made it was recorded (``recorded_at``, from the event store, the same on every replay) and the moment
a later event replaced or withdrew it (``superseded_at``, NULL while current). An amendment closes the
current version and adds the amended one; a withdrawal or an erasure of data recorded in error closes it.

Readers never name the tables: each has a view ``<table>_as_recorded`` holding the versions current at the
moment the reading transaction set (``as_recorded_by``), or the current versions when it set none. The
projections write the versions a batch at a time (``version_batch``).

Read models made before this change gain the columns (``migration``): their rows count as recorded at
every moment (``-infinity``) until the projection is rebuilt into a new generation, which gives each row
its event's recorded time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

SETTING = "ap_reporting.recorded_by"
_MOMENT = f"coalesce(nullif(current_setting('{SETTING}', true), ''), 'infinity')::timestamptz"
_VISIBLE = f"recorded_at <= {_MOMENT} AND (superseded_at IS NULL OR superseded_at > {_MOMENT})"


def versioned(table: str, current_key: Sequence[str], old_unique: Sequence[str] = ()) -> str:
    """DDL that makes ``table`` (created without a primary key) a table of versions: the columns, the key of
    its current versions, and its view as recorded by the reader's moment. ``old_unique`` names the
    constraints the table had before it kept versions (dropped, since a key repeats across versions)."""
    drops = "".join(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name};\n"
                    for name in (f"{table}_pkey", *old_unique))
    view = f"CREATE OR REPLACE VIEW {table}_as_recorded AS SELECT * FROM {table} WHERE {_VISIBLE};\n"  # noqa: S608  # nosec B608 - table names are constants of the schema
    return (
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS recorded_at timestamptz NOT NULL DEFAULT '-infinity';\n"
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS superseded_at timestamptz;\n{drops}"
        f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_current ON {table} ({', '.join(current_key)})"
        f" WHERE superseded_at IS NULL;\n{view}"
    )


async def as_recorded_by(conn: asyncpg.Connection, moment: datetime | None) -> None:
    """Make this transaction's ``*_as_recorded`` views show the facts as recorded by ``moment`` (None: now)."""
    if moment is not None:
        if moment.tzinfo is None:
            raise ValueError("a moment to read the facts as recorded by needs its time zone")
        await conn.execute(f"SELECT set_config('{SETTING}', $1, true)", moment.isoformat())
