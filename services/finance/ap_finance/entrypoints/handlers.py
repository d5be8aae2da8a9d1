"""Wiring: the finance handlers on the PostgreSQL adapters of their ports.

Rule served: the application depends on ports (``application/ports.py``), the entrypoints choose
the adapters. The HTTP deps, the tests and anything else that runs finance on PostgreSQL build the
handlers here, so the choice of adapters is made once.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from ap_finance.adapters.postgres_ports import (
    AdvisoryBoundaryLocks,
    PostgresBudgetIndex,
    PostgresBudgetLookups,
    PostgresLedgerReadModel,
)
from ap_finance.application.authorisation import Authoriser
from ap_finance.application.browse import FinanceBrowse
from ap_finance.application.commands import FinanceCommands
from ap_finance.application.ports import Clock
from ap_finance.application.queries import FinanceQueries
from ap_finance.projections.reintegrations import reintegration_facts
from ap_runtime.access import default_policy_store
from ap_runtime.eventstore import EventStore


def _utc_now() -> datetime:
    return datetime.now(UTC)


def finance_commands(store: EventStore, authoriser: Authoriser) -> FinanceCommands:
    """Command handlers on the event store's pool (lookups and boundary locks share it)."""
    return FinanceCommands(store, PostgresBudgetLookups(store.pool), AdvisoryBoundaryLocks(store.pool), authoriser)


def finance_queries(store: EventStore, read_pool: asyncpg.Pool, authoriser: Authoriser,
                    clock: Clock = _utc_now) -> FinanceQueries:
    """Reads: budget lookups on the event store, the ledger on the read-model pool."""
    return FinanceQueries(store, PostgresBudgetLookups(store.pool), PostgresLedgerReadModel(read_pool), authoriser,
                          clock=clock, reintegrations=lambda provision: reintegration_facts(read_pool, provision))


def finance_browse(store: EventStore, authoriser: Authoriser) -> FinanceBrowse:
    """Browsing budgets: streams, lookups and the budget index on the event store, the current access policy."""
    return FinanceBrowse(store, PostgresBudgetLookups(store.pool), PostgresBudgetIndex(store.pool), authoriser,
                         lambda: default_policy_store().current())
