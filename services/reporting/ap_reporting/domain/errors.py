"""Reporting rule violations: each names its rule and carries a stable rule id and the field at fault.

Raised before anything is read; the API answers with the rule id, the field and what is allowed.
"""

from __future__ import annotations

from typing import ClassVar

from ap_runtime.refusal import RefusalKind


class ReportingRuleViolation(ValueError):
    rule_id: ClassVar[str]
    kind: ClassVar[RefusalKind] = RefusalKind.BREAKS_RULE

    def __init__(self, field: str, message: str, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(f"{self.rule_id}: {field}: {message}")
        self.field = field
        self.message = message
        self.allowed = allowed


class FixedPeriodRequired(ReportingRuleViolation):
    """report.fixed_period: a report leaving the organisation covers one of the fixed periods it offers,
    never an arbitrary window (two overlapping windows subtract to a suppressed count)."""

    rule_id = "report.fixed_period"


class YearRangeTooLong(ReportingRuleViolation):
    """report.year_range_limit: a range of academic years is at most ``MAX_ACADEMIC_YEARS`` long, first to last."""

    rule_id = "report.year_range_limit"
