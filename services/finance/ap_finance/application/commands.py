"""Finance command handlers: authorise, then load, decide and append through the CommandExecutor.

Each request is authorised against its budget (host school, Partnership, provision) before
anything else; the domain decides; the executor appends idempotently on ``command_id``. A repeated
``command_id`` returns the first outcome without deciding again, even if the budget moved on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from ap_contracts.events.base import DomainEvent
from ap_finance.application.authorisation import Authoriser, FinanceRequest, action_for, request_context
from ap_finance.application.carry_forward import (
    boundary_of,
    check_carry_forward,
    check_set_budget,
    finance_history,
)
from ap_finance.application.identity import to_command
from ap_finance.application.ports import BoundaryLocks, BudgetLookups
from ap_finance.domain.commands import Command, RecordCarryForward, SetBudget
from ap_finance.domain.decide import decide
from ap_finance.domain.errors import FinanceRuleViolation
from ap_finance.domain.evolve import fold
from ap_finance.domain.financial_year import budget_stream_id
from ap_runtime.access import Principal
from ap_runtime.commands import CommandExecutor, CommandMeta, CommandOutcome
from ap_runtime.eventstore.port import EventStorePort
from ap_runtime.refusal import RefusalKind


class CommandIdReused(FinanceRuleViolation):
    """A client reused one command id for a different budget: not a retry, so nothing is returned or done."""

    rule_id = "budget_command.id_unique"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "command id {command_id} was already used for another budget; choose a new one"
    command_id: UUID


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What a command recorded: its events (ids and types, in order) and the stream versions they took."""

    command_id: UUID
    stream_id: str
    event_ids: tuple[UUID, ...]
    event_types: tuple[str, ...]
    first_version: int
    last_version: int
    duplicate: bool


class FinanceCommands:
    """The finance command handlers, on ports: event store, budget lookups and year-boundary locks."""

    def __init__(self, store: EventStorePort, budgets: BudgetLookups, boundaries: BoundaryLocks,
                 authoriser: Authoriser, executor: CommandExecutor | None = None) -> None:
        self._store = store
        self._budgets = budgets
        self._authoriser = authoriser
        self._executor = executor or CommandExecutor(store)
        self._boundaries = boundaries

    async def handle(self, principal: Principal, request: FinanceRequest, *, purpose: str | None = None,
                     correlation_id: UUID | None = None) -> CommandResult:
        """Authorise ``request`` on its budget, then execute it; raises the named rule on rejection."""
        budget = await self._budgets.budget_set(request.provision_id, request.financial_year)
        context = request_context(request, budget)
        await self._authoriser.check(principal, action_for(type(request)), context, purpose=purpose,
                                     correlation_id=correlation_id)
        earlier = await self._executor.previous_outcome(request.command_id)
        if earlier is not None:
            if earlier.stream_id != budget_stream_id(request.provision_id, request.financial_year):
                raise CommandIdReused(request.command_id)
            return await self._result(earlier)
        command = to_command(request, principal, budget)
        meta = CommandMeta(
            command_id=command.command_id,
            actor=principal.actor(),
            organisation_id=context.organisation_id or principal.organisation_id,
            correlation_id=correlation_id or uuid4(),
        )
        if isinstance(command, SetBudget | RecordCarryForward):
            async with self._boundaries.locked(command.provision_id, boundary_of(command)):
                await (check_set_budget(self._store, command) if isinstance(command, SetBudget)
                       else check_carry_forward(self._store, command))
                return await self._execute(command, meta)
        return await self._execute(command, meta)

    async def _execute(self, command: Command, meta: CommandMeta) -> CommandResult:
        def decide_on(history: Sequence[DomainEvent]) -> Sequence[DomainEvent]:
            return decide(command, fold(finance_history(history)))

        stream = budget_stream_id(command.provision_id, command.financial_year)
        return await self._result(await self._executor.execute(stream, meta, decide_on))

    async def _result(self, outcome: CommandOutcome) -> CommandResult:
        return CommandResult(
            command_id=outcome.command_id,
            stream_id=outcome.stream_id,
            event_ids=outcome.event_ids,
            event_types=await self._budgets.event_types(outcome.event_ids),
            first_version=outcome.first_version,
            last_version=outcome.last_version,
            duplicate=outcome.duplicate,
        )
