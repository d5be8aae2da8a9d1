"""The alert worker's consumer of incidents events: keep placement terms, decide alerts, dispatch them.

A ``Projection`` so the runner gives it exactly-once application of its read model (placements,
threshold history, attendance marks) and redelivery after crashes. Decisions are the domain's
(``decide_alerts``, ``offer_after_placement_end``); the side effects go through idempotent
commands, so a batch that is applied again after a failure, or a rebuild of the read model from
the start of the topic, records and delivers nothing twice. It subscribes without the personal
data codec: an alert never needs, and so never sees, a narrative.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

import asyncpg

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.placements import PlacementEnded
from ap_contracts.events.pupil_record import AttendanceRecorded
from ap_contracts.topics import INCIDENTS_EVENTS
from ap_notifications.application.dispatch import SYSTEM_ACTOR, AlertDispatcher
from ap_notifications.application.transfers import TransferService
from ap_notifications.domain.attendance import AttendanceVerdict, judge_attendance
from ap_notifications.domain.decide_alerts import decide_alerts, event_day
from ap_notifications.domain.placement_terms import PlacementTerms, thresholds_in_force
from ap_notifications.domain.rulebook import AlertRuleBook
from ap_notifications.domain.rules import Situation
from ap_notifications.domain.transfers import offer_after_placement_end
from ap_notifications.projections import placement_terms
from ap_runtime.logging import get_logger
from ap_runtime.privacy.clear_fields import clear_event
from ap_runtime.projection import Projection, ReceivedEvent

log = get_logger("ap.notifications.alerting")


class AlertingProjection(Projection):
    name: ClassVar[str] = "notification_alerts"
    needs_personal_data: ClassVar[bool] = False

    def __init__(self, dispatcher: AlertDispatcher, transfers: TransferService, book: AlertRuleBook,
                 topics: tuple[str, ...] = (INCIDENTS_EVENTS,)) -> None:
        self.topics = topics
        self._dispatcher = dispatcher
        self._transfers = transfers
        self._book = book

    async def setup(self, conn: asyncpg.Connection) -> None:
        await placement_terms.setup(conn)

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        envelope = event.envelope
        domain_event = clear_event(envelope.event_type, envelope.schema_version, event.payload)
        placement_id = getattr(domain_event, "placement_id", None)
        if domain_event is None or not isinstance(placement_id, UUID):
            return
        await placement_terms.record(conn, domain_event, envelope.event_id)
        terms = await placement_terms.load_terms(conn, placement_id)
        if terms is None:
            log.warning("event for a placement never started; no recipients known",
                        event_type=envelope.event_type, event_id=str(envelope.event_id))
            return
        day = event_day(domain_event, envelope.occurred_at)
        attendance = await self._attendance(conn, domain_event, terms)
        decision = decide_alerts(Situation(domain_event, envelope.event_id, day, terms, attendance), self._book)
        await placement_terms.save_alert_state(conn, placement_id, decision.attendance_below,
                                               decision.reduced_timetable_alerted)
        for alert in decision.alerts:
            await self._dispatcher.dispatch(alert, envelope.correlation_id)
        if isinstance(domain_event, PlacementEnded):
            offer = offer_after_placement_end(domain_event, envelope.event_id, envelope.occurred_at, terms, self._book)
            if offer is not None:
                await self._transfers.offer(offer, SYSTEM_ACTOR, terms.provision_id, envelope.correlation_id)

    async def _attendance(self, conn: asyncpg.Connection, event: DomainEvent,
                          terms: PlacementTerms) -> AttendanceVerdict | None:
        if not isinstance(event, AttendanceRecorded):
            return None
        agreed = thresholds_in_force(terms.thresholds, event.session_date)
        if agreed is None:
            return None
        tally_so_far = await placement_terms.attendance_tally(conn, terms.placement_id)
        return judge_attendance(tally_so_far, agreed.attendance_percent, terms.attendance_below,
                                self._book.attendance_min_possible_sessions)
