"""Search every table of every schema of a database for values, as text: what a backup would hold."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

_TABLES = """
SELECT table_schema, table_name FROM information_schema.tables
 WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1, 2
"""


async def tables_holding(pool: asyncpg.Pool, values: Iterable[str]) -> dict[str, list[str]]:
    """``{"schema.table": [values found]}`` for every table whose rows, rendered as text, hold a value."""
    wanted = list(values)
    found: dict[str, list[str]] = {}
    async with pool.acquire() as conn:
        for schema, table in [tuple(r) for r in await conn.fetch(_TABLES)]:
            name = f'"{schema}"."{table}"'
            text = await conn.fetchval(f"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {name} t")
            hits = [value for value in wanted if value in text]
            if hits:
                found[f"{schema}.{table}"] = hits
    return found


async def read_model_schemas(pool: asyncpg.Pool, projection_name: str) -> list[str]:
    """Every schema generation of a projection present in the database."""
    rows = await pool.fetch("SELECT nspname FROM pg_namespace WHERE nspname ~ $1 ORDER BY 1",
                            f"^rm_{projection_name}_g[0-9]+$")
    return [r["nspname"] for r in rows]
