"""The commissioning command handler: load the stream, authorise on its stored facts, decide, append.

Rule served (issue 9: authorisation rests only on stored facts and the verified token). The resource the guard
judges is built from the stream's recorded events (an agreement's stored parties), never from a party the body
names; the decider receives the caller's organisation from the token and works out which party it is. A
repeated ``command_id`` answers the first outcome without deciding again (``CommandExecutor``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from ap_commissioning.application.calendars import CalendarSource, calendar_of, no_recorded_calendars
from ap_commissioning.domain.context import CommissioningCommand, DecisionContext
from ap_commissioning.domain.declarations import DECLARATION_BY_COMMAND
from ap_commissioning.domain.errors import CommissioningRefused
from ap_contracts.events.base import DomainEvent
from ap_runtime.access import Authoriser, Principal
from ap_runtime.commands import CommandExecutor, CommandMeta, CommandOutcome
from ap_runtime.eventstore.port import EventStorePort


class CommandIdReused(CommissioningRefused):
    """A client reused one command id for another stream: not a retry, so nothing is returned or done."""

    rule_id = "commissioning_command.id_unique"
    says = "command id {command_id} was already used for another record; choose a new one"
    command_id: UUID



@dataclass(frozen=True, slots=True)
class CommandResult:
    outcome: CommandOutcome
    event_types: tuple[str, ...]


class CommissioningCommands:
    def __init__(self, store: EventStorePort, authoriser: Authoriser, clock: Callable[[], datetime],
                 calendars: CalendarSource = no_recorded_calendars) -> None:
        self._store = store
        self._authoriser = authoriser
        self._executor = CommandExecutor(store)
        self._clock = clock
        self._calendars = calendars

    async def handle(self, principal: Principal, command: CommissioningCommand, *, purpose: str | None = None,
                     correlation_id: UUID | None = None) -> CommandResult:
        """Authorise ``command`` on its stream's stored facts, then execute it; raises the named rule."""
        declaration = DECLARATION_BY_COMMAND[type(command)]
        aggregate = declaration.aggregate
        stream = aggregate.stream_of(command)
        state = aggregate.fold(await self._store.load(stream))
        resource = aggregate.resource(command, state)
        await self._authoriser.check(principal, declaration.action, resource,
                                     purpose=purpose, correlation_id=correlation_id)
        earlier = await self._executor.previous_outcome(command.command_id)
        if earlier is not None:
            if earlier.stream_id != stream:
                raise CommandIdReused(command.command_id)
            return await self._result(earlier)
        # School days are counted on the recorded calendar of the stream's organisation (a panel's: its LA).
        calendar = calendar_of(await self._calendars(), resource.organisation_id or principal.organisation_id)
        ctx = DecisionContext(principal.user_id, principal.organisation_id, self._clock().date(),
                              organisation_kind=principal.org_kind, calendar=calendar)
        meta = CommandMeta(command_id=command.command_id, actor=principal.actor(),
                           organisation_id=principal.organisation_id, correlation_id=correlation_id or uuid4())

        def decide_on(history: Sequence[DomainEvent]) -> Sequence[DomainEvent]:
            return declaration.decider(command, aggregate.fold(history), ctx)

        return await self._result(await self._executor.execute(stream, meta, decide_on))

    async def _result(self, outcome: CommandOutcome) -> CommandResult:
        stored = await self._store.read_stream(outcome.stream_id, outcome.first_version - 1)
        types = tuple(e.event_type for e in stored if e.event_id in set(outcome.event_ids))
        return CommandResult(outcome, types)
