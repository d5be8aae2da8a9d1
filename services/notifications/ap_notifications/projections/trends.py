"""The trends projection (issue 14, early warning): each pupil's attendance, incidents, suspensions and engagement
scores from ``ap.incidents.events``, judged by the early-warning rules after each new fact.

Clear fields only (``clear_event``): the worker holds a pupil key for subject access alone and never opens a
sealed field here. The rules are the domain's (``domain/early_warning.py``); a flag is recorded and alerted through
idempotent commands (``application/early_warnings.py``), so redelivery, restart or a rebuild of the read model raise
nothing twice. The school days are the home school's recorded calendar (the ``notification_calendars`` read model),
read at each decision: a rebuild after more term dates were recorded may count a window differently and raise the
flag of that other window.

A fact is judged on its own day (``as_of``): a late record of an old incident is judged with the facts around it.
An amended engagement score counts as amended and is judged again on its day; an entry withdrawn in error stops
counting; an erased pupil leaves nothing here, and an event about the pupil delivered after the erasure (late, or
again under a new id) keeps nothing and flags nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import ClassVar
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.engagement import EngagementScoreAmended, EngagementScoreRecorded
from ap_contracts.events.placements import PlacementEnded, PlacementStarted
from ap_contracts.events.privacy import PupilDataErased
from ap_contracts.events.pupil_corrections import RecordWithdrawnInError
from ap_contracts.events.pupil_record import AttendanceRecorded, IncidentRecorded
from ap_contracts.events.school_exclusions import SuspensionIssued
from ap_contracts.topics import INCIDENTS_EVENTS
from ap_notifications.application.early_warnings import EarlyWarnings
from ap_notifications.domain.early_warning import decide_flags
from ap_notifications.domain.early_warning_book import DEFAULT_EARLY_WARNING_BOOK, EarlyWarningRuleBook
from ap_notifications.domain.early_warning_days import school_day_count
from ap_notifications.projections import trends_store as store
from ap_runtime.logging import get_logger
from ap_runtime.privacy.clear_fields import clear_event
from ap_runtime.projection import Projection, ReceivedEvent
from ap_runtime.school_days import SchoolCalendars

log = get_logger("ap.notifications.trends")
ENGLAND = ZoneInfo("Europe/London")  # an incident's day is the school's day
Calendars = Callable[[], Awaitable[SchoolCalendars]]


async def _record(conn: asyncpg.Connection, event: DomainEvent, event_id: UUID) -> tuple[UUID, date] | None:
    """Keep the fact; its pupil and the day it is about when the rules should judge it, else None."""
    if isinstance(event, AttendanceRecorded):
        await conn.execute(
            "INSERT INTO trend_marks VALUES ($1, $2, $3, $4, $5) ON CONFLICT (pupil_ref, day, session)"
            " DO UPDATE SET code = EXCLUDED.code, event_id = EXCLUDED.event_id",
            event.pupil_ref, event.session_date, event.session.value, event.code.value, event_id)
        return event.pupil_ref, event.session_date
    if isinstance(event, IncidentRecorded):
        day = event.happened_at.astimezone(ENGLAND).date()
        await conn.execute("INSERT INTO trend_incidents VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                           event_id, event.pupil_ref, day, int(event.severity))
        return event.pupil_ref, day
    if isinstance(event, SuspensionIssued):
        await conn.execute("INSERT INTO trend_suspensions VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                           event_id, event.pupil_ref, event.first_day)
        return event.pupil_ref, event.first_day
    if isinstance(event, EngagementScoreRecorded):
        await conn.execute("INSERT INTO trend_scores VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                           event_id, event.pupil_ref, event.scored_on, event.score, event.scale_max)
        return event.pupil_ref, event.scored_on
    if isinstance(event, EngagementScoreAmended):  # the amended score counts from now on (issue 16)
        day = await conn.fetchval("UPDATE trend_scores SET score = $2, scale_max = $3 WHERE event_id = $1"
                                  " RETURNING day", event.score_record_id, event.score, event.scale_max)
        return None if day is None else (event.pupil_ref, day)
    return None


async def _keep(conn: asyncpg.Connection, event: DomainEvent) -> None:
    """Facts that change no trend: who answers for the pupil, withdrawals and erasure."""
    if isinstance(event, PlacementStarted):
        await conn.execute("INSERT INTO trend_placements VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                           event.placement_id, event.pupil_ref, event.home_school_id, event.provision_id,
                           event.start_date)
    elif isinstance(event, PlacementEnded):
        await conn.execute("UPDATE trend_placements SET ended_on = $2 WHERE placement_id = $1",
                           event.placement_id, event.end_date)
    elif isinstance(event, RecordWithdrawnInError):
        await store.forget_fact(conn, event.target_record_id)
    elif isinstance(event, PupilDataErased):
        await store.forget_pupil(conn, event)


async def _no_calendars() -> SchoolCalendars:
    return SchoolCalendars()


class TrendsProjection(Projection):
    name: ClassVar[str] = "notification_trends"
    needs_personal_data: ClassVar[bool] = False
    ddl: ClassVar[str] = store.DDL

    def __init__(self, early_warnings: EarlyWarnings, calendars: Calendars = _no_calendars,
                 book: EarlyWarningRuleBook = DEFAULT_EARLY_WARNING_BOOK,
                 topics: tuple[str, ...] = (INCIDENTS_EVENTS,)) -> None:
        self.topics = topics
        self._early_warnings = early_warnings
        self._calendars = calendars
        self._book = book

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        envelope = event.envelope
        domain_event = clear_event(envelope.event_type, envelope.schema_version, event.payload)
        if domain_event is None:
            return
        about = vars(domain_event).get("pupil_ref")
        if not isinstance(domain_event, PupilDataErased) and await store.erased(conn, about):
            return  # nothing of an erased pupil comes back (UK GDPR Art. 17)
        fact = await _record(conn, domain_event, envelope.event_id)
        if fact is None:
            await _keep(conn, domain_event)
            return
        pupil_ref, as_of = fact
        responsible = await store.placement(conn, getattr(domain_event, "placement_id", None), pupil_ref)
        if responsible is None:
            log.warning("trend fact of a placement never started; nobody to flag to",
                        event_type=envelope.event_type, event_id=str(envelope.event_id))
            return
        book = self._book
        reach = 2 * max(book.attendance_window_school_days, book.incident_window_school_days,
                        book.suspension_window_school_days, book.engagement_window_school_days)
        days = school_day_count(await self._calendars(), responsible.home_school_id, as_of, reach)
        trends = await store.trends_of(conn, pupil_ref, as_of)
        if self._early_warnings.is_history(envelope.recorded_at):
            return  # the fact counts (kept above) but flags nobody: its window is the past, not news
        for flag in decide_flags(trends, days, book, await store.last_flagged(conn, pupil_ref), responsible):
            await store.save_flag(conn, flag)
            await self._early_warnings.raise_flag(flag, envelope.event_id, envelope.correlation_id)
