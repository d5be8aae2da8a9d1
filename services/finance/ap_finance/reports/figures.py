"""Report figures from ledger entries, through the domain's own balance functions (no maths here
beyond adding rows into a total)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from ap_contracts.events.finance import BudgetCategory, FundingSource
from ap_finance.domain.ledger import (
    Balance,
    LedgerAccount,
    LedgerEntry,
    balances_by_category,
    balances_by_funding_source,
    surplus_positions,
)
from ap_finance.reports.forecast import forecast_outturn_pence
from ap_finance.reports.models import (
    BudgetHeader,
    CategoryFigures,
    FundingFigures,
    PlacementCostFigures,
    SchoolAllocationFigures,
    SourcePosition,
    YearEndFigures,
)
from ap_finance.reports.placement_costs import placement_costs, published
from ap_finance.reports.snapshot import LedgerSnapshot

UNALLOCATED = "unallocated"
VIREMENT_EVENT = "VirementMade"
TOTAL = "total"


def header(snapshot: LedgerSnapshot, as_at: date, generated_at: datetime) -> BudgetHeader:
    budget = snapshot.budget
    return BudgetHeader(
        **snapshot.parties(),
        financial_year=budget.financial_year,
        year_closed_on=budget.closed_on,
        as_at=as_at,
        generated_at=generated_at,
        source=SourcePosition(
            stream_id=budget.stream_id,
            stream_version=budget.ledger_version,
            event_id=budget.last_event_id,
            recorded_at=budget.last_recorded_at,
        ),
    )


def _row(line: str, balance: Balance, virements: Balance, financial_year: str, as_at: date,
         closed: bool) -> CategoryFigures:
    forecast = forecast_outturn_pence(balance.actual_pence, balance.committed_pence, financial_year, as_at, closed)
    return CategoryFigures(
        line=line,
        virements_pence=virements.budget_pence,
        budget_pence=balance.budget_pence,
        actual_pence=balance.actual_pence,
        committed_pence=balance.committed_pence,
        remaining_pence=balance.remaining_pence,
        forecast_outturn_pence=forecast,
        forecast_variance_pence=balance.budget_pence - forecast,
    )


def total_of(rows: Iterable[CategoryFigures]) -> CategoryFigures:
    listed = list(rows)
    return CategoryFigures(
        line=TOTAL,
        budget_pence=sum(r.budget_pence for r in listed),
        actual_pence=sum(r.actual_pence for r in listed),
        committed_pence=sum(r.committed_pence for r in listed),
        remaining_pence=sum(r.remaining_pence for r in listed),
        forecast_outturn_pence=sum(r.forecast_outturn_pence for r in listed),
        forecast_variance_pence=sum(r.forecast_variance_pence for r in listed),
        virements_pence=sum(r.virements_pence for r in listed),
    )


def category_figures(snapshot: LedgerSnapshot, as_at: date) -> tuple[tuple[CategoryFigures, ...], CategoryFigures]:
    """Rows in category order (unallocated funding last, shown only when non-zero) and their total."""
    budget = snapshot.budget
    closed = budget.closed_on is not None
    by_category = {category: balance for (_, _, category), balance in balances_by_category(snapshot.entries).items()}
    # A virement's budget entries alone: their balance per category is the net budget moved in (or out).
    moved = {category: balance for (_, _, category), balance in balances_by_category(
        e for e in snapshot.entries if e.event_type == VIREMENT_EVENT).items()}
    rows = [
        _row(category.value, by_category[category], moved.get(category, Balance()), budget.financial_year, as_at,
             closed)
        for category in BudgetCategory
        if category in by_category
    ]
    unallocated = by_category.get(None)
    if unallocated is not None and unallocated != Balance():
        rows.append(_row(UNALLOCATED, unallocated, moved.get(None, Balance()), budget.financial_year, as_at, closed))
    return tuple(rows), total_of(rows)


def funding_figures(snapshot: LedgerSnapshot) -> tuple[tuple[FundingFigures, ...], FundingFigures]:
    by_source = {source: balance for (_, _, source), balance in balances_by_funding_source(snapshot.entries).items()}
    rows = [
        FundingFigures(
            funding_source=source.value,
            budget_pence=by_source[source].budget_pence,
            actual_pence=by_source[source].actual_pence,
            committed_pence=by_source[source].committed_pence,
            remaining_pence=by_source[source].remaining_pence,
        )
        for source in FundingSource
        if source in by_source
    ]
    total = FundingFigures(
        funding_source=TOTAL,
        budget_pence=sum(r.budget_pence for r in rows),
        actual_pence=sum(r.actual_pence for r in rows),
        committed_pence=sum(r.committed_pence for r in rows),
        remaining_pence=sum(r.remaining_pence for r in rows),
    )
    return tuple(rows), total


def year_end_figures(snapshot: LedgerSnapshot) -> YearEndFigures:
    budget = snapshot.budget
    by_source = balances_by_funding_source(snapshot.entries)
    brought = by_source.get((budget.provision_id, budget.financial_year, FundingSource.CARRY_FORWARD), Balance())
    # A position exists once the year is closed: SurplusDetermined opens it, even at zero.
    position = surplus_positions(snapshot.entries).get((budget.provision_id, budget.financial_year))
    if position is None:
        return YearEndFigures(
            brought_forward_pence=brought.budget_pence, surplus_pence=None, allocated_to_schools_pence=0,
            clawed_back_pence=0, carried_forward_pence=0, still_available_pence=0,
        )
    return YearEndFigures(
        brought_forward_pence=brought.budget_pence,
        surplus_pence=position.surplus_pence,
        allocated_to_schools_pence=position.allocated_pence,
        clawed_back_pence=position.clawed_back_pence,
        carried_forward_pence=position.carried_forward_pence,
        still_available_pence=position.available_pence,
    )


def allocation_figures(entries: Iterable[LedgerEntry],
                       names: Mapping[str, str] | None = None) -> tuple[SchoolAllocationFigures, ...]:
    """Each school's total share of the surplus, from the ALLOCATED_TO_SCHOOLS entries, with its name if known."""
    totals: dict[str, int] = {}
    for entry in entries:
        if entry.account is LedgerAccount.ALLOCATED_TO_SCHOOLS and entry.school_id is not None:
            totals[entry.school_id] = totals.get(entry.school_id, 0) + entry.amount_pence
    known = names or {}
    return tuple(SchoolAllocationFigures(school_id=school, amount_pence=totals[school], school_name=known.get(school))
                 for school in sorted(totals))


def placement_figures(snapshot: LedgerSnapshot, actual_pence: int, as_at: date) -> PlacementCostFigures:
    costs = placement_costs(snapshot.placements, snapshot.budget.financial_year, as_at, actual_pence)
    shown = published(costs)
    return PlacementCostFigures(
        placements=shown.placements,
        pupil_days=shown.pupil_days,
        actual_pence=costs.actual_pence,
        cost_per_placement_pence=shown.cost_per_placement_pence,
        cost_per_pupil_day_pence=shown.cost_per_pupil_day_pence,
    )
