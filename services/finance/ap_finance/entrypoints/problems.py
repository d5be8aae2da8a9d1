"""The finance API's own refusals, in the one problem format (``ap_runtime.http.problems``).

A rejected command names its rule (``rule``) and answers with the status of its kind; a ledger not
projected yet is 503 with ``Retry-After``. Invalid bodies, access refusals, bad tokens and a budget
too busy to write are the shared handlers'.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from ap_finance.application.queries import LedgerNotYetProjected
from ap_finance.domain.errors import FinanceRuleViolation
from ap_runtime.http.problems import Problem, Translator, install_problem_handlers, refusal, title_of


def rule_problem(error: Exception) -> Problem:
    if not isinstance(error, FinanceRuleViolation):
        raise error
    return refusal(error.kind, error.rule_id, title_of(type(error)), error.message)


def _not_projected(error: Exception) -> Problem:
    return Problem(503, "not-ready", "Ledger not ready", str(error), headers={"Retry-After": "1"})


TRANSLATORS: Mapping[type[Exception], Translator] = {
    FinanceRuleViolation: rule_problem,
    LedgerNotYetProjected: _not_projected,
}


def install_finance_problems(app: FastAPI) -> None:
    install_problem_handlers(app, TRANSLATORS)
