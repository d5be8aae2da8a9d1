"""The Budget Summary of a Neighbourhood Partnership's annual report (seed 001 appendix 3): for the partnership's
provision(s) and the financial year, each budget line's revised budget, actual spend, commitments and remaining,
as finance's ledger has them.

Source (issue 15): reporting projects finance's own events (``ap.finance.events``: budgets, lines, virements,
spend, commitments) into a versioned read model (``projections/finance_ledger``) and folds them here with
finance's own ledger arithmetic (``ap_contracts.finance_ledger``: budget = actual + committed + remaining), never
a second copy of it. Finance's published report event (``ReportPublished``) was not used: it carries a digest
and the figures that changed between editions, not the figures, so the summary could not be read from it.

The report is of an academic year (``2024/25``); its Budget Summary is of the financial year that starts in it
(``2024-25``, 1 April 2024 to 31 March 2025, the year whose budget the partnership's board set for it).
Money is shown to the pound as finance's quarterly return shows it; no figure here is about a pupil, so
nothing is suppressed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ap_contracts.events.finance import BudgetCategory, BudgetSet, FinanceEvent
from ap_contracts.finance_ledger.balances import Balance, balances_by_category
from ap_contracts.finance_ledger.entries import derive_entries

UNALLOCATED = "Not yet given to a line"
LINE_NAMES = {BudgetCategory.STAFFING: "Staffing", BudgetCategory.RESOURCES: "Resources",
              BudgetCategory.TRAINING_CPD: "Training and CPD", BudgetCategory.PREMISES: "Premises",
              BudgetCategory.TRANSPORT: "Transport", BudgetCategory.EXTERNAL_SERVICES: "External services",
              BudgetCategory.CONTINGENCY: "Contingency", BudgetCategory.OTHER: "Other"}


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """One budget line of the partnership's provisions, summed over them and their funding sources."""

    name: str
    budget_pence: int
    actual_pence: int
    committed_pence: int
    remaining_pence: int


@dataclass(frozen=True, slots=True)
class BudgetSummary:
    partnership_id: str
    financial_year: str
    provisions: tuple[str, ...]
    lines: tuple[BudgetLine, ...]

    def line(self, name: str) -> BudgetLine | None:
        return next((line for line in self.lines if line.name == name), None)

    def total(self) -> BudgetLine:
        return _line("Total", self.lines)


def financial_year_of(academic_year: str) -> str:
    """The financial year starting in the academic year: ``2024/25`` -> ``2024-25``."""
    start, _, end = academic_year.partition("/")
    if not (start.isdigit() and end.isdigit() and len(start) == 4 and len(end) == 2):
        raise ValueError(f"academic year {academic_year!r} is not written like 2024/25")
    return f"{start}-{end}"


def _line(name: str, parts: Iterable[BudgetLine | Balance]) -> BudgetLine:
    listed = list(parts)
    return BudgetLine(name, sum(p.budget_pence for p in listed), sum(p.actual_pence for p in listed),
                      sum(p.committed_pence for p in listed), sum(p.remaining_pence for p in listed))


def budget_summary(partnership_id: str, academic_year: str, events: Sequence[FinanceEvent]) -> BudgetSummary:
    """The lines of the budgets set for the partnership's provisions for the year, from ``events`` in the order
    finance recorded them (each budget's stream in order), by finance's ledger arithmetic."""
    year = financial_year_of(academic_year)
    budgets = {e.budget_id: e.provision_id for e in events
               if isinstance(e, BudgetSet) and e.partnership_id == partnership_id and e.financial_year == year}
    balances = balances_by_category(derive_entries(e for e in events if e.budget_id in budgets))
    by_name: dict[str, list[Balance]] = {}
    for (_, _, category), balance in balances.items():
        by_name.setdefault(UNALLOCATED if category is None else LINE_NAMES[category], []).append(balance)
    order = [*LINE_NAMES.values(), UNALLOCATED]
    lines = tuple(_line(name, by_name[name]) for name in order if name in by_name
                  and any((b.budget_pence, b.actual_pence, b.committed_pence) != (0, 0, 0) for b in by_name[name]))
    return BudgetSummary(partnership_id, year, tuple(sorted(set(budgets.values()))), lines)
