"""The three finance reports, each built from one ledger snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from ap_contracts.events.finance import BudgetCategory, SurplusAllocated
from ap_finance.domain.ledger import LedgerAccount, balances_by_category
from ap_finance.reports.allocation_figures import allocation_detail
from ap_finance.reports.figures import (
    allocation_figures,
    category_figures,
    funding_figures,
    header,
    placement_figures,
    year_end_figures,
)
from ap_finance.reports.models import (
    GoverningBodySummary,
    QuarterlyReturn,
    TermlyMonitoring,
    TermSpend,
)
from ap_finance.reports.notes import standard_notes
from ap_finance.reports.periods import Period, Term, quarter, report_date, term
from ap_finance.reports.snapshot import LedgerSnapshot


def _position(snapshot: LedgerSnapshot, when: date, generated_at: datetime,
              allocated: Sequence[SurplusAllocated]) -> dict[str, Any]:
    """What every report shows of the budget's position on ``when``: the sections the three reports share,
    built once; each report adds its own period and sections (the report model checks every name and type)."""
    top = header(snapshot, when, generated_at)
    categories, total = category_figures(snapshot, when)
    detail = allocation_detail(allocated, snapshot.names)
    return {
        "header": top,
        "categories": categories,
        "total": total,
        "year_end": year_end_figures(snapshot),
        "allocations": allocation_figures(snapshot.entries, snapshot.names),
        "placement_costs": placement_figures(snapshot, total.actual_pence, when),
        "notes": standard_notes(top),
        "allocations_made": detail.made,
        "allocation_part_amounts": detail.part_amounts,
        "allocation_parts": detail.part_shares,
        "allocation_needs_scores": detail.needs_scores,
    }


def quarterly_return(snapshot: LedgerSnapshot, number: int, today: date, generated_at: datetime,
                     as_at: date | None = None, allocated: Sequence[SurplusAllocated] = ()) -> QuarterlyReturn:
    """Budget vs actual by category, commitments, forecast outturn and carry-forward (seed 001, appendix 5),
    and each allocation of the surplus in ``allocated`` (its recorded events) part by part."""
    period = quarter(snapshot.budget.financial_year, number)
    funding, funding_total = funding_figures(snapshot)
    return QuarterlyReturn(
        **_position(snapshot, report_date(period.end, today, as_at), generated_at, allocated),
        quarter=number,
        period_start=period.start,
        period_end=period.end,
        funding=funding,
        funding_total=funding_total,
    )


def _spend_in(snapshot: LedgerSnapshot, period: Period) -> tuple[TermSpend, ...]:
    """Actual spend dated in the period, by category (spend dates are the events' ``spent_on``)."""
    in_period = [
        entry for entry in snapshot.entries
        if entry.account is LedgerAccount.ACTUAL
        and (day := snapshot.effective_on.get(entry.transaction)) is not None
        and period.contains(day)
    ]
    by_category = {category: balance for (_, _, category), balance in balances_by_category(in_period).items()}
    return tuple(
        TermSpend(line=category.value, actual_pence=by_category[category].actual_pence)
        for category in BudgetCategory
        if category in by_category
    )


def termly_monitoring(snapshot: LedgerSnapshot, which: Term, today: date, generated_at: datetime,
                      as_at: date | None = None, allocated: Sequence[SurplusAllocated] = ()) -> TermlyMonitoring:
    """Position to date, the term's spend, items awaiting signatures and virements (seed 001, section 5), and
    each allocation of the surplus in ``allocated`` part by part."""
    period = term(snapshot.budget.financial_year, which)
    spend = _spend_in(snapshot, period)
    return TermlyMonitoring(
        **_position(snapshot, report_date(period.end, today, as_at), generated_at, allocated),
        term=period.label,
        period_start=period.start,
        period_end=period.end,
        spend_in_term=spend,
        spend_in_term_total_pence=sum(row.actual_pence for row in spend),
        awaiting_signatures=snapshot.pending,
        virements_to_date=snapshot.virements,
    )


def governing_body_summary(snapshot: LedgerSnapshot, today: date, generated_at: datetime,
                           as_at: date | None = None, allocated: Sequence[SurplusAllocated] = ()
                           ) -> GoverningBodySummary:
    """Totals, categories, funding, year end and placement costs for the host school's governors, and each
    allocation of the surplus in ``allocated`` part by part."""
    funding, _ = funding_figures(snapshot)
    return GoverningBodySummary(**_position(snapshot, as_at or today, generated_at, allocated), funding=funding)
