"""The reporting facts read model as the application's ``FactsReader`` port (``application/ports.py``).

Each snapshot is one read-only repeatable-read transaction on the facts projection's serving schema
(``ap_runtime.projection.read_models``), so a report never mixes two instants: facts the projection
commits while a report reads are not seen by its later reads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.queries import FactsQueries
from ap_runtime.projection import read_models


class PostgresFactsReader:
    """``FactsReader`` on the reporting database's pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[FactsQueries]:
        async with read_models(self._pool, [ReportingFactsProjection.name]) as conn:
            yield FactsQueries(conn)
