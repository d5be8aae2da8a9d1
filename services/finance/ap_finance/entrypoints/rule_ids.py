"""The rule ids each finance command can answer with, derived from its code rather than listed by hand.

Rule served: the API description lists every rule id a route can refuse with (issue 12). ``rules_raised``
reads a function's source for the finance refusals it constructs, following calls into other functions of
finance (``ap_finance.*``) at any depth; a command's rules are those of its decider, of the application's
year-boundary checks around it (SetBudget, RecordCarryForward) and the command id rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ap_finance.application.carry_forward import check_carry_forward, check_set_budget
from ap_finance.application.commands import CommandIdReused
from ap_finance.domain.commands import RecordCarryForward, SetBudget
from ap_finance.domain.declarations import FinanceCommandDeclaration
from ap_finance.domain.errors import FinanceRuleViolation
from ap_runtime.code_reading import constructed
from ap_runtime.http.problems import STATUS_OF_KIND


def rules_raised(function: Callable[..., Any]) -> set[type[FinanceRuleViolation]]:
    """The finance refusals ``function`` constructs, and those of the finance functions it calls."""
    return constructed(function, FinanceRuleViolation)


def command_rules(declaration: FinanceCommandDeclaration) -> dict[str, int]:
    """Every rule id a command's route can answer with, and the HTTP status of each."""
    # Turning a token-identity request into its command refuses only what its decider refuses too
    # (budget.exists, signature.from_budget_organisation), so the decider's rules cover it.
    steps: list[Callable[..., Any]] = [declaration.decider]
    if declaration.command is SetBudget:
        steps.append(check_set_budget)
    if declaration.command is RecordCarryForward:
        steps.append(check_carry_forward)
    rules: set[type[FinanceRuleViolation]] = {CommandIdReused}
    for step in steps:
        rules |= rules_raised(step)
    return {rule.rule_id: STATUS_OF_KIND[rule.kind] for rule in sorted(rules, key=lambda r: r.rule_id)}
