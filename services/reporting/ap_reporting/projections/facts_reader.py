"""The reporting facts read model as the application's ``FactsReader`` port (``application/ports.py``).

Each snapshot is one read-only repeatable-read transaction on the facts projection's serving schema
(``serving``: ``ap_runtime.projection.read_models``, a read model not built refused as not ready), so a report
never mixes two instants: facts the projection commits while a report reads are not seen by its later reads. A
reader made with ``recorded_by`` sees the facts as recorded by that moment (``versions``): what was recorded since,
corrections included, is not in it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import asyncpg

from ap_contracts.events.reports import TopicPosition
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.positions import read_positions
from ap_reporting.projections.queries import FactsQueries
from ap_reporting.projections.serving import serving
from ap_reporting.projections.versions import as_recorded_by


class PostgresFactsReader:
    """``FactsReader`` on the reporting database's pool, as recorded by ``recorded_by`` (None: now)."""

    def __init__(self, pool: asyncpg.Pool, recorded_by: datetime | None = None) -> None:
        self._pool = pool
        self._recorded_by = recorded_by
        self.positions: tuple[TopicPosition, ...] = ()
        """The read model's positions as the last snapshot read them (what a publication records)."""

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[FactsQueries]:
        async with serving(self._pool, [ReportingFactsProjection.name]) as conn:
            await as_recorded_by(conn, self._recorded_by)
            self.positions = await read_positions(conn)
            yield FactsQueries(conn)
