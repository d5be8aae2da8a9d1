"""Budget control's warning when a commitment takes its line past its budget, written once
(``domain/budget_control.overrun_warning``) for the two places a commitment is raised: the command itself
and the second signature on one over the threshold (issue 10, "Copies"; issue 12). Unit level: no server."""

from __future__ import annotations

from ap_contracts.events.finance import BudgetSet, CommitmentRaised, LineOverrunWarned
from ap_finance.domain.budget_control import overrun_warning
from ap_finance.domain.evolve import fold
from ap_finance.domain.rule_book import BUDGET_CONTROL_VERSION

from .test_finance_rules import DSG, SCOPE, STAFFING, commit, committed, opened, spend, spent


def _after(history_spend_pence: int, commitment_pence: int) -> tuple[list[LineOverrunWarned], CommitmentRaised]:
    history = [*opened(), spent(spend(history_spend_pence))]
    budget = next(e for e in history if isinstance(e, BudgetSet))
    raised = committed(commit(commitment_pence))
    return overrun_warning(fold(history), budget, raised), raised


def test_a_commitment_past_its_line_is_warned_with_what_the_line_is_left_at() -> None:
    warnings, raised = _after(5_000_000, 2_500_000)  # £60,000 line, £50,000 spent, £25,000 committed

    assert warnings == [LineOverrunWarned(**SCOPE, commitment_id=raised.commitment_id, category=STAFFING,
                                          funding_source=DSG, remaining_after_pence=-1_500_000,
                                          budget_control_version=BUDGET_CONTROL_VERSION)]


def test_a_commitment_that_uses_the_line_up_exactly_is_not_warned() -> None:
    assert _after(5_000_000, 1_000_000)[0] == []
