"""The reporting API's own refusals, in the one problem format (``ap_runtime.http.problems``).

A period the report does not offer (report.fixed_period, report.year_range_limit) is refused naming the
rule, the field in ``errors`` and what is allowed in ``allowed_periods``, before anything is read.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from ap_reporting.domain.errors import ReportingRuleViolation
from ap_runtime.http.problems import Problem, Translator, install_problem_handlers, refusal, title_of


def rule_problem(error: Exception) -> Problem:
    if not isinstance(error, ReportingRuleViolation):
        raise error
    return refusal(error.kind, error.rule_id, title_of(type(error)), error.message,
                   errors=[{"field": error.field, "problem": error.message}], allowed_periods=list(error.allowed))


TRANSLATORS: Mapping[type[Exception], Translator] = {ReportingRuleViolation: rule_problem}


def install_reporting_problems(app: FastAPI) -> None:
    install_problem_handlers(app, TRANSLATORS)
