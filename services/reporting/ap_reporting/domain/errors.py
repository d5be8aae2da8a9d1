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


class AsAtNotValid(ReportingRuleViolation):
    """report.as_at: a report is as at a day that has begun (or as recorded by a moment that has passed), given
    one way, not both; it holds only the facts recorded by then, so asking for the future is a mistake."""

    rule_id = "report.as_at"


class UnknownParameter(ReportingRuleViolation):
    """report.known_parameters: a query parameter a report does not take is refused, never ignored (the caller
    would think it had been applied, and a forged one must change nothing)."""

    rule_id = "report.known_parameters"


class NotPublishable(ReportingRuleViolation):
    """report.published_as_at_past_day: a report is published only as at a day that has ended (or as recorded by
    a moment that has passed), so that building it again from the recorded positions gives the same figures (a
    day still going on can gain facts)."""

    rule_id = "report.published_as_at_past_day"


class NoTrace(ReportingRuleViolation):
    """report.trace_shown_cells: only a figure the report shows has a trace; a suppressed or not-applicable cell, a
    total and a cell that is not in the table get the same answer, so the answer tells nothing of what is hidden."""

    kind: ClassVar[RefusalKind] = RefusalKind.NOT_FOUND
    rule_id = "report.trace_shown_cells"


class NothingReadYet(ReportingRuleViolation):
    """report.published_from_applied_facts: a publication records the event positions it was built from; a read
    model that has applied no event yet has none, and a report of nothing published would read as a report of
    zeros. Refused as a conflict with what is recorded (publish once the read model has caught up)."""

    kind: ClassVar[RefusalKind] = RefusalKind.CONFLICTS_WITH_RECORD
    rule_id = "report.published_from_applied_facts"


class NarrativeNotPublished(ReportingRuleViolation):
    """report.published_with_narrative: a Partnership annual report leaves the partnership with the narrative
    sections its lead wrote, the chair approved and commissioning published (seed 001 appendix 3); a year whose
    narrative is not published by the report's moment is read as a draft that says so, and never published."""

    kind: ClassVar[RefusalKind] = RefusalKind.CONFLICTS_WITH_RECORD
    rule_id = "report.published_with_narrative"


class ReadModelMoved(ReportingRuleViolation):
    """report.published_at_read_positions: a publication records the positions its report was read at; a read model
    that applied events while each attempt read it has no such position. Refused as a conflict (publish again)."""

    kind: ClassVar[RefusalKind] = RefusalKind.CONFLICTS_WITH_RECORD
    rule_id = "report.published_at_read_positions"
