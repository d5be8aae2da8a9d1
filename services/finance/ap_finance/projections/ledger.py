"""The ``finance_ledger`` read model: the domain's double-entry ledger, kept per event.

Rule served: budget = actual + committed + remaining per line, category and provision-year, and a
closed year's surplus fully accounted for (BRIEF.md section 3). All money movements come from the
domain's ``post`` (no maths here); this module only stores what it returns and adds each
transaction's per-line change (``balances_by_line``) and surplus change (``surplus_positions``)
to the running balances.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import asyncpg

from ap_contracts.envelope import EventEnvelope
from ap_contracts.events.base import UnknownEventType, event_model
from ap_contracts.events.finance import BudgetCategory, FinanceEvent, FundingSource
from ap_contracts.topics import FINANCE_EVENTS
from ap_finance.domain.ledger import (
    Balance,
    LedgerBook,
    LedgerEntry,
    LineKey,
    SurplusPosition,
    YearKey,
    balances_by_line,
    post,
    surplus_positions,
)
from ap_finance.projections.ledger_details import effective_date, record_details
from ap_finance.projections.ledger_schema import LEDGER_DDL
from ap_runtime.projection import Projection, ReceivedEvent


def finance_event(received: ReceivedEvent) -> FinanceEvent | None:
    """The received event as its finance contract model, or None for any other event."""
    try:
        model = event_model(received.event_type, received.envelope.schema_version)
    except UnknownEventType:
        return None
    if not issubclass(model, FinanceEvent):
        return None
    return model.model_validate(received.payload)


class FinanceLedgerProjection(Projection):
    """Ledger entries, running balances and report tables of every budget (topic: finance events)."""

    name = "finance_ledger"
    topics = (FINANCE_EVENTS,)
    ddl = LEDGER_DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        model = finance_event(event)
        if model is None:
            return
        txn = await _transaction(conn, model, event.envelope)
        book = await _book(conn, model)
        entries, after = post(model, book, txn)
        await _save_book(conn, book, after)
        await _insert_entries(conn, entries)
        await _add_line_balances(conn, balances_by_line(entries))
        await _add_surplus(conn, surplus_positions(entries))
        await record_details(conn, model, event.envelope)


async def _transaction(conn: asyncpg.Connection, event: FinanceEvent, envelope: EventEnvelope) -> int:
    txn = await conn.fetchval(
        "INSERT INTO ledger_transactions"
        " (event_id, provision_id, financial_year, stream_version, event_type, effective_on, recorded_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING txn",
        envelope.event_id, event.provision_id, event.financial_year, envelope.stream_version,
        event.event_type, effective_date(event), envelope.recorded_at,
    )
    return int(txn)


async def _book(conn: asyncpg.Connection, event: FinanceEvent) -> LedgerBook:
    rows = await conn.fetch(
        "SELECT category, funding_source, amount_pence FROM line_budgets"
        " WHERE provision_id = $1 AND financial_year = $2",
        event.provision_id, event.financial_year,
    )
    lines: dict[LineKey, int] = {
        (event.provision_id, event.financial_year, BudgetCategory(r["category"]), FundingSource(r["funding_source"])):
            int(r["amount_pence"])
        for r in rows
    }
    return LedgerBook(line_budget_pence=lines)


async def _save_book(conn: asyncpg.Connection, before: LedgerBook, after: LedgerBook) -> None:
    changed = [(key, pence) for key, pence in after.line_budget_pence.items()
               if before.line_budget_pence.get(key) != pence]
    for (provision, year, category, source), pence in changed:
        if category is None:
            continue
        await conn.execute(
            "INSERT INTO line_budgets (provision_id, financial_year, category, funding_source, amount_pence)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (provision_id, financial_year, category, funding_source)"
            " DO UPDATE SET amount_pence = EXCLUDED.amount_pence",
            provision, year, category.value, source.value, pence,
        )


async def _insert_entries(conn: asyncpg.Connection, entries: Sequence[LedgerEntry]) -> None:
    await conn.executemany(
        "INSERT INTO ledger_entries (txn, seq, provision_id, financial_year, account, category, funding_source,"
        " school_id, amount_pence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            (e.transaction, seq, e.provision_id, e.financial_year, e.account.value,
             None if e.category is None else e.category.value,
             None if e.funding_source is None else e.funding_source.value, e.school_id, e.amount_pence)
            for seq, e in enumerate(entries)
        ],
    )


async def _add_line_balances(conn: asyncpg.Connection, changes: Mapping[LineKey, Balance]) -> None:
    await conn.executemany(
        "INSERT INTO line_balances AS b (provision_id, financial_year, category, funding_source, budget_pence,"
        " actual_pence, committed_pence, remaining_pence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (provision_id, financial_year, category, funding_source) DO UPDATE SET"
        " budget_pence = b.budget_pence + EXCLUDED.budget_pence,"
        " actual_pence = b.actual_pence + EXCLUDED.actual_pence,"
        " committed_pence = b.committed_pence + EXCLUDED.committed_pence,"
        " remaining_pence = b.remaining_pence + EXCLUDED.remaining_pence",
        [
            (provision, year, None if category is None else category.value, source.value,
             c.budget_pence, c.actual_pence, c.committed_pence, c.remaining_pence)
            for (provision, year, category, source), c in changes.items()
        ],
    )


async def _add_surplus(conn: asyncpg.Connection, changes: Mapping[YearKey, SurplusPosition]) -> None:
    await conn.executemany(
        "INSERT INTO surplus_positions AS s (provision_id, financial_year, surplus_pence, available_pence,"
        " allocated_pence, clawed_back_pence, carried_forward_pence) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (provision_id, financial_year) DO UPDATE SET"
        " surplus_pence = s.surplus_pence + EXCLUDED.surplus_pence,"
        " available_pence = s.available_pence + EXCLUDED.available_pence,"
        " allocated_pence = s.allocated_pence + EXCLUDED.allocated_pence,"
        " clawed_back_pence = s.clawed_back_pence + EXCLUDED.clawed_back_pence,"
        " carried_forward_pence = s.carried_forward_pence + EXCLUDED.carried_forward_pence",
        [
            (provision, year, c.surplus_pence, c.available_pence, c.allocated_pence, c.clawed_back_pence,
             c.carried_forward_pence)
            for (provision, year), c in changes.items()
        ],
    )
