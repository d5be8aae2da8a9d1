"""Budget control (rule book ``BUDGET_CONTROL_VERSION``): what new spend may take from a line, and when a
commitment takes its line past its budget. Shared by recording spend and commitments and by the second
signature that records an item over the threshold."""

from __future__ import annotations

from ap_contracts.events.finance import (
    BudgetCategory,
    BudgetSet,
    CommitmentRaised,
    FinanceEvent,
    FundingSource,
    LineOverrunWarned,
)
from ap_finance.domain.errors import SpendExceedsLineRemaining
from ap_finance.domain.guards import scope
from ap_finance.domain.rule_book import BUDGET_CONTROL_VERSION
from ap_finance.domain.state import BudgetState


def require_within_line(state: BudgetState, category: BudgetCategory, funding_source: FundingSource,
                        amount_pence: int) -> None:
    """Rule budget_control.spend_within_line: new spend stays within what is left on its line plus any
    overspend the budget holder approved for it (a virement into the line is the other way)."""
    cell = (category, funding_source)
    available = state.remaining_pence(cell) + state.overspend_allowed_pence(cell)
    if amount_pence > available:
        raise SpendExceedsLineRemaining(category.value, funding_source.value, amount_pence, max(available, 0))


def overrun_pence(state: BudgetState, commitment: CommitmentRaised) -> int | None:
    """The line's remaining after ``commitment`` when that is below zero (a warning is recorded), else None."""
    remaining_after = state.remaining_pence((commitment.category, commitment.funding_source)) - commitment.amount_pence
    return remaining_after if remaining_after < 0 else None


def overrun_warning(state: BudgetState, budget: BudgetSet, commitment: CommitmentRaised) -> list[FinanceEvent]:
    """Budget control's warning: a commitment that takes its line past its budget is accepted and recorded
    with ``LineOverrunWarned`` (the reply names it), whether raised by its command or by the second signature
    on one over the threshold."""
    overrun = overrun_pence(state, commitment)
    if overrun is None:
        return []
    return [LineOverrunWarned(
        **scope(budget), commitment_id=commitment.commitment_id, category=commitment.category,
        funding_source=commitment.funding_source, remaining_after_pence=overrun,
        budget_control_version=BUDGET_CONTROL_VERSION,
    )]
