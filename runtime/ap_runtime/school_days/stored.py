"""The recorded school calendars as a read model kept from ``ap.incidents.events`` (issue 13), for any service.

The incidents service keeps term dates on the register of organisations (``TermDatesRecorded``, an LA's for
its area, a school's for itself) and which LA each school belongs to (``OrganisationRegistered``). A service
that counts school days keeps the latest of each (per organisation, and per organisation and academic year) in
its own database through a subclass of ``CalendarFactsProjection`` naming its read model, and ``StoredCalendars``
folds them with the one shared function (``recorded_calendars``), so every service counts the days the incidents
service would. Only these two event types are kept, and both carry clear organisation facts only: the sealed
personal fields of the topic's other events are never read, so a service keeping this needs no pupil key.
"""

from __future__ import annotations

import json
from typing import ClassVar

import asyncpg

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.organisations import OrganisationRegistered, TermDatesRecorded
from ap_contracts.topics import INCIDENTS_EVENTS
from ap_runtime.projection.base import Projection, ReceivedEvent
from ap_runtime.projection.store import ReadModelNotReady, read_model
from ap_runtime.school_days.calendar import NO_CALENDARS, SchoolCalendars
from ap_runtime.school_days.recorded import recorded_calendars

CALENDAR_DDL = """
CREATE TABLE IF NOT EXISTS calendar_facts (
    fact_key   text PRIMARY KEY,
    event_type text NOT NULL,
    payload    jsonb NOT NULL
);
"""
CALENDAR_EVENTS: dict[str, type[DomainEvent]] = {e.event_type: e for e in (OrganisationRegistered, TermDatesRecorded)}


def _fact_key(event_type: str, payload: dict[str, object]) -> str:
    """A later registration replaces an organisation's; a later recording replaces its year's dates."""
    if event_type == TermDatesRecorded.event_type:
        return f"dates|{payload['organisation_id']}|{payload['academic_year']}"
    return f"registered|{payload['organisation_id']}"


class CalendarFactsProjection(Projection):
    """Keeps ``OrganisationRegistered`` and ``TermDatesRecorded`` (a subclass names the service's read model)."""

    topics = (INCIDENTS_EVENTS,)
    ddl: ClassVar[str] = CALENDAR_DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        if event.event_type not in CALENDAR_EVENTS:
            return
        await conn.execute(
            "INSERT INTO calendar_facts (fact_key, event_type, payload) VALUES ($1, $2, $3::jsonb)"
            " ON CONFLICT (fact_key) DO UPDATE SET event_type = EXCLUDED.event_type, payload = EXCLUDED.payload",
            _fact_key(event.event_type, event.payload), event.event_type, json.dumps(event.payload),
        )


async def calendars_in(conn: asyncpg.Connection) -> SchoolCalendars:
    """The calendars the read model's facts record."""
    rows = await conn.fetch("SELECT event_type, payload FROM calendar_facts ORDER BY fact_key")
    return recorded_calendars(CALENDAR_EVENTS[r["event_type"]].model_validate(json.loads(r["payload"]))
                              for r in rows)


class StoredCalendars:
    """The recorded calendars of the read model ``projection_name``, read at each use (a recording reaches the
    next decision without a restart)."""

    def __init__(self, pool: asyncpg.Pool, projection_name: str) -> None:
        self._pool = pool
        self._projection_name = projection_name

    async def __call__(self) -> SchoolCalendars:
        try:
            async with read_model(self._pool, self._projection_name) as conn:
                return await calendars_in(conn)
        except ReadModelNotReady:  # not built yet: no recorded calendar (each rule says what it does then)
            return NO_CALENDARS
