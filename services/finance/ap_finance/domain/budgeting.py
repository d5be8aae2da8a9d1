"""Deciding on the budget itself: setting it, its lines, virements between lines, and closing the year."""

from __future__ import annotations

from ap_contracts.events.finance import (
    BudgetLineFields,
    BudgetLineSet,
    BudgetSet,
    FinanceEvent,
    SurplusDetermined,
    VirementFields,
    VirementMade,
    VirementRequested,
    VirementRequestFields,
    YearClosed,
    values_of,
)
from ap_finance.domain.commands import CloseYear, MakeVirement, SetBudget, SetBudgetLine
from ap_finance.domain.errors import (
    BudgetAlreadySet,
    BudgetLinesExceedFunding,
    LineBelowSpendAndCommitments,
    ThresholdSetAlone,
    VirementExceedsLineBudget,
    VirementWithinOneLine,
)
from ap_finance.domain.guards import require_budget, require_open, require_unused, scope
from ap_finance.domain.rule_book import SEED_SIGNATURE_THRESHOLD_PENCE
from ap_finance.domain.state import BudgetState


def set_budget(command: SetBudget, state: BudgetState) -> list[FinanceEvent]:
    """Rules budget.set_once (a provision has one budget per financial year) and
    signature.threshold_agreed_by_both (the budget's setter cannot set another threshold than the seed's)."""
    if state.budget is not None:
        raise BudgetAlreadySet(state.budget.financial_year)
    if command.signature_threshold_pence != SEED_SIGNATURE_THRESHOLD_PENCE:
        raise ThresholdSetAlone(command.signature_threshold_pence, SEED_SIGNATURE_THRESHOLD_PENCE)
    return [
        BudgetSet(
            budget_id=command.budget_id,
            provision_id=command.provision_id,
            financial_year=command.financial_year,
            host_school_id=command.host_school_id,
            partnership_id=command.partnership_id,
            dsg_allocation_pence=command.dsg_allocation_pence,
            top_up_pence=command.top_up_pence,
            carry_forward_pence=command.carry_forward_pence,
            signature_threshold_pence=command.signature_threshold_pence,
        )
    ]


def set_budget_line(command: SetBudgetLine, state: BudgetState) -> list[FinanceEvent]:
    """Rules financial_year.closed_to_entries, budget.lines_within_funding (lines of a source never exceed
    what it provides) and budget.line_covers_spend (a cut may not leave a line below its spend and commitments)."""
    budget = require_budget(state, command)
    require_open(state, budget, "change a budget line")
    cell = (command.category, command.funding_source)
    current = state.line_budget_pence.get(cell, 0)
    lines_total = state.lines_total_pence(command.funding_source) - current + command.amount_pence
    if lines_total > state.funding_pence(command.funding_source):
        raise BudgetLinesExceedFunding(
            command.funding_source.value, lines_total, state.funding_pence(command.funding_source)
        )
    used = current - state.remaining_pence(cell)
    if command.amount_pence < current and command.amount_pence < used:
        raise LineBelowSpendAndCommitments(command.category.value, command.amount_pence, used)
    return [BudgetLineSet(**scope(budget), **values_of(BudgetLineFields, command))]


def make_virement(command: MakeVirement, state: BudgetState) -> list[FinanceEvent]:
    """Rules virement.between_lines, virement.within_line_budget and virement.negative_needs_approval: a
    virement that would leave the source line below its spend and commitments is recorded as requested and
    moves nothing until another person approves it (``approvals.approve_virement``)."""
    budget = require_budget(state, command)
    require_open(state, budget, "make a virement")
    require_unused(state, command.virement_id)
    if command.from_category == command.to_category:
        raise VirementWithinOneLine(command.from_category.value)
    source = (command.from_category, command.funding_source)
    line_budget = state.line_budget_pence.get(source, 0)
    if command.amount_pence > line_budget:
        raise VirementExceedsLineBudget(command.from_category.value, command.amount_pence, line_budget)
    remaining_after = state.remaining_pence(source) - command.amount_pence
    if remaining_after < 0:
        return [VirementRequested(**scope(budget), **values_of(VirementRequestFields, command),
                                  remaining_after_pence=remaining_after)]
    return [VirementMade(**scope(budget), **values_of(VirementFields, command))]


def close_year(command: CloseYear, state: BudgetState) -> list[FinanceEvent]:
    """Rule financial_year.closed_to_entries (a year closes once); closing fixes the surplus or deficit of the year."""
    budget = require_budget(state, command)
    require_open(state, budget, "close it again")
    return [
        YearClosed(**scope(budget), closed_on=command.closed_on),
        SurplusDetermined(
            **scope(budget),
            budget_pence=state.funding_total_pence(),
            actual_pence=state.actual_total_pence(),
            committed_pence=state.committed_total_pence(),
            surplus_pence=state.balance_pence(),
        ),
    ]
