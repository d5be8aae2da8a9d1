"""The reporting projection: incidents events -> facts the reports count.

Subscribes without the personal-data codec: reports are counts, and even the weekly report to
the home school names learners only by pseudonymous reference. Each batch also advances the read model's
``positions`` (the provenance a published report records).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import asyncpg

from ap_contracts.topics import INCIDENTS_EVENTS
from ap_reporting.projections.positions import DDL as POSITIONS_DDL
from ap_reporting.projections.positions import advance
from ap_reporting.projections.schema import DDL
from ap_reporting.projections.writers import WRITERS
from ap_runtime.privacy.clear_fields import clear_event
from ap_runtime.projection import Projection, ReceivedEvent


class ReportingFactsProjection(Projection):
    name: ClassVar[str] = "reporting_facts"
    topics = (INCIDENTS_EVENTS,)
    ddl: ClassVar[str] = DDL + POSITIONS_DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        await self._apply(conn, event)
        await advance(conn, [event])

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        for event in events:
            await self._apply(conn, event)
        await advance(conn, events)

    async def _apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        envelope = event.envelope
        domain_event = clear_event(envelope.event_type, envelope.schema_version, event.payload)
        if domain_event is None:
            return
        writer = WRITERS.get(type(domain_event))
        if writer is not None:
            await writer(conn, domain_event, envelope)
