"""The finance event store on PostgreSQL: pool, migrations, and the two lookups the handlers need."""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.finance import BudgetSet
from ap_contracts.upcasting import read_event
from ap_finance.domain.financial_year import budget_stream_id
from ap_finance.projections.directory import OrganisationDirectoryProjection
from ap_finance.projections.ledger import FinanceLedgerProjection
from ap_finance.projections.placements import PlacementCostsProjection
from ap_finance.projections.reintegrations import FinanceCalendarProjection, ReintegrationsProjection
from ap_runtime.commands import migrate_commands
from ap_runtime.eventstore import migrate
from ap_runtime.projection.store import ensure_registered
from ap_runtime.settings import database_dsn

FINANCE_DATABASE = "ap_finance"


def finance_dsn() -> str:
    """``$AP_DSN_AP_FINANCE``, else the ``ap_finance`` database on the ``$DATABASE_URL`` server."""
    return database_dsn(FINANCE_DATABASE)


async def open_pool(dsn: str, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=max_size)
    if pool is None:  # asyncpg's typing allows None; a created pool never is
        raise RuntimeError(f"could not open a pool on {dsn}")
    return pool


def _stored_event(row: asyncpg.Record) -> DomainEvent:
    """A stored finance event at its latest version (the upcasters), as every reader of old versions sees it. The
    budget streams read here hold finance events only, never a PlacementStarted, and no personal field."""
    payload = row["payload"]
    return read_event(row["event_type"], row["schema_version"],
                      json.loads(payload) if isinstance(payload, str) else dict(payload))


async def migrate_finance(events_pool: asyncpg.Pool, read_pool: asyncpg.Pool) -> None:
    """Event store, processed commands, and the read models' first generation (empty until projected)."""
    await migrate(events_pool)
    await migrate_commands(events_pool)
    await ensure_registered(read_pool, FinanceLedgerProjection())
    await ensure_registered(read_pool, PlacementCostsProjection())
    await ensure_registered(read_pool, OrganisationDirectoryProjection())
    await ensure_registered(read_pool, ReintegrationsProjection())
    await ensure_registered(read_pool, FinanceCalendarProjection())


async def budget_set(pool: asyncpg.Pool, provision_id: str, financial_year: str) -> BudgetSet | None:
    """The BudgetSet that opens a budget's stream, or None when the budget has not been set."""
    row = await pool.fetchrow(
        "SELECT event_type, schema_version, payload FROM events WHERE stream_id = $1 AND stream_version = 1",
        budget_stream_id(provision_id, financial_year),
    )
    if row is None:
        return None
    event = _stored_event(row)
    return event if isinstance(event, BudgetSet) else None


async def stream_version(pool: asyncpg.Pool, provision_id: str, financial_year: str) -> int:
    value = await pool.fetchval(
        "SELECT version FROM streams WHERE stream_id = $1", budget_stream_id(provision_id, financial_year)
    )
    return int(value or 0)


async def event_types(pool: asyncpg.Pool, event_ids: Sequence[UUID]) -> tuple[str, ...]:
    """The types of the given events, in stream order."""
    rows = await pool.fetch(
        "SELECT event_type FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY stream_version", list(event_ids)
    )
    return tuple(str(r["event_type"]) for r in rows)


async def budget_sets(pool: asyncpg.Pool) -> tuple[BudgetSet, ...]:
    """Every budget's BudgetSet (the first event of each budget stream), by provision and financial year."""
    rows = await pool.fetch(
        "SELECT event_type, schema_version, payload FROM events WHERE event_type = 'BudgetSet' AND stream_version = 1"
        " ORDER BY stream_id"
    )
    found = (_stored_event(r) for r in rows)
    return tuple(event for event in found if isinstance(event, BudgetSet))
