"""Deciding what happens to a closed year's surplus: shared between schools, clawed back by the local
authority, or carried into the next year (seed 001, sections 3 and 4). Together these can never
use more than the surplus determined at close."""

from __future__ import annotations

from uuid import UUID

from ap_contracts.events.finance import (
    AllocationMethod,
    BudgetSet,
    CarryForwardRecorded,
    ClawbackFields,
    ClawbackMade,
    FinanceEvent,
    SchoolShare,
    SurplusAllocated,
    values_of,
)
from ap_finance.domain import allocation
from ap_finance.domain.commands import AllocateSurplus, MakeClawback, RecordCarryForward
from ap_finance.domain.errors import (
    AllocationExceedsAvailableBalance,
    AllocationSharesDoNotMatchMethod,
    AllocationSharesDoNotSumToSurplus,
    AllocationSpecificationIncomplete,
    CarryForwardExceedsAvailableBalance,
    ClawbackExceedsAvailableBalance,
    NoSurplusAvailable,
)
from ap_finance.domain.financial_year import next_financial_year
from ap_finance.domain.guards import require_budget, require_closed, require_unused, scope
from ap_finance.domain.state import BudgetState


def _available(state: BudgetState) -> int:
    """Rule surplus.available: something must be left of a positive surplus."""
    available = state.available_surplus_pence()
    if available == 0:
        balance = state.surplus_pence - state.disposed_pence if state.surplus_pence is not None else 0
        raise NoSurplusAvailable(balance)
    return available


def _surplus_to_use(state: BudgetState, command: AllocateSurplus | MakeClawback | RecordCarryForward,
                    item_id: UUID, action: str) -> tuple[BudgetSet, int]:
    """Rules financial_year.year_end_after_close, budget.item_id_unique and surplus.available, the first
    checks of every use of the surplus: the budget, and how much of its surplus is left to use."""
    budget = require_budget(state, command)
    require_closed(state, budget, action)
    require_unused(state, item_id)
    return budget, _available(state)


def _methods_used(command: AllocateSurplus) -> tuple[AllocationMethod, ...]:
    if command.method is AllocationMethod.COMBINATION:
        if command.proportions is None:
            raise AllocationSpecificationIncomplete("a combination needs the proportion given to each method")
        proportions = command.proportions
        if proportions.needs_based == proportions.equity_based == proportions.strategic_plan == 0:
            raise AllocationSpecificationIncomplete("every proportion of the combination is zero")
        return allocation.combined_methods(proportions)
    if command.proportions is not None:
        raise AllocationSpecificationIncomplete("proportions apply to a combination only")
    return (command.method,)


def check_specification(command: AllocateSurplus) -> None:
    """Rule allocation.specified: the method, its criteria and the inputs must define the shares."""
    methods = _methods_used(command)
    school_ids = [school.school_id for school in command.schools]
    if len(set(school_ids)) != len(school_ids):
        raise AllocationSpecificationIncomplete("a school is listed twice")
    shared_by_inputs = {AllocationMethod.NEEDS_BASED, AllocationMethod.EQUITY_BASED} & set(methods)
    if shared_by_inputs and not command.schools:
        raise AllocationSpecificationIncomplete("needs- and equity-based shares need the Partnership's schools")
    if AllocationMethod.NEEDS_BASED in methods:
        if command.needs_weights is None:
            raise AllocationSpecificationIncomplete("a needs-based share needs the weight of each criterion")
        scores = allocation.needs_scores(command.schools, command.needs_weights)
        if all(score == 0 for score in scores.values()):
            raise AllocationSpecificationIncomplete("every school scores zero on the weighted needs criteria")
    elif command.needs_weights is not None:
        raise AllocationSpecificationIncomplete("needs weights apply to a needs-based share only")
    if AllocationMethod.EQUITY_BASED in methods:
        if all(weight == 0 for weight in allocation.equity_scores(command.schools).values()):
            raise AllocationSpecificationIncomplete("every school's equity weight is zero")


def _check_proposed(proposed: tuple[SchoolShare, ...], computed: tuple[SchoolShare, ...], amount: int) -> None:
    """Rules allocation.shares_sum and allocation.recomputable."""
    proposed_total = sum(share.amount_pence for share in proposed)
    if proposed_total != amount:
        raise AllocationSharesDoNotSumToSurplus(proposed_total, amount)
    proposed_by_school: dict[str, int] = {}
    for share in proposed:
        proposed_by_school[share.school_id] = proposed_by_school.get(share.school_id, 0) + share.amount_pence
    computed_by_school = {share.school_id: share.amount_pence for share in computed}
    for school_id in sorted(proposed_by_school.keys() | computed_by_school.keys()):
        mine, theirs = proposed_by_school.get(school_id, 0), computed_by_school.get(school_id, 0)
        if mine != theirs:
            raise AllocationSharesDoNotMatchMethod(school_id, mine, theirs)


def allocate_surplus(command: AllocateSurplus, state: BudgetState) -> list[FinanceEvent]:
    """Rules financial_year.year_end_after_close, budget.item_id_unique, surplus.available,
    surplus.allocation_within_balance, allocation.specified and, for proposed shares, allocation.shares_sum
    and allocation.recomputable."""
    budget, available = _surplus_to_use(state, command, command.allocation_id, "allocate the surplus")
    amount = command.amount_pence if command.amount_pence is not None else available
    if amount > available:
        raise AllocationExceedsAvailableBalance(amount, available)
    check_specification(command)
    shares = allocation.allocate(
        amount,
        command.method,
        command.schools,
        budget.host_school_id,
        needs_weights=command.needs_weights,
        proportions=command.proportions,
    )
    if command.proposed_shares is not None:
        _check_proposed(command.proposed_shares, shares, amount)
    return [_allocated(budget, command, amount, shares)]


def _allocated(
    budget: BudgetSet, command: AllocateSurplus, amount: int, shares: tuple[SchoolShare, ...]
) -> SurplusAllocated:
    return SurplusAllocated(
        **scope(budget),
        allocation_id=command.allocation_id,
        amount_pence=amount,
        method=command.method,
        needs_weights=command.needs_weights,
        proportions=command.proportions,
        schools=command.schools,
        host_school_id=budget.host_school_id,
        shares=shares,
        consultation_reference=command.consultation_reference,
    )


def make_clawback(command: MakeClawback, state: BudgetState) -> list[FinanceEvent]:
    """Rules financial_year.year_end_after_close, budget.item_id_unique, surplus.available and
    surplus.clawback_within_balance: the local authority may claw back surplus, never more than is left of it."""
    budget, available = _surplus_to_use(state, command, command.clawback_id, "claw back surplus")
    if command.amount_pence > available:
        raise ClawbackExceedsAvailableBalance(command.amount_pence, available)
    return [ClawbackMade(**scope(budget), **values_of(ClawbackFields, command))]


def record_carry_forward(command: RecordCarryForward, state: BudgetState) -> list[FinanceEvent]:
    """Rules financial_year.year_end_after_close (carry-forward only after close), budget.item_id_unique,
    surplus.available and surplus.carry_forward_within_balance."""
    budget, available = _surplus_to_use(state, command, command.carry_forward_id, "carry surplus forward")
    amount = command.amount_pence if command.amount_pence is not None else available
    if amount > available:
        raise CarryForwardExceedsAvailableBalance(amount, available)
    return [
        CarryForwardRecorded(
            **scope(budget),
            carry_forward_id=command.carry_forward_id,
            amount_pence=amount,
            into_financial_year=next_financial_year(budget.financial_year),
        )
    ]
