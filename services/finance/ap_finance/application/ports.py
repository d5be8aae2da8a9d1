"""What the finance handlers need from the outside world; ``adapters/`` implements each port.

Rule served: the application loads, decides and appends through interfaces (issue 10, layers), so
it names no driver: the event store is the runtime's ``EventStorePort``; the lookups, the ledger
read model and the year-boundary locks below are finance's own. ``entrypoints/handlers.py`` wires
the PostgreSQL adapters (``adapters/postgres_ports.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol
from uuid import UUID

from ap_contracts.events.finance import BudgetSet
from ap_finance.reports.snapshot import LedgerSnapshot

Clock = Callable[[], datetime]


class BudgetLookups(Protocol):
    """Small reads of the budget streams the handlers make before deciding."""

    async def budget_set(self, provision_id: str, financial_year: str) -> BudgetSet | None:
        """The BudgetSet that opens the budget's stream, or None when the budget has not been set."""
        ...

    async def stream_version(self, provision_id: str, financial_year: str) -> int:
        """The budget stream's version (0 when it does not exist)."""
        ...

    async def event_types(self, event_ids: Sequence[UUID]) -> tuple[str, ...]:
        """The types of the given stored events, in stream order."""
        ...


class LedgerReadModel(Protocol):
    """The projected ledger of one budget, read consistently."""

    async def snapshot(self, provision_id: str, financial_year: str,
                       recorded_by: datetime | None = None) -> LedgerSnapshot | None:
        """The budget's ledger as projected so far (only the events recorded by ``recorded_by`` when given), or
        None when no such event of it has been projected."""
        ...


class BoundaryLocks(Protocol):
    """Serialises "check the other year, then append" across the boundary between two financial years."""

    def locked(self, provision_id: str, into_year: str) -> AbstractAsyncContextManager[None]:
        """Hold the lock of the boundary into ``into_year`` for this provision while the block runs."""
        ...
