"""The finance decider: ``decide(command, state) -> events`` or a named ``FinanceRuleViolation``.

Pure: no clock, no I/O. A rejected command raises and so produces no event. The rules live in
``budgeting``, ``spending``, ``signatures`` and ``year_end``; this module only routes, by the one
declaration per command (``domain/declarations.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

from ap_contracts.events.finance import FinanceEvent
from ap_finance.domain.commands import Command
from ap_finance.domain.declarations import DECLARATION_BY_COMMAND
from ap_finance.domain.evolve import fold
from ap_finance.domain.state import BudgetState


def decide(command: Command, state: BudgetState) -> list[FinanceEvent]:
    """The events a command produces against the budget's current state (empty state for a new stream)."""
    declaration = DECLARATION_BY_COMMAND.get(type(command))
    if declaration is None:
        raise TypeError(f"no decision for {type(command).__name__}: it has no declaration")
    return declaration.decider(command, state)


def decide_on_history(history: Iterable[FinanceEvent], command: Command) -> list[FinanceEvent]:
    """Given the stream's past events, when the command arrives, then these events (or a rule violation)."""
    return decide(command, fold(history))
