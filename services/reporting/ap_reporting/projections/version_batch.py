"""A batch of events folded over the versions of facts in memory, then written in a few statements.

Rule served (issue 15, benchmark: every reporting projection rebuilt over 1,000,000 events): the versioned
rows of ``versions`` (``recorded_at`` / ``superseded_at``) used to cost a statement or two per event. Here a
batch is folded twice by the same writers: first against a ``Plan``, which only notes what each writer
looks up (the table and the columns it matches on, with the values), so that every current version the
batch needs is fetched in one statement per table and set of columns; then against a ``VersionView``, a
batch-local view of the current versions (those fetched, and those the batch itself added), where adding,
closing and revising a version are dictionary operations. A correction later in the batch so supersedes
a version added earlier in it, exactly as one statement per event would have. What the view changed is
then written at once: one UPDATE per table closing the stored versions the batch superseded, and one COPY
per table (and set of columns) of every version the batch added, closed ones included.

The effect is that of one statement per change, run one event at a time (close: ``UPDATE ... SET
superseded_at``; revise: that UPDATE ``RETURNING *`` and an INSERT of each copy; add: an INSERT, with
``ON CONFLICT (<current key>) DO NOTHING`` for ``add_new``): same rows, same values, same moments
(``test_reporting_batch_fold.py`` compares a history cut into batches with the same history applied one
event per transaction, over random histories of facts and corrections).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

import asyncpg

Row = dict[str, Any]
Where = Mapping[str, Any]

# The PostgreSQL type of each column a writer matches on or a table is keyed by (the arrays of a fetch or
# a close are typed by it); a writer matching on a column not listed here fails at once, naming it.
COLUMN_TYPES: Mapping[str, str] = {
    "pupil_ref": "uuid", "placement_id": "uuid", "record_id": "uuid", "target_id": "uuid",
    "session_date": "date", "session": "text", "academic_year": "text", "school_id": "text",
    "referral_id": "uuid", "case_id": "uuid", "partnership_id": "text", "section": "text",
    "event_id": "uuid",
}


class Versions(Protocol):
    """What a writer does to the versions of facts (``Plan`` notes it, ``VersionView`` does it)."""

    def current(self, table: str, where: Where) -> list[Row]:
        """The current versions of ``table`` whose columns equal ``where`` (SQL equality: None matches none)."""

    def add(self, table: str, row: Row, at: datetime) -> None:
        """A new version recorded at ``at`` (a plain INSERT: its key must have no current version)."""

    def add_new(self, table: str, row: Row, at: datetime) -> None:
        """A new version unless its key has a current one (``ON CONFLICT (<key>) DO NOTHING``)."""

    def close(self, table: str, where: Where, at: datetime) -> None:
        """End the current versions ``where`` selects at ``at``."""

    def revise(self, table: str, where: Where, at: datetime, changes: Mapping[str, Any]) -> None:
        """Replace each current version ``where`` selects by a copy with ``changes``, recorded at ``at``."""


Fold = Callable[[Versions], None]
_Lookup = tuple[str, tuple[str, ...]]


class Plan:
    """Notes every lookup the writers make, so each table's current versions are fetched once per batch."""

    def __init__(self, keys: Mapping[str, tuple[str, ...]]) -> None:
        self._keys = keys
        self.lookups: dict[_Lookup, set[tuple[Any, ...]]] = defaultdict(set)

    def current(self, table: str, where: Where) -> list[Row]:
        values = tuple(where.values())
        if None not in values:
            self.lookups[(table, tuple(where))].add(values)
        return []

    def add(self, table: str, row: Row, at: datetime) -> None:
        """A plain insert looks nothing up."""

    def add_new(self, table: str, row: Row, at: datetime) -> None:
        self.current(table, {column: row[column] for column in self._keys[table]})

    def close(self, table: str, where: Where, at: datetime) -> None:
        self.current(table, where)

    def revise(self, table: str, where: Where, at: datetime, changes: Mapping[str, Any]) -> None:
        self.current(table, where)

    async def fetch(self, conn: asyncpg.Connection) -> dict[str, list[Row]]:
        """The current versions every noted lookup selects, by table (one statement per lookup kind)."""
        found: dict[str, list[Row]] = defaultdict(list)
        for (table, columns), values in self.lookups.items():
            rows = await conn.fetch(lookup_sql(table, columns), *(list(column) for column in zip(*values, strict=True)))
            found[table].extend(dict(r) for r in rows)
        return found


def lookup_sql(table: str, columns: Sequence[str]) -> str:
    """The statement fetching the current versions of ``table`` whose ``columns`` equal one of the value tuples
    given as one array per column (``$1``, ``$2``...): what a batch looks up (an index serves each kind of it)."""
    unnest = ", ".join(f"${i + 1}::{COLUMN_TYPES[c]}[]" for i, c in enumerate(columns))
    on = " AND ".join(f"t.{c} = k.c{i}" for i, c in enumerate(columns))
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    return (f"SELECT t.* FROM {table} t JOIN unnest({unnest}) AS k({aliases}) ON {on}"  # noqa: S608  # nosec B608 - tables and columns are constants of the writers
            " WHERE t.superseded_at IS NULL")


