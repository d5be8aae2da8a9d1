"""The finance API's own refusals, in the one problem format (``ap_runtime.http.problems``).

A rejected command names its rule (``rule``) and answers with the status of its kind; a ledger not
projected yet is 503 with ``Retry-After``. Invalid bodies, access refusals, bad tokens and a budget
too busy to write are the shared handlers'.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from ap_finance.application.queries import LedgerNotYetProjected, NothingRecordedBy
from ap_finance.domain.errors import FinanceRuleViolation
from ap_runtime.http.problems import Problem, Translator, install_problem_handlers
from ap_runtime.http.problems import refusal_problem as rule_problem  # the shared template's own answer


def _not_projected(error: Exception) -> Problem:
    return Problem(503, "not-ready", "Ledger not ready", str(error), headers={"Retry-After": "1"})


def _nothing_recorded(error: Exception) -> Problem:
    return Problem(404, "nothing-recorded", "Nothing recorded by then", str(error))


TRANSLATORS: Mapping[type[Exception], Translator] = {
    FinanceRuleViolation: rule_problem,
    LedgerNotYetProjected: _not_projected,
    NothingRecordedBy: _nothing_recorded,
}


def install_finance_problems(app: FastAPI) -> None:
    install_problem_handlers(app, TRANSLATORS)
