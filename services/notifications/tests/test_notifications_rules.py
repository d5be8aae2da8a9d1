"""Given a placement and its agreed thresholds, when an incidents event happens, then these alerts go out.

One test (at least) per rule of BRIEF.md section 5, plus thresholds that change over time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import Audience, Comparison
from ap_contracts.events.pupil_vocabulary import (
    AttendanceCode,
    ProhibitedItem,
    RewardKind,
    Session,
    Severity,
    TimetableKind,
)
from ap_notifications.domain.access_alerts import BREAK_GLASS_RULE
from ap_notifications.domain.alerts import Alert, Priority
from ap_notifications.domain.attendance import AttendanceTally, judge_attendance, tally
from ap_notifications.domain.decide_alerts import AlertDecision, decide_alerts, event_day
from ap_notifications.domain.early_warning_alerts import EARLY_WARNING_RULE
from ap_notifications.domain.messages import TEMPLATES, render
from ap_notifications.domain.overdue import OVERDUE_RULES
from ap_notifications.domain.placement_terms import (
    PlacementTerms,
    ReducedTimetable,
    ThresholdChange,
    Thresholds,
    thresholds_in_force,
)
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK, AlertRuleBook
from ap_notifications.domain.rules import RULES, Situation
from ap_notifications.domain.sla_review_alerts import SLA_REVIEW_RULE
from ap_notifications.domain.weekly_report_alerts import WEEKLY_REPORT_RULE
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, NARRATIVE, PARTNERSHIP, PROVISION, Events

H, C, D, P = Audience.HOME_SCHOOL, Audience.COMMISSIONER, Audience.DSL, Audience.PARENT


def terms(ev: Events, *changes: tuple[date, Severity, int], **kw: object) -> PlacementTerms:
    history = [ThresholdChange(date(2025, 1, 13), 1, Thresholds(Severity.SERIOUS, 90))]
    history += [ThresholdChange(d, i + 2, Thresholds(s, a)) for i, (d, s, a) in enumerate(changes)]
    base = PlacementTerms(placement_id=ev.placement_id, pupil_ref=ev.pupil_ref, provision_id=PROVISION,
                          home_school_id=HOME_SCHOOL, commissioner_id=COMMISSIONER, partnership_id=PARTNERSHIP,
                          thresholds=tuple(history))
    return replace(base, **kw)  # type: ignore[arg-type]


def decide(event: DomainEvent, placement: PlacementTerms, day: date | None = None,
           book: AlertRuleBook = DEFAULT_RULE_BOOK, **kw: object) -> AlertDecision:
    when = day or event_day(event, datetime(2025, 3, 10, tzinfo=UTC))
    return decide_alerts(Situation(event, uuid4(), when, placement, **kw), book)  # type: ignore[arg-type]


def sent(decision: AlertDecision) -> set[tuple[str, Audience, str]]:
    return {(a.rule_name, a.audience, a.recipient_organisation_id) for a in decision.alerts}


# -- safeguarding -------------------------------------------------------------------------------

def test_a_safeguarding_concern_alerts_the_home_school_and_both_dsls_at_once(ev: Events) -> None:
    decision = decide(ev.concern(), terms(ev))
    assert sent(decision) == {
        ("safeguarding_concern", H, HOME_SCHOOL),
        ("safeguarding_concern", D, PROVISION),
        ("safeguarding_concern", D, HOME_SCHOOL),
    }
    assert {a.priority for a in decision.alerts} == {Priority.HIGH}


def test_a_concern_with_immediate_risk_is_urgent(ev: Events) -> None:
    assert {a.priority for a in decide(ev.concern(immediate_risk=True), terms(ev)).alerts} == {Priority.URGENT}


def test_safeguarding_alerts_link_to_the_safeguarding_record_not_the_behaviour_log(ev: Events) -> None:
    alert = decide(ev.concern(), terms(ev)).alerts[0]
    assert alert.link_path == f"/pupils/{ev.pupil_ref}/safeguarding/{alert.cause_event_id}"


# -- incidents against the agreed threshold ------------------------------------------------------

def test_an_incident_below_the_threshold_alerts_nobody(ev: Events) -> None:
    assert decide(ev.incident(Severity.MODERATE), terms(ev)).alerts == ()


@pytest.mark.parametrize("severity", [Severity.SERIOUS, Severity.VERY_SERIOUS, Severity.CRITICAL])
def test_an_incident_at_or_above_the_threshold_alerts_home_school_and_commissioner(
    ev: Events, severity: Severity
) -> None:
    decision = decide(ev.incident(severity), terms(ev))
    assert sent(decision) == {("incident_at_threshold", H, HOME_SCHOOL), ("incident_at_threshold", C, COMMISSIONER)}
    threshold = decision.alerts[0].threshold
    assert threshold is not None
    assert (threshold.comparison, threshold.threshold_value, threshold.observed_value) == (
        Comparison.AT_OR_ABOVE, 3, int(severity))
    assert threshold.placement_id == ev.placement_id
    assert decision.alerts[0].incident_severity == int(severity)


def test_very_serious_incidents_are_high_priority(ev: Events) -> None:
    assert decide(ev.incident(Severity.SERIOUS), terms(ev)).alerts[0].priority is Priority.NORMAL
    assert decide(ev.incident(Severity.VERY_SERIOUS), terms(ev)).alerts[0].priority is Priority.HIGH


def test_a_raised_threshold_applies_from_the_day_it_was_agreed(ev: Events) -> None:
    placement = terms(ev, (date(2025, 3, 1), Severity.VERY_SERIOUS, 85))
    assert decide(ev.incident(Severity.SERIOUS, on=date(2025, 3, 5)), placement).alerts == ()
    assert decide(ev.incident(Severity.VERY_SERIOUS, on=date(2025, 3, 1)), placement).alerts != ()


def test_an_old_incident_recorded_late_is_judged_by_the_threshold_of_its_own_day(ev: Events) -> None:
    placement = terms(ev, (date(2025, 3, 1), Severity.VERY_SERIOUS, 85))
    late = ev.incident(Severity.SERIOUS, on=date(2025, 2, 20))
    decision = decide(late, placement)
    assert decision.alerts and decision.alerts[0].threshold is not None
    assert decision.alerts[0].threshold.threshold_value == int(Severity.SERIOUS)


def test_a_lowered_threshold_makes_a_moderate_incident_alert(ev: Events) -> None:
    placement = terms(ev, (date(2025, 3, 1), Severity.MODERATE, 90))
    assert sent(decide(ev.incident(Severity.MODERATE, on=date(2025, 3, 2)), placement))


def test_thresholds_agreed_twice_on_one_day_take_the_later_agreement() -> None:
    day = date(2025, 3, 1)
    history = [ThresholdChange(day, 5, Thresholds(Severity.CRITICAL, 80)),
               ThresholdChange(day, 2, Thresholds(Severity.MODERATE, 95))]
    assert thresholds_in_force(history, day) == Thresholds(Severity.CRITICAL, 80)
    assert thresholds_in_force([], day) is None


def test_a_day_before_any_agreement_is_judged_by_the_first_agreement() -> None:
    history = [ThresholdChange(date(2025, 3, 1), 1, Thresholds(Severity.SERIOUS, 90))]
    assert thresholds_in_force(history, date(2025, 2, 1)) == Thresholds(Severity.SERIOUS, 90)


# -- physical intervention, searches ---------------------------------------------------------------

def test_a_physical_intervention_alerts_the_home_school(ev: Events) -> None:
    # Issue 14: and the parents, the same day, through the home school (their own message).
    assert sent(decide(ev.intervention(), terms(ev))) == {("physical_intervention", H, HOME_SCHOOL),
                                                         ("physical_intervention_parents", P, HOME_SCHOOL)}


def test_a_search_that_found_nothing_alerts_nobody(ev: Events) -> None:
    assert decide(ev.search(), terms(ev)).alerts == ()


def test_a_search_that_found_tobacco_alerts_the_home_school_but_not_the_dsl(ev: Events) -> None:
    assert sent(decide(ev.search(ProhibitedItem.TOBACCO_OR_CIGARETTE_PAPERS), terms(ev))) == {
        ("prohibited_items_found", H, HOME_SCHOOL), ("search_find_parents", P, HOME_SCHOOL)}


@pytest.mark.parametrize("item", [ProhibitedItem.CONTROLLED_DRUG, ProhibitedItem.KNIFE_OR_WEAPON])
def test_a_drug_or_weapon_found_alerts_the_home_school_and_both_dsls(ev: Events, item: ProhibitedItem) -> None:
    decision = decide(ev.search(ProhibitedItem.ALCOHOL, item), terms(ev))
    assert sent(decision) == {
        ("prohibited_items_found", H, HOME_SCHOOL),
        ("drug_or_weapon_found", D, PROVISION),
        ("drug_or_weapon_found", D, HOME_SCHOOL),
    }
    assert {a.priority for a in decision.alerts if a.audience is D} == {Priority.URGENT}


def test_the_dsl_search_list_is_configuration(ev: Events) -> None:
    book = AlertRuleBook(dsl_search_items=frozenset({ProhibitedItem.ALCOHOL}))
    assert ("drug_or_weapon_found", D, PROVISION) in sent(decide(ev.search(ProhibitedItem.ALCOHOL), terms(ev),
                                                                 book=book))


# -- exclusion, ending ---------------------------------------------------------------------------

def test_a_proposed_exclusion_tells_the_home_school_and_asks_the_commissioner_to_decide(ev: Events) -> None:
    assert sent(decide(ev.proposed(), terms(ev))) == {
        ("exclusion_proposed", H, HOME_SCHOOL),
        ("withdrawal_decision_needed", C, COMMISSIONER),
    }


def test_the_placement_ending_alerts_the_home_school(ev: Events) -> None:
    assert sent(decide(ev.ended(), terms(ev))) == {("placement_ended", H, HOME_SCHOOL)}


# -- attendance ------------------------------------------------------------------------------------

def _attendance(ev: Events, present: int, absent: int, was_below: bool = False, percent: int = 90,
                placement: PlacementTerms | None = None) -> AlertDecision:
    counted = tally([AttendanceCode.PRESENT_AM] * present + [AttendanceCode.OTHER_UNAUTHORISED] * absent)
    verdict = judge_attendance(counted, percent, was_below, DEFAULT_RULE_BOOK.attendance_min_possible_sessions)
    # An afternoon mark: a morning absence is also a same-day notice (issue 14), tested on its own.
    return decide(ev.mark(date(2025, 3, 10), AttendanceCode.OTHER_UNAUTHORISED, Session.PM),
                  placement or terms(ev, attendance_below=was_below), attendance=verdict)


def test_attendance_falling_below_the_agreed_level_alerts_the_commissioner(ev: Events) -> None:
    decision = _attendance(ev, present=8, absent=2)
    assert sent(decision) == {("attendance_below_agreed_level", C, COMMISSIONER)}
    threshold = decision.alerts[0].threshold
    assert threshold is not None
    assert (threshold.comparison, threshold.threshold_value, threshold.observed_value, threshold.unit) == (
        Comparison.BELOW, 9000, 8000, "basis_points")
    assert decision.attendance_below


def test_attendance_staying_below_alerts_only_once(ev: Events) -> None:
    decision = _attendance(ev, present=8, absent=3, was_below=True)
    assert decision.alerts == () and decision.attendance_below


def test_attendance_recovering_re_arms_the_alert(ev: Events) -> None:
    decision = _attendance(ev, present=19, absent=1, was_below=True)
    assert decision.alerts == () and not decision.attendance_below


def test_attendance_over_too_few_sessions_does_not_alert(ev: Events) -> None:
    assert _attendance(ev, present=1, absent=2).alerts == ()


def test_attendance_at_exactly_the_agreed_level_does_not_alert(ev: Events) -> None:
    assert _attendance(ev, present=9, absent=1).alerts == ()


def test_codes_that_are_not_possible_sessions_do_not_lower_attendance() -> None:
    counted = tally([AttendanceCode.PRESENT_AM, AttendanceCode.PLANNED_CLOSURE, AttendanceCode.ILLNESS])
    assert counted == AttendanceTally(attended=1, possible=2)
    assert AttendanceTally().rate_basis_points() is None


# -- reduced timetable -------------------------------------------------------------------------------

def _reduced(ev: Events, **kw: object) -> tuple[PlacementTerms, UUID]:
    set_by = uuid4()
    return terms(ev, reduced_timetable=ReducedTimetable(date(2025, 2, 10), set_by, **kw)), set_by  # type: ignore[arg-type]


def test_a_reduced_timetable_past_its_review_date_alerts_the_commissioner_once(ev: Events) -> None:
    placement, set_by = _reduced(ev)
    decision = decide(ev.mark(date(2025, 2, 11), AttendanceCode.PART_TIME_TIMETABLE), placement)
    assert sent(decision) == {("reduced_timetable_past_review", C, COMMISSIONER)}
    assert decision.alerts[0].cause_event_id == set_by
    assert decision.reduced_timetable_alerted
    again = decide(ev.mark(date(2025, 2, 12), AttendanceCode.PRESENT_AM),
                   replace(placement, reduced_timetable=ReducedTimetable(date(2025, 2, 10), set_by, True)))
    assert again.alerts == () and again.reduced_timetable_alerted


def test_a_reduced_timetable_on_its_review_date_is_not_yet_overdue(ev: Events) -> None:
    placement, _ = _reduced(ev)
    assert decide(ev.mark(date(2025, 2, 10), AttendanceCode.PRESENT_AM), placement).alerts == ()


def test_an_ended_placement_has_no_overdue_timetable(ev: Events) -> None:
    placement, _ = _reduced(ev)
    assert decide(ev.mark(date(2025, 3, 1), AttendanceCode.PRESENT_AM), replace(placement, ended=True)).alerts == ()


def test_a_full_time_placement_never_has_an_overdue_timetable(ev: Events) -> None:
    assert decide(ev.mark(date(2025, 6, 1), AttendanceCode.PRESENT_AM), terms(ev)).alerts == ()
    assert ev.started(timetable=TimetableKind.FULL_TIME).reduced_timetable_review_date is None


# -- parents ---------------------------------------------------------------------------------------

def test_a_certificate_is_news_for_parents_through_the_home_school(ev: Events) -> None:
    decision = decide(ev.reward(RewardKind.CERTIFICATE), terms(ev))
    assert sent(decision) == {("reward_achieved", P, HOME_SCHOOL)}
    assert decision.alerts[0].priority is Priority.INFO


def test_a_session_reward_slip_is_not_sent_to_parents(ev: Events) -> None:
    assert decide(ev.reward(RewardKind.REWARD_SLIP), terms(ev)).alerts == ()


# -- what an alert may say ---------------------------------------------------------------------------

@pytest.mark.parametrize("make", ["concern", "intervention", "proposed", "ended"])
def test_alerts_carry_no_narrative_or_names(ev: Events, make: str) -> None:
    event = getattr(ev, make)()
    for alert in decide(event, terms(ev)).alerts:
        message = render(alert)
        text = f"{message.subject}\n{message.body}\n{alert!r}"
        assert NARRATIVE not in text and "staff-1" not in text
        assert str(ev.pupil_ref) in message.body
        assert alert.link_path in message.body


def test_every_rule_has_a_template_and_every_template_a_rule() -> None:
    templates = {r.template_id for r in RULES} | {"safeguarding_file_offered", "safeguarding_file_transfer_overdue",
                                                  BREAK_GLASS_RULE}
    templates |= {name for r in OVERDUE_RULES.values() for name in (r.owner_rule, r.manager_rule)}
    templates |= {EARLY_WARNING_RULE, SLA_REVIEW_RULE, WEEKLY_REPORT_RULE}
    assert templates == set(TEMPLATES)


def test_event_day_prefers_the_day_the_event_is_about(ev: Events) -> None:
    recorded = datetime(2025, 6, 1, tzinfo=UTC)
    assert event_day(ev.incident(Severity.SERIOUS, on=date(2025, 3, 4)), recorded) == date(2025, 3, 4)
    assert event_day(ev.mark(date(2025, 3, 5), AttendanceCode.PRESENT_AM), recorded) == date(2025, 3, 5)
    assert event_day(ev.thresholds(date(2025, 3, 6), Severity.SERIOUS), recorded) == date(2025, 3, 6)


def test_an_event_of_an_unknown_kind_fires_nothing(ev: Events) -> None:
    assert decide(ev.thresholds(date(2025, 3, 6), Severity.LOW_LEVEL), terms(ev)).alerts == ()


def test_alerts_are_plain_values(ev: Events) -> None:
    alert = decide(ev.intervention(), terms(ev)).alerts[0]
    assert isinstance(alert, Alert) and alert.pupil_ref == ev.pupil_ref and alert.cause_event_type == \
        "PhysicalInterventionRecorded"
