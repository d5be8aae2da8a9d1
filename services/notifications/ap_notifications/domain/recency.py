"""Issue 14, never about the past: an alert decided from an event is sent only while that event is recent.

The alert projections decide as they apply events, and a rebuild, or a new deployment reading a topic from its
beginning, applies every event again. Dispatch is once per (rule, cause, recipient), so an alert sent before is
not repeated; but a rule added since the event was first read would fire for the first time, months late. So
every event-driven alert is judged against the time its cause was recorded (the envelope's ``recorded_at``, not
when the thing happened: a late entry recorded today is news today), in the rule book's window for its rule:

- a same-day notice (``same_day_only_rules``) only on the day, in England, its cause was recorded;
- a rule with its own window (``recent_cause_days_by_rule``) within that many days;
- any other rule within ``recent_cause_days``.

An older cause is history: nothing is recorded or delivered for it. It is not recorded as an event either: a new
deployment over years of history would write one per old (rule, cause, recipient) of what was never sent, and the
decision is a pure function of the rule book, the cause's time and the clock, so it can be worked out again.
A cause recorded after the clock's now (clocks of two machines) is never history. Periodic checks (overdue work,
SLA reviews, transfers, escalation) alert about what is late now and are not judged here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ap_notifications.domain.rulebook import AlertRuleBook

ENGLAND = ZoneInfo("Europe/London")


def cause_is_history(rule_name: str, cause_recorded_at: datetime, now: datetime, book: AlertRuleBook) -> bool:
    """True when an alert of ``rule_name`` about a cause recorded at ``cause_recorded_at`` is too late to send."""
    if rule_name in book.same_day_only_rules:
        return cause_recorded_at.astimezone(ENGLAND).date() < now.astimezone(ENGLAND).date()
    days = book.recent_cause_days_by_rule.get(rule_name, book.recent_cause_days)
    return now - cause_recorded_at > timedelta(days=days)
