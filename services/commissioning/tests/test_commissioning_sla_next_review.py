"""An agreement states when its next review falls due on the event that puts it in force (issue 13: overdue
reviews are alerted from the events, by the notifications service, with the rule kept here). Unit level."""

from __future__ import annotations

from datetime import date

import pytest

from ap_contracts.events.commissioning_sla import SlaVersionAgreed

from .test_commissioning_sla_domain import COMMISSIONER, PROVISION, draft, history, sign

pytestmark = pytest.mark.unit


def _agreed(**changes: object) -> SlaVersionAgreed:
    events = history((draft(**changes), COMMISSIONER, date(2026, 7, 1)), (sign(), PROVISION, date(2026, 7, 2)),
                     (sign(), COMMISSIONER, date(2026, 7, 3)))
    agreed = events[-1]
    assert isinstance(agreed, SlaVersionAgreed)
    return agreed


def test_the_agreement_names_its_first_review_date() -> None:
    assert _agreed(review_dates=[date(2027, 6, 30), date(2027, 1, 31)]).next_review_on == date(2027, 1, 31)


def test_without_review_dates_the_review_falls_a_year_after_it_came_into_force() -> None:
    assert _agreed().next_review_on == date(2027, 9, 1)  # in force from 1 September 2026
