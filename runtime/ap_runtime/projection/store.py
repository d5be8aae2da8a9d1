"""Bookkeeping tables of projections: which schema serves, what was processed, progress."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg

from ap_runtime.projection.base import Projection

REGISTRY_DDL = """
CREATE TABLE IF NOT EXISTS public.projection_registry (
    name          text PRIMARY KEY,
    active_schema text NOT NULL,
    generation    integer NOT NULL,
    switched_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS public.projection_status (
    name            text NOT NULL,
    schema_name     text NOT NULL,
    events_applied  bigint NOT NULL DEFAULT 0,
    dead_lettered   bigint NOT NULL DEFAULT 0,
    duplicates      bigint NOT NULL DEFAULT 0,
    last_event_at   timestamptz,
    last_applied_at timestamptz,
    PRIMARY KEY (name, schema_name)
);
"""

BOOKKEEPING_DDL = """
CREATE TABLE IF NOT EXISTS processed_events (
    event_id   uuid PRIMARY KEY,
    outcome    text NOT NULL DEFAULT 'applied',
    applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS dead_letters (
    event_id  uuid PRIMARY KEY,
    topic     text NOT NULL,
    partition integer NOT NULL,
    "offset"  bigint NOT NULL,
    error     text NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
"""

class ReadModelNotReady(LookupError):
    """The read model has not been created yet (its projection has never run against this database)."""


_SAFE = re.compile(r"^[a-z][a-z0-9_]{0,50}$")


def schema_name(projection_name: str, generation: int) -> str:
    if not _SAFE.match(projection_name):
        raise ValueError(f"projection name {projection_name!r} must be lower_snake_case")
    return f"rm_{projection_name}_g{generation}"


async def prepare_schema(conn: asyncpg.Connection, projection: Projection, schema: str) -> None:
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    await conn.execute(f"SET LOCAL search_path TO {schema}, public")
    await conn.execute(BOOKKEEPING_DDL)
    await projection.setup(conn)
    await conn.execute(
        "INSERT INTO public.projection_status (name, schema_name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        projection.name, schema,
    )


async def ensure_registered(pool: asyncpg.Pool, projection: Projection) -> str:
    """Create bookkeeping and the first generation of the read model if needed; return the active schema."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ap_projection_registry'))")
        await conn.execute(REGISTRY_DDL)
        schema = await conn.fetchval(
            "SELECT active_schema FROM public.projection_registry WHERE name = $1", projection.name
        )
        if schema is None:
            schema = schema_name(projection.name, 1)
            await conn.execute(
                "INSERT INTO public.projection_registry (name, active_schema, generation) VALUES ($1, $2, 1)",
                projection.name, schema,
            )
        await prepare_schema(conn, projection, schema)
        return str(schema)


async def drop_retired_generations(conn: asyncpg.Connection, name: str, serving: str) -> list[str]:
    """Drop every generation of projection ``name`` but the serving one; returns what was dropped.

    Rule served: erasure reaches every copy. Later events (``PupilDataErased`` among them) update
    only the serving generation, so a retired one would keep what erasure removes; it is dropped in
    the transaction that switches serving away from it. Its status row goes with it.
    """
    if not _SAFE.match(name):
        raise ValueError(f"projection name {name!r} must be lower_snake_case")
    retired = [str(r["nspname"]) for r in await conn.fetch(
        "SELECT nspname FROM pg_namespace WHERE nspname ~ $1 AND nspname <> $2 ORDER BY nspname",
        f"^rm_{name}_g[0-9]+$", serving)]
    for schema in retired:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
    await conn.execute("DELETE FROM public.projection_status WHERE name = $1 AND schema_name <> $2", name, serving)
    return retired


async def active_schema(conn: asyncpg.Connection, name: str, lock: bool = False) -> str:
    sql = "SELECT active_schema FROM public.projection_registry WHERE name = $1"
    try:
        value = await conn.fetchval(sql + (" FOR SHARE" if lock else ""), name)
    except asyncpg.UndefinedTableError:
        value = None
    if value is None:
        raise ReadModelNotReady(f"projection {name!r} is not registered in this database")
    return str(value)


@asynccontextmanager
async def read_model(pool: asyncpg.Pool, name: str) -> AsyncIterator[asyncpg.Connection]:
    """A read-only connection whose search_path points at the projection's serving schema."""
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        schema = await active_schema(conn, name)
        await conn.execute(f"SET LOCAL search_path TO {schema}, public")
        yield conn


@asynccontextmanager
async def read_models(pool: asyncpg.Pool, names: Sequence[str], *,
                      optional: Sequence[str] = ()) -> AsyncIterator[asyncpg.Connection]:
    """One read-only repeatable-read transaction over several projections' serving schemas, so the
    tables of all of them are read at one instant. Each of ``names`` must be registered
    (``ReadModelNotReady`` otherwise); one of ``optional`` that is not yet is left out of the path.
    """
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        schemas = [await active_schema(conn, name) for name in names]
        for name in optional:
            try:
                schemas.append(await active_schema(conn, name))
            except ReadModelNotReady:
                continue
        # Schema names come from the projection registry (rm_<name>_g<N>), never from a caller.
        await conn.execute(f"SET LOCAL search_path TO {', '.join(schemas)}, public")
        yield conn
