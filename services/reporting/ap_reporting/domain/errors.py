"""Reporting rule violations: each names its rule and carries a stable rule id and the field at fault.

Raised before anything is read; the API answers with the rule id, the field and what is allowed.
"""

from __future__ import annotations

from typing import ClassVar

from ap_runtime.refusal import Refusal, RefusalKind


class ReportingRuleViolation(Refusal, ValueError):
    """On the shared refusal template (``ap_runtime.refusal.Refusal``): the field at fault, what is wrong with it
    (the sentence) and the periods the report offers instead."""

    kind: ClassVar[RefusalKind] = RefusalKind.BREAKS_RULE
    says = "{problem}"
    field: str
    problem: str
    allowed: tuple[str, ...] = ()


class FixedPeriodRequired(ReportingRuleViolation):
    """report.fixed_period: a report leaving the organisation covers one of the fixed periods it offers,
    never an arbitrary window (two overlapping windows subtract to a suppressed count)."""

    rule_id = "report.fixed_period"


class YearRangeTooLong(ReportingRuleViolation):
    """report.year_range_limit: a range of academic years is at most ``MAX_ACADEMIC_YEARS`` long, first to last."""

    rule_id = "report.year_range_limit"
