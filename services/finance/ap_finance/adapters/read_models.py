"""Reading the finance read models: one budget's ledger, report tables and placements, consistently."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import asyncpg

from ap_contracts.events.finance import BudgetCategory, FundingSource
from ap_contracts.finance_ledger.balances import balances_by_line, surplus_positions
from ap_finance.domain.ledger import Balance, LedgerAccount, LedgerEntry, LineKey, SurplusPosition
from ap_finance.projections.directory import OrganisationDirectoryProjection, organisation_names
from ap_finance.projections.ledger import FinanceLedgerProjection
from ap_finance.projections.placements import PlacementCostsProjection
from ap_finance.reports.models import PendingItemFigures, VirementFigures
from ap_finance.reports.placement_costs import PlacementPeriod
from ap_finance.reports.snapshot import BudgetInfo, LedgerSnapshot
from ap_runtime.projection import read_models


def _entry(row: asyncpg.Record) -> LedgerEntry:
    return LedgerEntry(
        transaction=int(row["txn"]),
        event_type=str(row["event_type"]),
        provision_id=str(row["provision_id"]),
        financial_year=str(row["financial_year"]),
        account=LedgerAccount(row["account"]),
        category=None if row["category"] is None else BudgetCategory(row["category"]),
        funding_source=None if row["funding_source"] is None else FundingSource(row["funding_source"]),
        amount_pence=int(row["amount_pence"]),
        school_id=row["school_id"],
    )


def _budget(row: asyncpg.Record) -> BudgetInfo:
    return BudgetInfo(
        provision_id=row["provision_id"], financial_year=row["financial_year"], budget_id=row["budget_id"],
        stream_id=row["stream_id"], host_school_id=row["host_school_id"], partnership_id=row["partnership_id"],
        signature_threshold_pence=int(row["signature_threshold_pence"]), closed_on=row["closed_on"],
        ledger_version=int(row["last_stream_version"]), last_event_id=row["last_event_id"],
        last_recorded_at=row["last_recorded_at"],
    )


async def _lines(conn: asyncpg.Connection, provision_id: str, year: str) -> dict[LineKey, Balance]:
    rows = await conn.fetch(
        "SELECT * FROM line_balances WHERE provision_id = $1 AND financial_year = $2", provision_id, year
    )
    return {
        (provision_id, year, None if r["category"] is None else BudgetCategory(r["category"]),
         FundingSource(r["funding_source"])):
            Balance(int(r["budget_pence"]), int(r["actual_pence"]), int(r["committed_pence"]),
                    int(r["remaining_pence"]))
        for r in rows
    }


async def _surplus(conn: asyncpg.Connection, provision_id: str, year: str) -> SurplusPosition | None:
    r = await conn.fetchrow(
        "SELECT * FROM surplus_positions WHERE provision_id = $1 AND financial_year = $2", provision_id, year
    )
    if r is None:
        return None
    return SurplusPosition(int(r["surplus_pence"]), int(r["available_pence"]), int(r["allocated_pence"]),
                           int(r["clawed_back_pence"]), int(r["carried_forward_pence"]))


async def _placements(conn: asyncpg.Connection, provision_id: str,
                      recorded_by: datetime | None = None) -> tuple[PlacementPeriod, ...]:
    """The provision's placements (with ``recorded_by``: those whose start was recorded by then, with their end
    only if that was recorded by then too)."""
    try:
        rows = await conn.fetch(
            "SELECT start_date, CASE WHEN $2::timestamptz IS NULL OR end_recorded_at <= $2 THEN end_date END"
            " AS end_date FROM placements WHERE provision_id = $1 AND start_date IS NOT NULL"
            " AND ($2::timestamptz IS NULL OR start_recorded_at <= $2) ORDER BY start_date, placement_id",
            provision_id, recorded_by,
        )
    except asyncpg.UndefinedTableError:
        return ()
    return tuple(PlacementPeriod(r["start_date"], r["end_date"]) for r in rows)


async def _as_recorded_by(conn: asyncpg.Connection, budget: BudgetInfo, recorded_by: datetime | None
                         ) -> BudgetInfo | None:
    """The budget as the event store had recorded it by ``recorded_by`` (issue 15, point in time): its stream
    position is the last event recorded by then, and it is closed only if its ``YearClosed`` was; None when
    none of its events had been recorded yet. Without a moment, the budget as projected so far."""
    if recorded_by is None:
        return budget
    last = await conn.fetchrow(
        "WITH known AS (SELECT * FROM ledger_transactions WHERE provision_id = $1 AND financial_year = $2"
        "               AND recorded_at <= $3)"
        " SELECT stream_version, event_id, recorded_at,"
        "        (SELECT effective_on FROM known WHERE event_type = 'YearClosed') AS closed_on"
        " FROM known ORDER BY stream_version DESC LIMIT 1",
        budget.provision_id, budget.financial_year, recorded_by,
    )
    if last is None:
        return None
    return replace(budget, closed_on=last["closed_on"], ledger_version=int(last["stream_version"]),
                   last_event_id=last["event_id"], last_recorded_at=last["recorded_at"])


async def load_snapshot(pool: asyncpg.Pool, provision_id: str, year: str,
                        recorded_by: datetime | None = None) -> LedgerSnapshot | None:
    """The budget's ledger as projected so far, or None when no event of it has been projected; with
    ``recorded_by``, only the events the event store had recorded by that moment (their envelope's
    ``recorded_at``), so a report asked for again for the same moment has the same figures whatever was
    recorded since. Running balances (``lines``, ``surplus``) are then folded from those entries."""
    # The placement read model is optional: without placement events, costs show as not applicable.
    async with read_models(pool, [FinanceLedgerProjection.name],
                           optional=[PlacementCostsProjection.name, OrganisationDirectoryProjection.name]) as conn:
        budget_row = await conn.fetchrow(
            "SELECT * FROM budgets WHERE provision_id = $1 AND financial_year = $2", provision_id, year
        )
        budget = None if budget_row is None else await _as_recorded_by(conn, _budget(budget_row), recorded_by)
        if budget is None:
            return None
        entry_rows = await conn.fetch(
            "SELECT e.*, t.event_type, t.effective_on FROM ledger_entries e JOIN ledger_transactions t USING (txn)"
            " WHERE e.provision_id = $1 AND e.financial_year = $2 AND ($3::timestamptz IS NULL OR t.recorded_at <= $3)"
            " ORDER BY e.txn, e.seq",
            provision_id, year, recorded_by,
        )
        effective: dict[int, date | None] = {int(r["txn"]): r["effective_on"] for r in entry_rows}
        entries = tuple(_entry(r) for r in entry_rows)
        named = {provision_id, budget.host_school_id, budget.partnership_id,
                 *(e.school_id for e in entries if e.school_id is not None)}
        folded = recorded_by is not None
        return LedgerSnapshot(
            budget=budget,
            entries=entries,
            effective_on=effective,
            lines=balances_by_line(entries) if folded else await _lines(conn, provision_id, year),
            surplus=(surplus_positions(entries).get((provision_id, year)) if folded
                     else await _surplus(conn, provision_id, year)),
            pending=await _pending(conn, provision_id, year),
            virements=await _virements(conn, provision_id, year, recorded_by),
            names=await organisation_names(conn, named, budget_row["partnership_id"]),
            placements=await _placements(conn, provision_id, recorded_by),
        )


async def _pending(conn: asyncpg.Connection, provision_id: str, year: str) -> tuple[PendingItemFigures, ...]:
    """Spend and commitments still awaiting signatures, oldest first."""
    rows = await conn.fetch(
        "SELECT * FROM pending_items WHERE provision_id = $1 AND financial_year = $2 AND NOT completed"
        " ORDER BY item_date, item_id",
        provision_id, year,
    )
    return tuple(PendingItemFigures(item_kind=r["item_kind"], category=r["category"],
                                    funding_source=r["funding_source"], amount_pence=int(r["amount_pence"]),
                                    item_date=r["item_date"], signed_for=tuple(r["signed_for"])) for r in rows)


async def _virements(conn: asyncpg.Connection, provision_id: str, year: str,
                     recorded_by: datetime | None = None) -> tuple[VirementFigures, ...]:
    """The year's virements in the order they were recorded (those recorded by ``recorded_by`` when given)."""
    rows = await conn.fetch(
        "SELECT * FROM virements WHERE provision_id = $1 AND financial_year = $2"
        " AND ($3::timestamptz IS NULL OR recorded_at <= $3) ORDER BY recorded_at",
        provision_id, year, recorded_by,
    )
    return tuple(VirementFigures(from_category=r["from_category"], to_category=r["to_category"],
                                 funding_source=r["funding_source"], amount_pence=int(r["amount_pence"]),
                                 approved=bool(r["approved"])) for r in rows)
