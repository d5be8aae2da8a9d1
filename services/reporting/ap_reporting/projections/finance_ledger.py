"""The reporting projection of ``ap.finance.events``: finance's budget events, kept as they were recorded, that
the annual report's Budget Summary folds with finance's ledger arithmetic (``domain/budget_summary``).

Its own projection, consumer group (``ap.projection.reporting_finance``, under the reporting principal's group
prefix) and serving schema, so that rebuilding it replays only the finance topic. The events are kept whole
(their clear payload at its latest version) rather than as balances: posting a line's new budget needs the
line's budget before it, and finance's arithmetic (``ap_contracts.finance_ledger``) reads events, so keeping
them lets reporting run the very same code at read time instead of a copy of it in SQL. Finance's events carry
no pupil data (organisations, staff ids and suppliers only). Rows are versions (``versions``), each event added
once and never superseded, so a report as recorded by a past moment reads only what was recorded by then.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import ClassVar
from uuid import UUID

import asyncpg

from ap_contracts.events.base import DomainEvent, event_model
from ap_contracts.events.finance import FinanceEvent
from ap_contracts.topics import FINANCE_EVENTS
from ap_reporting.projections.folded import FoldedProjection
from ap_reporting.projections.positions import DDL as POSITIONS_DDL
from ap_reporting.projections.serving import serving
from ap_reporting.projections.version_batch import Fold, Versions
from ap_reporting.projections.versions import as_recorded_by, versioned
from ap_runtime.privacy.clear_fields import clear_event
from ap_runtime.projection import ReceivedEvent

DDL = """
CREATE TABLE IF NOT EXISTS finance_events (
    event_id       uuid NOT NULL,
    stream_id      text NOT NULL,
    stream_version integer NOT NULL,
    event_type     text NOT NULL,
    schema_version integer NOT NULL,
    payload        text NOT NULL
);
""" + versioned("finance_events", ("event_id",)) + POSITIONS_DDL

class ReportingFinanceProjection(FoldedProjection):
    name: ClassVar[str] = "reporting_finance"
    topics = (FINANCE_EVENTS,)
    ddl: ClassVar[str] = DDL
    keys: ClassVar[Mapping[str, tuple[str, ...]]] = {"finance_events": ("event_id",)}

    def fold_of(self, event: ReceivedEvent) -> Fold | None:
        envelope = event.envelope
        e = clear_event(envelope.event_type, envelope.schema_version, event.payload)
        if not isinstance(e, FinanceEvent):
            return None
        return partial(_fold, e, envelope.event_id, envelope.stream_id, envelope.stream_version, envelope.recorded_at)


def _fold(e: DomainEvent, event_id: UUID, stream_id: str, stream_version: int, at: datetime, v: Versions) -> None:
    v.add_new("finance_events", {"event_id": event_id, "stream_id": stream_id, "stream_version": stream_version,
                                 "event_type": e.event_type, "schema_version": e.schema_version,
                                 "payload": e.model_dump_json()}, at)


async def read_finance_events(pool: asyncpg.Pool, recorded_by: datetime | None = None) -> list[FinanceEvent]:
    """Finance's events as recorded by ``recorded_by`` (None: now), each budget's stream in its order."""
    async with serving(pool, [ReportingFinanceProjection.name]) as conn:
        await as_recorded_by(conn, recorded_by)
        rows = await conn.fetch("SELECT event_type, schema_version, payload FROM finance_events_as_recorded"
                                " ORDER BY stream_id, stream_version")
    found: list[FinanceEvent] = []
    for r in rows:
        model = event_model(r["event_type"], r["schema_version"])
        event = model.model_validate_json(r["payload"])
        if isinstance(event, FinanceEvent):
            found.append(event)
    return found
