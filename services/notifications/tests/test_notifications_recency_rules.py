"""Issue 14, never about the past: which causes are recent enough for their alert to be sent (pure rule, no servers).

A rebuild or a new deployment reads every event again; an alert decided from one is sent only while the event
was recorded recently, by the window the rule book gives its rule (``domain/recency.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ap_notifications.domain.access_alerts import BREAK_GLASS_RULE
from ap_notifications.domain.recency import cause_is_history
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK, AlertRuleBook
from ap_notifications.domain.rules import RULES
from ap_notifications.domain.transfer_alerts import OFFERED_RULE

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 11, 14, 0, tzinfo=UTC)  # a Wednesday afternoon in England (GMT)
BOOK = DEFAULT_RULE_BOOK


def test_an_ordinary_rule_sends_within_its_window_and_not_after() -> None:
    window = timedelta(days=BOOK.recent_cause_days)
    assert not cause_is_history("placement_ended", NOW - window, NOW, BOOK)
    assert cause_is_history("placement_ended", NOW - window - timedelta(seconds=1), NOW, BOOK)
    assert cause_is_history("suspension_told_at_once", NOW - timedelta(days=35), NOW, BOOK)  # last month


def test_a_safeguarding_concern_has_its_own_longer_window() -> None:
    eight_days_ago = NOW - timedelta(days=8)
    assert cause_is_history("placement_ended", eight_days_ago, NOW, BOOK)
    assert not cause_is_history("safeguarding_concern", eight_days_ago, NOW, BOOK)
    assert cause_is_history("safeguarding_concern", NOW - timedelta(days=15), NOW, BOOK)


def test_a_same_day_notice_goes_only_on_the_day_its_cause_was_recorded_in_england() -> None:
    this_morning = NOW.replace(hour=8)
    just_before_midnight = datetime(2026, 3, 10, 23, 59, tzinfo=UTC)
    assert not cause_is_history("absence_same_day", this_morning, NOW, BOOK)
    assert cause_is_history("absence_same_day", just_before_midnight, NOW, BOOK)
    assert cause_is_history("physical_intervention_parents", just_before_midnight, NOW, BOOK)
    # In summer time 23:30 UTC is already the next day in England: recorded "today" there.
    summer_now = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
    assert not cause_is_history("absence_same_day", datetime(2026, 6, 9, 23, 30, tzinfo=UTC), summer_now, BOOK)


def test_a_cause_recorded_after_the_clock_is_never_history() -> None:
    ahead = NOW + timedelta(hours=2)
    assert not cause_is_history("absence_same_day", ahead, NOW, BOOK)
    assert not cause_is_history("placement_ended", ahead, NOW, BOOK)


def test_the_windows_are_data_with_a_version() -> None:
    book = AlertRuleBook(version="local-1", recent_cause_days=40)
    assert not cause_is_history("suspension_told_at_once", NOW - timedelta(days=35), NOW, book)
    assert BOOK.version == "alerts-2026.3"
    with pytest.raises(ValueError, match="recent_cause_days_by_rule"):
        AlertRuleBook(recent_cause_days_by_rule={"safeguarding_concern": -1})


def test_every_rule_the_book_names_is_a_rule_that_exists() -> None:
    """A misspelt rule name in a window would silently leave that rule on the default window."""
    known = {rule.name for rule in RULES} | {BREAK_GLASS_RULE, OFFERED_RULE}
    assert set(BOOK.recent_cause_days_by_rule) <= known
    assert set(BOOK.same_day_only_rules) <= known
