"""Handlers of the safeguarding file transfer: offer, confirm receipt, find overdue transfers.

Each step is one idempotent command on the transfer's stream; the alerts that follow (the
receiving DSL told of an offer, both DSLs told of an overdue transfer) go through the dispatcher,
whose notification ids come from the recorded event, so re-running any step alerts nobody twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, TypeVar
from uuid import UUID, uuid5

from ap_contracts.envelope import Actor
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import SafeguardingFileOffered, SafeguardingFileTransferOverdue
from ap_contracts.upcasting import read_event
from ap_notifications.application.dispatch import PLATFORM_ORGANISATION, SYSTEM_ACTOR, AlertDispatcher
from ap_notifications.domain.commands import ConfirmFileReceipt, OfferTransfer
from ap_notifications.domain.rulebook import AlertRuleBook
from ap_notifications.domain.transfer_alerts import offered_alerts, overdue_alerts
from ap_notifications.domain.transfers import (
    TransferState,
    decide_confirm,
    decide_offer,
    decide_overdue,
    fold_transfer,
    transfer_stream_id,
)
from ap_runtime.commands import CommandExecutor, CommandMeta, CommandOutcome
from ap_runtime.eventstore import EventStorePort
from ap_runtime.school_days import NO_CALENDARS, SchoolCalendars


class TransferIndex(Protocol):
    """Finds transfers whose receipt is not confirmed yet."""

    async def unconfirmed_transfer_ids(self) -> list[UUID]: ...


@dataclass(frozen=True, slots=True)
class OfferRecorded:
    outcome: CommandOutcome
    offered: SafeguardingFileOffered | None


@dataclass(frozen=True, slots=True)
class OverdueFound:
    transfer_id: UUID
    newly_recorded: bool
    notification_ids: tuple[UUID, ...]


async def _stored(store: EventStorePort, stream_id: str) -> list[tuple[UUID, DomainEvent]]:
    """The stream's events with their ids, each at its latest version (the upcasters): a transfer stream holds
    transfer events only, never a PlacementStarted, and they carry no personal field (nothing sealed to open)."""
    return [(e.event_id, read_event(e.event_type, e.schema_version, dict(e.payload)))
            for e in await store.read_stream(stream_id)]


T = TypeVar("T", bound=DomainEvent)
CalendarSource = Callable[[], Awaitable[SchoolCalendars]]


def _first(events: Sequence[tuple[UUID, DomainEvent]], kind: type[T]) -> tuple[UUID, T] | None:
    for event_id, event in events:
        if isinstance(event, kind):
            return event_id, event
    return None


class TransferService:
    def __init__(self, store: EventStorePort, executor: CommandExecutor, dispatcher: AlertDispatcher,
                 book: AlertRuleBook, calendars: SchoolCalendars = NO_CALENDARS,
                 recorded: CalendarSource | None = None) -> None:
        self._store = store
        self._executor = executor
        self._dispatcher = dispatcher
        self._book = book
        # Issue 13: ``recorded`` reads the term dates kept through the incidents API; an area's recorded
        # calendar replaces a configured one (``calendars``: none in production, tests may give one).
        self._calendars = calendars
        self._recorded = recorded

    async def calendars(self) -> SchoolCalendars:
        """The calendars an offer's deadline is counted with."""
        return self._calendars if self._recorded is None else self._calendars.overlaid(await self._recorded())

    async def offer(self, command: OfferTransfer, actor: Actor, organisation_id: str,
                    correlation_id: UUID) -> OfferRecorded:
        """Record the offer (due by the configured number of school days) and alert the receiving DSL."""
        # The details are part of the command id: re-offering the same transfer elsewhere is refused, not a duplicate.
        details = f"offer|{command.pupil_ref}|{command.from_organisation_id}|{command.to_organisation_id}|" \
                  f"{command.receiving_dsl_organisation_id}"
        meta = CommandMeta(command_id=uuid5(command.transfer_id, details), actor=actor,
                           organisation_id=organisation_id, correlation_id=correlation_id)
        stream = transfer_stream_id(command.transfer_id)
        calendars = await self.calendars()
        outcome = await self._executor.execute(stream, meta, lambda h: decide_offer(h, command, self._book, calendars))
        found = _first(await _stored(self._store, stream), SafeguardingFileOffered)
        if found is None:
            return OfferRecorded(outcome, None)
        for alert in offered_alerts(found[1], found[0]):
            await self._dispatcher.dispatch(alert, correlation_id)
        return OfferRecorded(outcome, found[1])

    async def state(self, transfer_id: UUID) -> TransferState:
        """The transfer as recorded so far (empty when it was never offered)."""
        return fold_transfer([event for _, event in await _stored(self._store, transfer_stream_id(transfer_id))])

    async def confirm(self, transfer_id: UUID, actor: Actor, organisation_id: str, at: datetime,
                      correlation_id: UUID) -> CommandOutcome:
        """The receiving DSL confirms receipt (late confirmations are recorded too)."""
        meta = CommandMeta(command_id=uuid5(transfer_id, f"confirm|{organisation_id}"), actor=actor,
                           organisation_id=organisation_id, correlation_id=correlation_id, occurred_at=at)
        return await self._executor.execute(
            transfer_stream_id(transfer_id), meta,
            lambda h: decide_confirm(h, ConfirmFileReceipt(transfer_id, organisation_id, at)),
        )

    async def check_overdue(self, index: TransferIndex, today: date, correlation_id: UUID) -> list[OverdueFound]:
        """Record every unconfirmed transfer past its due date as overdue, once, and alert both DSLs."""
        found: list[OverdueFound] = []
        for transfer_id in await index.unconfirmed_transfer_ids():
            stream = transfer_stream_id(transfer_id)
            meta = CommandMeta(command_id=uuid5(transfer_id, "overdue"), actor=SYSTEM_ACTOR,
                               organisation_id=PLATFORM_ORGANISATION, correlation_id=correlation_id)
            outcome = await self._executor.execute(stream, meta, lambda h: decide_overdue(h, today))
            if not outcome.event_ids:
                continue
            events = await _stored(self._store, stream)
            offer, overdue = _first(events, SafeguardingFileOffered), _first(events, SafeguardingFileTransferOverdue)
            if offer is None or overdue is None:
                continue
            alerts = overdue_alerts(offer[1], overdue[1], overdue[0])
            sent = [await self._dispatcher.dispatch(alert, correlation_id) for alert in alerts]
            found.append(OverdueFound(transfer_id, not outcome.duplicate, tuple(d.notification_id for d in sent)))
        return found

