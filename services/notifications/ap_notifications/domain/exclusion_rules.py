"""The alert rules of suspensions and permanent exclusions (DfE "Suspension and permanent exclusion"; STATUTORY.md).

The LA is told at once of a suspension taking the term's total over 5 school days and of a permanent exclusion;
the governing board must meet over 15 school days in a term; the year's total nearing the 45-day cap is told;
parents not yet told are told through the home school. Issue 14, rule ``looked_after_exclusion_virtual_school``:
for a looked-after child, the virtual school head of the local authority looking after the child is told of every
suspension and permanent exclusion (the placement names that authority, ``PlacementStarted.looked_after_by``;
the sealed ``looked_after`` field is never read). The rules table is ``rules.py``.
"""

from __future__ import annotations

from ap_contracts.events.school_exclusions import GovernorsDuty, PermanentExclusionIssued, SuspensionIssued
from ap_notifications.domain.alerts import Priority
from ap_notifications.domain.rulebook import AlertRuleBook
from ap_notifications.domain.situation import Firing, Situation

VIRTUAL_SCHOOL_RULE = "looked_after_exclusion_virtual_school"


def _school_days(half_days: int) -> str:
    return f"{half_days // 2}" if half_days % 2 == 0 else f"{half_days / 2:.1f}"


def _suspension_counts(event: SuspensionIssued) -> tuple[tuple[str, str], ...]:
    counts = [("School days suspended this academic year", _school_days(event.year_total_half_days))]
    if event.term is not None and event.term_total_half_days is not None:
        counts.insert(0, (f"School days suspended in the {event.term} term", _school_days(event.term_total_half_days)))
    return tuple(counts)


def suspension_told_at_once(s: Situation, _: AlertRuleBook) -> Firing | None:
    # The incidents service judged the term's total on the home school's calendar (issue 13); told at once.
    told = isinstance(s.event, SuspensionIssued) and s.event.local_authority_told_at_once is True
    return Firing(Priority.HIGH) if told else None


def governors_must_meet(s: Situation, book: AlertRuleBook) -> Firing | None:
    """DfE: over 15 school days of suspension in a term, the governing board must meet to consider
    reinstatement. Told once, by the suspension that takes the term's total over the line."""
    event = s.event
    if not isinstance(event, SuspensionIssued) or event.governors_duty is not GovernorsDuty.MEET:
        return None
    if event.term_total_half_days is None:
        return None
    before = event.term_total_half_days - event.duration_half_days
    if before > book.governors_meet_over_school_days * 2:
        return None  # an earlier suspension of the term crossed it and was told then
    return Firing(Priority.HIGH, details=_suspension_counts(event))


def suspension_cap_approaching(s: Situation, book: AlertRuleBook) -> Firing | None:
    """DfE: at most 45 school days of suspension in an academic year; the suspension that brings the year's total
    to the rule book's warning level (40 days) tells the head and the LA, once."""
    event = s.event
    if not isinstance(event, SuspensionIssued):
        return None
    warning = book.suspension_cap_warning_school_days * 2
    before = event.year_total_half_days - event.duration_half_days
    if event.year_total_half_days < warning or before >= warning:
        return None
    counts = (*_suspension_counts(event), ("Annual limit in school days", str(book.suspension_year_cap_school_days)))
    return Firing(Priority.HIGH, details=counts)


def permanent_exclusion(s: Situation, _: AlertRuleBook) -> Firing | None:
    """DfE: a permanent exclusion is told to the LA at once; the LA arranges full-time education from the sixth
    school day, which the message gives when the home school's calendar counted it."""
    if not isinstance(s.event, PermanentExclusionIssued):
        return None
    details = [("Takes effect", s.event.effective_from.isoformat())]
    if s.event.full_time_education_from is not None:
        details.append(("Full-time education from", s.event.full_time_education_from.isoformat()))
    return Firing(Priority.HIGH, details=tuple(details))


def exclusion_parents_not_told(s: Situation, _: AlertRuleBook) -> Firing | None:
    """DfE: parents are told of a suspension or permanent exclusion without delay; when the school's record says it
    has not told them, the message goes to them through the home school, which holds their contact details."""
    excluded = isinstance(s.event, SuspensionIssued | PermanentExclusionIssued)
    return Firing(Priority.HIGH) if excluded and not getattr(s.event, "parents_informed", True) else None


def looked_after_exclusion(s: Situation, _: AlertRuleBook) -> Firing | None:
    """STATUTORY.md: for a looked-after child the head also tells the virtual school head of a suspension or a
    permanent exclusion; told at once, with the counts or the date it takes effect (codes and numbers only)."""
    if s.terms.looked_after_by is None:
        return None
    if isinstance(s.event, SuspensionIssued):
        return Firing(Priority.HIGH, details=_suspension_counts(s.event))
    if isinstance(s.event, PermanentExclusionIssued):
        return Firing(Priority.HIGH, details=(("Takes effect", s.event.effective_from.isoformat()),))
    return None
