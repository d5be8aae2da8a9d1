"""A reporting read model read in one snapshot of its serving schema, or refused as not ready, naming it.

Rule served (issue 15 follow-up): a report asked of a read model that is not built yet answers the API's
``not-ready`` problem (503 with ``Retry-After``, ``ap_runtime.http.problems``) saying which read model, never a
500. ``read_models`` refuses a projection that is not registered (``ReadModelNotReady``); a registered one whose
tables are missing (a serving schema made before a table was added to its DDL, and not set up again since, or one
emptied by hand) failed inside the report's query with ``UndefinedTableError``. Both now read as not ready, and
nothing is written either way (the snapshot is a read-only transaction, rolled back).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg

from ap_runtime.projection import read_models
from ap_runtime.projection.store import ReadModelNotReady


@asynccontextmanager
async def serving(pool: asyncpg.Pool, names: Sequence[str]) -> AsyncIterator[asyncpg.Connection]:
    """``read_models(pool, names)``, a missing table or column of theirs refused as ``ReadModelNotReady``."""
    try:
        async with read_models(pool, names) as conn:
            yield conn
    except (asyncpg.UndefinedTableError, asyncpg.UndefinedColumnError) as missing:
        named = ", ".join(repr(name) for name in names)
        raise ReadModelNotReady(f"read model {named} is not ready: its tables are not built yet") from missing
