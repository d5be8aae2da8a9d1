"""The reporting projection: incidents events -> facts the reports count.

Subscribes without the personal-data codec: reports are counts, and even the weekly report to
the home school names learners only by pseudonymous reference. Each batch also advances the read model's
``positions`` (the provenance a published report records). A batch is folded in memory and written in a
few statements (``version_batch``; issue 15: a rebuild over 1,000,000 events).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import asyncpg

from ap_contracts.envelope import EventEnvelope
from ap_contracts.events.base import DomainEvent
from ap_contracts.topics import INCIDENTS_EVENTS
from ap_reporting.projections.erasures import Writer
from ap_reporting.projections.positions import DDL as POSITIONS_DDL
from ap_reporting.projections.positions import advance
from ap_reporting.projections.schema import CURRENT_KEYS, DDL
from ap_reporting.projections.version_batch import Fold, apply_folds
from ap_reporting.projections.writers import WRITERS
from ap_runtime.privacy.clear_fields import clear_event
from ap_runtime.projection import Projection, ReceivedEvent

# The events some writer takes: others are not read at all.
_READ = frozenset(event_class.event_type for event_class in WRITERS)


def bound_writer(writer: Writer, domain_event: DomainEvent, envelope: EventEnvelope) -> Fold:
    """The writer applied to one event, as a fold over the versions of facts (projection and `make reports`)."""
    return lambda versions: writer(versions, domain_event, envelope)


def folds(events: Sequence[ReceivedEvent]) -> list[Fold]:
    """Each event's writer bound to its clear fields and envelope, in order (events no writer takes left out)."""
    out: list[Fold] = []
    for event in events:
        envelope = event.envelope
        if envelope.event_type not in _READ:
            continue
        domain_event = clear_event(envelope.event_type, envelope.schema_version, event.payload)
        writer = None if domain_event is None else WRITERS.get(type(domain_event))
        if writer is not None and domain_event is not None:
            out.append(bound_writer(writer, domain_event, envelope))
    return out


class ReportingFactsProjection(Projection):
    name: ClassVar[str] = "reporting_facts"
    topics = (INCIDENTS_EVENTS,)
    ddl: ClassVar[str] = DDL + POSITIONS_DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        await self.apply_batch(conn, [event])

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        await apply_folds(conn, CURRENT_KEYS, folds(events))
        await advance(conn, events)
