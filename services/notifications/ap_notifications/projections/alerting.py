"""The alert worker's consumer of incidents events: keep placement terms, decide alerts, dispatch them.

A ``Projection`` so the runner gives it exactly-once application of its read model (placements,
threshold history, attendance marks) and redelivery after crashes. Decisions are the domain's
(``decide_alerts``, ``offer_after_placement_end``); the side effects go through idempotent
commands, so a batch that is applied again after a failure, or a rebuild of the read model from
the start of the topic, records and delivers nothing twice; and each alert is dispatched with its cause's
recorded time, so a rebuild or a new deployment rebuilds the read model but sends nothing about events that are
history by the rule book (``domain/recency.py``), even under a rule added since. It subscribes without the personal
data codec: an alert never needs, and so never sees, a narrative (the one sealed field it opens is the authority
looking after a child, ``looked_after.py``). It reads ``ap.commissioning.events`` too, for
the attendance threshold of the service level agreement in force (issue 13; ``projections/sla_thresholds.py``),
which applies to a placement that agreed none of its own. The two topics are not ordered with each other: a mark
is judged by the agreements the worker has applied when it reads the mark. An erasure is noted (``erased_pupils``):
an event about the pupil read after it (late, again under a new id, or from the commissioning topic) records no row,
raises no alert and offers no file, whatever the erasure's reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_sla import SlaVersionAgreed
from ap_contracts.events.organisations import OrganisationRegistered
from ap_contracts.events.placements import PlacementEnded, PlacementStarted
from ap_contracts.events.privacy import PupilDataErased
from ap_contracts.events.pupil_record import AttendanceRecorded
from ap_contracts.topics import COMMISSIONING_EVENTS, INCIDENTS_EVENTS
from ap_notifications.application.dispatch import SYSTEM_ACTOR, AlertDispatcher
from ap_notifications.application.dispatch_in_order import PendingAlert, dispatch_in_order
from ap_notifications.application.transfers import TransferService
from ap_notifications.domain.attendance import AttendanceVerdict, judge_attendance
from ap_notifications.domain.decide_alerts import decide_alerts, event_day
from ap_notifications.domain.placement_terms import PlacementTerms, attendance_threshold, thresholds_in_force
from ap_notifications.domain.rulebook import AlertRuleBook
from ap_notifications.domain.rules import Situation
from ap_notifications.domain.transfer_alerts import OFFERED_RULE
from ap_notifications.domain.transfers import offer_after_placement_end
from ap_notifications.projections import fair_access_cases, placement_terms, sla_thresholds
from ap_notifications.projections.alerting_batch import BatchView
from ap_notifications.projections.looked_after import looked_after_by
from ap_runtime.eventstore import EventCodec
from ap_runtime.logging import get_logger
from ap_runtime.privacy import erased_pupils
from ap_runtime.privacy.clear_fields import clear_event
from ap_runtime.projection import Projection, ReceivedEvent

log = get_logger("ap.notifications.alerting")
ENGLAND = ZoneInfo("Europe/London")  # a register's day is the school's day, whatever the server's clock zone


class AlertingProjection(Projection):
    name: ClassVar[str] = "notification_alerts"
    needs_personal_data: ClassVar[bool] = False

    def __init__(self, dispatcher: AlertDispatcher, transfers: TransferService, book: AlertRuleBook,
                 topics: tuple[str, ...] = (INCIDENTS_EVENTS, COMMISSIONING_EVENTS), *,
                 codec: EventCodec | None = None) -> None:
        self.topics = topics
        self._codec = codec  # opens PlacementStarted.looked_after_by only (``looked_after.py``)
        self._dispatcher = dispatcher
        self._transfers = transfers
        self._book = book

    async def setup(self, conn: asyncpg.Connection) -> None:
        await placement_terms.setup(conn)
        await sla_thresholds.setup(conn)
        await fair_access_cases.setup(conn)
        await conn.execute(erased_pupils.DDL)

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        await self.apply_batch(conn, (event,))

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        """Each event in turn on one ``BatchView`` (placements read once per batch, marks written at its end); the
        batch's alerts dispatched together at its end, in order per recipient (``application/dispatch_in_order``)."""
        view, pending = BatchView(conn), list[PendingAlert]()
        for event in events:
            await self._apply(view, event, pending)
        await dispatch_in_order(self._dispatcher, pending)
        await view.flush()

    async def _apply(self, view: BatchView, event: ReceivedEvent, pending: list[PendingAlert]) -> None:
        envelope = event.envelope
        domain_event = clear_event(envelope.event_type, envelope.schema_version, event.payload)
        if domain_event is None or await self._erased(view, domain_event, pending):
            return
        if isinstance(domain_event, (SlaVersionAgreed, *fair_access_cases.FAIR_ACCESS_EVENTS, OrganisationRegistered)):
            await view.write_through()
            await _record_other(view.conn, domain_event, envelope.event_id)
            return
        placement_id = getattr(domain_event, "placement_id", None)
        if not isinstance(placement_id, UUID):
            return
        if isinstance(domain_event, PlacementStarted):
            authority = await looked_after_by(event, self._codec)
            looking_after = None if authority is None else (authority,)
            domain_event = domain_event.model_copy(update={"looked_after_by": looking_after})
        await view.record(domain_event, envelope.event_id)
        terms = await view.terms(placement_id)
        if terms is None:
            log.warning("event for a placement never started; no recipients known",
                        event_type=envelope.event_type, event_id=str(envelope.event_id))
            return
        day = event_day(domain_event, envelope.occurred_at)
        attendance = await self._attendance(view, domain_event, terms)
        situation = Situation(domain_event, envelope.event_id, day, terms, attendance,
                              recorded_on=envelope.occurred_at.astimezone(ENGLAND).date())
        decision = decide_alerts(situation, self._book)
        view.save_alert_state(terms, decision.attendance_below, decision.reduced_timetable_alerted)
        pending.extend(PendingAlert(alert, envelope.correlation_id, envelope.recorded_at) for alert in decision.alerts)
        if isinstance(domain_event, PlacementEnded) and self._offer_is_news(envelope.event_id, envelope.recorded_at):
            offer = offer_after_placement_end(domain_event, envelope.event_id, envelope.occurred_at, terms, self._book)
            if offer is not None:
                await dispatch_in_order(self._dispatcher, pending)  # the alerts before it go first
                pending.clear()
                await self._transfers.offer(offer, SYSTEM_ACTOR, terms.provision_id, envelope.correlation_id)

    async def _erased(self, view: BatchView, event: DomainEvent, pending: list[PendingAlert]) -> bool:
        """An erasure is noted and the pupil's waiting messages dropped (the batch's alerts decided before it go
        first, as they would event by event); True for it and for any event about a pupil erased before, of any
        reason: nothing about an erased pupil is recorded, alerted or offered again (UK GDPR Art. 17)."""
        if isinstance(event, PupilDataErased):
            await dispatch_in_order(self._dispatcher, pending)
            pending.clear()
            await view.note_erasure(event)
            await self._dispatcher.forget_pupil(event.pupil_ref)
            return True
        return await view.erasure_of(vars(event).get("pupil_ref")) is not None

    def _offer_is_news(self, event_id: UUID, recorded_at: datetime) -> bool:
        """A placement's end of long ago offers no file now (issue 14): the offer was made when the end was read,
        or, under a rule added since, would open a transfer already far past its deadline and chase the DSLs."""
        if not self._dispatcher.is_history(OFFERED_RULE, recorded_at):
            return True
        log.info("no safeguarding file offer: the placement's end is history", event_id=str(event_id))
        return False

    async def _attendance(self, view: BatchView, event: DomainEvent,
                          terms: PlacementTerms) -> AttendanceVerdict | None:
        if not isinstance(event, AttendanceRecorded):
            return None
        agreed = thresholds_in_force(terms.thresholds, event.session_date)
        sla_percent = None
        if agreed is None or agreed.attendance_percent is None:  # the placement's own wins: no need to look
            sla_percent = await view.sla_attendance_threshold(terms.provision_id, terms.commissioner_id,
                                                              event.session_date)
        threshold = attendance_threshold(agreed, sla_percent)
        if threshold is None:
            return None
        tally_so_far = await view.attendance_tally(terms.placement_id)
        return judge_attendance(tally_so_far, threshold, terms.attendance_below,
                                self._book.attendance_min_possible_sessions)


async def _record_other(conn: asyncpg.Connection, event: DomainEvent, event_id: UUID) -> None:
    """An event of the other read models (the SLA's threshold; Fair Access cases for the overdue-work check; an
    organisation's local authority, for alerts to the home school's LA)."""
    if isinstance(event, SlaVersionAgreed):
        await sla_thresholds.record(conn, event, event_id)
    elif isinstance(event, fair_access_cases.FAIR_ACCESS_EVENTS):
        await fair_access_cases.record(conn, event, event_id)
    else:
        await placement_terms.record(conn, event, event_id)