class VersionView:
    """The current versions a batch reads and writes, kept in memory until ``write``."""

    def __init__(self, keys: Mapping[str, tuple[str, ...]], stored: Mapping[str, Iterable[Row]]) -> None:
        self._keys = keys
        self._rows: dict[str, dict[tuple[Any, ...], Row]] = {table: {} for table in keys}
        self._stored: dict[str, set[tuple[Any, ...]]] = {table: set() for table in keys}
        self._closed: dict[str, list[tuple[tuple[Any, ...], datetime]]] = {table: [] for table in keys}
        self._added: dict[str, list[Row]] = {table: [] for table in keys}
        for table, rows in stored.items():
            for row in rows:
                key = self._key(table, row)
                if key not in self._rows[table]:  # a version two lookups found is the same version
                    self._rows[table][key] = row
                    self._stored[table].add(key)

    def _key(self, table: str, row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(row[column] for column in self._keys[table])

    def current(self, table: str, where: Where) -> list[Row]:
        if None in where.values():
            return []
        rows = self._rows[table]
        if tuple(where) == self._keys[table]:
            row = rows.get(tuple(where.values()))
            return [] if row is None else [row]
        return [row for row in rows.values() if all(row.get(c) == v for c, v in where.items())]

    def add(self, table: str, row: Row, at: datetime) -> None:
        key = self._key(table, row)
        if key in self._rows[table]:
            raise ValueError(f"{table}: a second current version of {key} (the unique key of current versions)")
        version = {**row, "recorded_at": at}
        self._rows[table][key] = version
        self._added[table].append(version)

    def add_new(self, table: str, row: Row, at: datetime) -> None:
        if self._key(table, row) not in self._rows[table]:
            self.add(table, row, at)

    def close(self, table: str, where: Where, at: datetime) -> None:
        for row in self.current(table, where):
            self._supersede(table, row, at)

    def revise(self, table: str, where: Where, at: datetime, changes: Mapping[str, Any]) -> None:
        for row in self.current(table, where):
            self._supersede(table, row, at)
            self.add(table, {**row, **changes, "superseded_at": None}, at)

    def _supersede(self, table: str, row: Row, at: datetime) -> None:
        key = self._key(table, row)
        del self._rows[table][key]
        if key in self._stored[table]:
            self._stored[table].discard(key)
            self._closed[table].append((key, at))
        else:
            row["superseded_at"] = at  # added by this batch: written closed

    async def write(self, conn: asyncpg.Connection) -> None:
        """Close the stored versions the batch superseded, then copy in every version it added."""
        for table, closed in self._closed.items():
            if closed:
                await _close_stored(conn, table, self._keys[table], closed)
        for table, added in self._added.items():
            for columns, rows in _by_columns(added).items():
                await _insert(conn, table, columns, [tuple(r[c] for c in columns) for r in rows])


async def _close_stored(conn: asyncpg.Connection, table: str, key: tuple[str, ...],
                        closed: Sequence[tuple[tuple[Any, ...], datetime]]) -> None:
    """One UPDATE for every stored version the batch closed, each at its own moment."""
    unnest = ", ".join(f"${i + 1}::{COLUMN_TYPES[c]}[]" for i, c in enumerate(key))
    on = " AND ".join(f"t.{c} = k.c{i}" for i, c in enumerate(key))
    aliases = ", ".join(f"c{i}" for i in range(len(key)))
    columns = [list(values) for values in zip(*(k for k, _ in closed), strict=True)]
    await conn.execute(
        f"UPDATE {table} t SET superseded_at = k.at FROM unnest({unnest}, ${len(key) + 1}::timestamptz[])"  # noqa: S608  # nosec B608 - tables and columns are constants of the writers
        f" AS k({aliases}, at) WHERE {on} AND t.superseded_at IS NULL", *columns, [at for _, at in closed])


# Fewer rows than this go in by one prepared INSERT (a live batch, one event applied alone), more by COPY.
COPY_FROM_ROWS = 8


async def _insert(conn: asyncpg.Connection, table: str, columns: tuple[str, ...],
                  records: list[tuple[Any, ...]]) -> None:
    if len(records) >= COPY_FROM_ROWS:
        await conn.copy_records_to_table(table, columns=columns, records=records)
        return
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    await conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", records)  # noqa: S608  # nosec B608 - table and column names are constants of the writers


def _by_columns(rows: Sequence[Row]) -> dict[tuple[str, ...], list[Row]]:
    """Rows grouped by the columns they name (a revised copy names every column, a new fact its own)."""
    groups: dict[tuple[str, ...], list[Row]] = defaultdict(list)
    for row in rows:
        groups[tuple(row)].append(row)
    return groups


async def apply_folds(conn: asyncpg.Connection, keys: Mapping[str, tuple[str, ...]], folds: Sequence[Fold]) -> None:
    """Fold a batch's events (``folds``, in order) over the versions of ``keys``' tables, then write them."""
    plan = Plan(keys)
    for fold in folds:
        fold(plan)
    view = VersionView(keys, await plan.fetch(conn))
    for fold in folds:
        fold(view)
    await view.write(conn)
