"""A reporting projection whose events fold over versioned rows (``version_batch``): the runner's single events
and batches take the same path, and the read model's topic positions advance in the same transaction.

Each such projection says only which tables it keeps (``keys``: each table's current key) and what one event
does to them (``fold_of``); the batching and the positions are written once, here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import asyncpg

from ap_reporting.projections.positions import advance
from ap_reporting.projections.version_batch import Fold, apply_folds
from ap_runtime.projection import Projection, ReceivedEvent


class FoldedProjection(Projection):
    keys: ClassVar[Mapping[str, tuple[str, ...]]]

    def fold_of(self, event: ReceivedEvent) -> Fold | None:
        """What ``event`` does to the versions (None: nothing)."""
        raise NotImplementedError

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        await self.apply_batch(conn, [event])

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        """The batch folded in memory and written in a few statements (``version_batch``)."""
        folds = [fold for fold in map(self.fold_of, events) if fold is not None]
        await apply_folds(conn, self.keys, folds)
        await advance(conn, events)  # what a published report records (issue 15, provenance)
