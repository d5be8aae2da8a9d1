"""Refusals of term dates recorded through the register of organisations (issue 13), under the calendar's rule ids.

The rules themselves are the shared calendar's (``ap_runtime.school_days.check_recording``, which every service
folds the same dates with); this module gives each its incidents refusal, so the API and the command channel
answer them as every other domain rule.
"""

from __future__ import annotations

from ap_incidents.domain.errors_base import DomainError, InvalidCommand
from ap_runtime.school_days import CalendarRefused


class TermDatesRunBackwards(InvalidCommand):
    rule_id = "calendar.term_dates_in_order"


class TermDatesOverlap(InvalidCommand):
    rule_id = "calendar.terms_do_not_overlap"


class TermDatesIncomplete(InvalidCommand):
    rule_id = "calendar.whole_year"


class InsetDayOutsideTerms(InvalidCommand):
    rule_id = "calendar.inset_days_in_terms"


class TermDatesNotKept(InvalidCommand):
    """Term dates are kept by a local authority for its area and by a school or provision for itself."""

    rule_id = "calendar.kept_by_school_or_la"


_BY_RULE: dict[str, type[DomainError]] = {
    error.rule_id: error
    for error in (TermDatesRunBackwards, TermDatesOverlap, TermDatesIncomplete, InsetDayOutsideTerms)
}


def term_dates_refused(refused: CalendarRefused) -> DomainError:
    """The incidents refusal of a calendar rule broken by a recording."""
    return _BY_RULE[refused.rule_id](refused.message)
