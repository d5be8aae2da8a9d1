"""A suspension that brings the pupil's total over 5 school days in a term is told at once (DfE suspension
guidance; issue 13): when the incidents service records it so, on the home school's calendar, the placement's
commissioner is alerted at once; a suspension within 5 days in the term, or one counted on no calendar, alerts
nobody here (those are told termly)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from ap_contracts.events.notifications import Audience
from ap_contracts.events.pupil_vocabulary import ExclusionReason, Severity
from ap_contracts.events.school_exclusions import GovernorsDuty, SuspensionIssued
from ap_notifications.domain.alerts import Priority
from ap_notifications.domain.decide_alerts import decide_alerts
from ap_notifications.domain.messages import TEMPLATES
from ap_notifications.domain.placement_terms import PlacementTerms, ThresholdChange, Thresholds
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK
from ap_notifications.domain.rules import Situation
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, PARTNERSHIP, PROVISION

PUPIL, PLACEMENT = uuid4(), uuid4()
TERMS = PlacementTerms(placement_id=PLACEMENT, pupil_ref=PUPIL, provision_id=PROVISION, home_school_id=HOME_SCHOOL,
                       commissioner_id=COMMISSIONER, partnership_id=PARTNERSHIP,
                       thresholds=(ThresholdChange(date(2025, 1, 13), 1, Thresholds(Severity.SERIOUS, 90)),))


def _suspension(**counted: object) -> SuspensionIssued:
    return SuspensionIssued(
        pupil_ref=PUPIL, record_id=uuid4(), home_school_id=HOME_SCHOOL, placement_id=PLACEMENT,
        first_day=date(2025, 3, 17), duration_half_days=5, academic_year="2024/25", year_total_half_days=11,
        primary_reason=ExclusionReason.DISRUPTIVE_BEHAVIOUR, parents_informed=True, account="Disruption",
        rule_version="england-2026.2", **counted)


def _alerts(event: SuspensionIssued) -> set[tuple[str, Audience, str, Priority]]:
    decision = decide_alerts(Situation(event, uuid4(), date(2025, 3, 17), TERMS), DEFAULT_RULE_BOOK)
    return {(a.rule_name, a.audience, a.recipient_organisation_id, a.priority) for a in decision.alerts}


def test_a_term_total_over_five_school_days_alerts_the_commissioner_at_once() -> None:
    event = _suspension(term="2024-25 spring", term_total_half_days=11, local_authority_told_at_once=True,
                        governors_duty=GovernorsDuty.CONSIDER_REPRESENTATIONS, counted_with="la-inclusion")
    assert _alerts(event) == {("suspension_told_at_once", Audience.COMMISSIONER, COMMISSIONER, Priority.HIGH)}
    assert "5 school days" in TEMPLATES["suspension_told_at_once"][1]


def test_a_term_total_within_five_days_or_counted_on_no_calendar_alerts_nobody() -> None:
    within = _suspension(term="2024-25 spring", term_total_half_days=10, local_authority_told_at_once=False,
                         governors_duty=GovernorsDuty.NONE, counted_with="la-inclusion")
    assert _alerts(within) == set()
    assert _alerts(_suspension()) == set()
