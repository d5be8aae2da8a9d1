"""A rebuild's first catch-up into a generation still without its deferred indexes (``deferred_indexes.py``).

Each batch loses the copies of events its partitions had recently (``recent_ids``), then is copied
in as one transaction and nothing else (``ProjectionRunner.apply_decoded(load_only=True)``). A batch
that cannot be copied in (an undecodable record, a poison event, a duplicate the window missed where
a unique index was built meanwhile) needs what the live runner's statements need: the indexes are
built first (``DuplicatesLoaded`` if they find an event loaded twice), then the batch is applied as
the runner applies it, and so is every later batch of this process.
"""

from __future__ import annotations

import asyncpg

from ap_runtime.logging import exception_place, get_logger
from ap_runtime.projection.deferred_indexes import build_deferred_indexes
from ap_runtime.projection.recent_ids import RecentEventIds
from ap_runtime.projection.runner import _TRANSIENT as TRANSIENT_ERRORS  # the runner's own: never a bad batch
from ap_runtime.projection.runner import DecodedRecord, ProjectionRunner

log = get_logger("ap.projection.rebuild")


class FirstLoad:
    def __init__(self, runner: ProjectionRunner, pool: asyncpg.Pool, schema: str) -> None:
        self._runner = runner
        self._pool = pool
        self._schema = schema
        self._recent: RecentEventIds | None = RecentEventIds()

    async def apply(self, batch: list[DecodedRecord]) -> int:
        """Apply ``batch`` into the generation; returns how many events were newly applied."""
        if self._recent is None:
            return await self._runner.apply_decoded(batch, schema=self._schema)
        batch, repeated = self._recent.first_copies(batch)
        if repeated:
            await self._count_duplicates(repeated)
        if all(item.event is not None for item in batch):
            try:
                return await self._runner.apply_decoded(batch, schema=self._schema, load_only=True)
            except TRANSIENT_ERRORS:
                raise
            except Exception as exc:  # applied below, once the indexes are there
                log.info("batch not loadable without the indexes, building them", error=exception_place(exc),
                         projection=self._runner.projection.name)
        await build_deferred_indexes(self._pool, self._schema)
        self._recent = None
        return await self._runner.apply_decoded(batch, schema=self._schema)

    async def _count_duplicates(self, repeated: int) -> None:
        """Count the copies left out as the runner counts the duplicates it skips (the progress shown reads it)."""
        await self._pool.execute(
            "UPDATE public.projection_status SET duplicates = duplicates + $3 WHERE name = $1 AND schema_name = $2",
            self._runner.projection.name, self._schema, repeated)
