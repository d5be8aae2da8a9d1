"""Issue 14, alerts that act the same day: a morning absence, force used, a search find, and the statutory points of
suspension and permanent exclusion (STATUTORY.md; DfE suspension and permanent exclusion guidance).

Per rule: it fires, it does not fire below or at its line, and it fires once (the suspension that crosses the line
tells; the next one of the same term or year does not).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import Audience
from ap_contracts.events.pupil_vocabulary import (
    AttendanceCode,
    ExclusionReason,
    ProhibitedItem,
    RewardKind,
    Session,
    Severity,
)
from ap_contracts.events.school_exclusions import GovernorsDuty, PermanentExclusionIssued, SuspensionIssued
from ap_contracts.events.sent_home import SentHomeReason, SentHomeRecorded
from ap_notifications.domain.alerts import Alert, Priority
from ap_notifications.domain.decide_alerts import AlertDecision, decide_alerts
from ap_notifications.domain.messages import TEMPLATES, FieldNotForAudience, render
from ap_notifications.domain.placement_terms import PlacementTerms, ThresholdChange, Thresholds
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK, AlertRuleBook
from ap_notifications.domain.rules import RULES, Situation
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, NARRATIVE, PARTNERSHIP, PROVISION, Events

H, C, P, LA = Audience.HOME_SCHOOL, Audience.COMMISSIONER, Audience.PARENT, Audience.LA
AO = Audience.ATTENDANCE_OFFICER
HOME_LA = "la-home-county"
MONDAY = date(2025, 3, 10)


def placement(ev: Events, local_authority_id: str | None = HOME_LA, commissioner: str = COMMISSIONER) -> PlacementTerms:
    return PlacementTerms(placement_id=ev.placement_id, pupil_ref=ev.pupil_ref, provision_id=PROVISION,
                          home_school_id=HOME_SCHOOL, commissioner_id=commissioner, partnership_id=PARTNERSHIP,
                          thresholds=(ThresholdChange(date(2025, 1, 13), 1, Thresholds(Severity.SERIOUS, 90)),),
                          local_authority_id=local_authority_id)


def decide(event: DomainEvent, terms: PlacementTerms, recorded_on: date | None = MONDAY,
           book: AlertRuleBook = DEFAULT_RULE_BOOK) -> AlertDecision:
    return decide_alerts(Situation(event, uuid4(), MONDAY, terms, recorded_on=recorded_on), book)


def sent(decision: AlertDecision) -> set[tuple[str, Audience, str]]:
    return {(a.rule_name, a.audience, a.recipient_organisation_id) for a in decision.alerts}


# -- a morning absence, the same day ------------------------------------------------------------------

def test_an_unauthorised_morning_absence_reaches_the_home_school_and_the_commissioner_that_day(ev: Events) -> None:
    decision = decide(ev.mark(MONDAY, AttendanceCode.OTHER_UNAUTHORISED), placement(ev))
    assert sent(decision) == {("absence_same_day", H, HOME_SCHOOL), ("absence_same_day", C, COMMISSIONER)}
    assert {a.priority for a in decision.alerts} == {Priority.HIGH}
    assert ("Attendance code", "O") in decision.alerts[0].details


@pytest.mark.parametrize(("code", "session"), [
    (AttendanceCode.OTHER_UNAUTHORISED, Session.PM),  # the afternoon: told by the attendance rules, not same day
    (AttendanceCode.PRESENT_AM, Session.AM),
    (AttendanceCode.ILLNESS, Session.AM),  # authorised: the school knows why
    (AttendanceCode.PART_TIME_TIMETABLE, Session.AM),  # arranged: a reduced timetable
])
def test_a_morning_present_or_authorised_or_an_afternoon_absence_is_no_same_day_notice(
    ev: Events, code: AttendanceCode, session: Session
) -> None:
    assert decide(ev.mark(MONDAY, code, session), placement(ev)).alerts == ()


def test_a_morning_absence_recorded_on_a_later_day_is_no_same_day_notice(ev: Events) -> None:
    late = ev.mark(MONDAY, AttendanceCode.OTHER_UNAUTHORISED)
    assert decide(late, placement(ev), recorded_on=date(2025, 3, 11)).alerts == ()


def test_which_absences_are_told_the_same_day_is_rule_book_data(ev: Events) -> None:
    book = AlertRuleBook(same_day_absence_categories=frozenset())
    assert decide(ev.mark(MONDAY, AttendanceCode.OTHER_UNAUTHORISED), placement(ev), book=book).alerts == ()


# -- a pupil sent home: the LA's attendance officer ------------------------------------------------------

def sent_home(ev: Events) -> SentHomeRecorded:
    return SentHomeRecorded(pupil_ref=ev.pupil_ref, record_id=uuid4(), placement_id=ev.placement_id, sent_on=MONDAY,
                            from_session=Session.AM, reason=SentHomeReason.REFUSED_SEARCH, collected_by_parent=False,
                            rule_version="england-2026.2")


def test_a_pupil_sent_home_tells_the_las_attendance_officer_and_the_home_school(ev: Events) -> None:
    decision = decide(sent_home(ev), placement(ev))
    assert sent(decision) == {("pupil_sent_home", AO, HOME_LA), ("pupil_sent_home", H, HOME_SCHOOL)}
    assert ("Reason", "refused_search") in decision.alerts[0].details
    assert "not an exclusion" in TEMPLATES["pupil_sent_home"][1]


def test_the_attendance_officer_is_told_once_the_home_schools_la_is_known(ev: Events) -> None:
    assert sent(decide(sent_home(ev), placement(ev, local_authority_id=None))) == {
        ("pupil_sent_home", H, HOME_SCHOOL)}


# -- parents told the same day --------------------------------------------------------------------------

def test_parents_are_told_of_force_used_through_the_home_school(ev: Events) -> None:
    assert ("physical_intervention_parents", P, HOME_SCHOOL) in sent(decide(ev.intervention(), placement(ev)))


def test_parents_are_told_of_a_search_that_found_something_but_not_of_one_that_found_nothing(ev: Events) -> None:
    assert ("search_find_parents", P, HOME_SCHOOL) in sent(decide(ev.search(ProhibitedItem.ALCOHOL), placement(ev)))
    assert decide(ev.search(), placement(ev)).alerts == ()


def test_a_drug_or_weapon_find_is_for_the_dsls_to_tell_the_family(ev: Events) -> None:
    rules = {rule for rule, _, _ in sent(decide(ev.search(ProhibitedItem.ALCOHOL, ProhibitedItem.KNIFE_OR_WEAPON),
                                                placement(ev)))}
    assert "search_find_parents" not in rules and "drug_or_weapon_found" in rules


# -- suspensions ---------------------------------------------------------------------------------------

def suspension(ev: Events, duration: int, term_total: int, year_total: int, parents_informed: bool = True,
               duty: GovernorsDuty | None = None) -> SuspensionIssued:
    """Half days throughout, as the incidents service counts them."""
    if duty is None:
        duty = GovernorsDuty.MEET if term_total > 30 else (
            GovernorsDuty.CONSIDER_REPRESENTATIONS if term_total > 10 else GovernorsDuty.NONE)
    return SuspensionIssued(
        pupil_ref=ev.pupil_ref, record_id=uuid4(), home_school_id=HOME_SCHOOL, placement_id=ev.placement_id,
        first_day=MONDAY, duration_half_days=duration, academic_year="2024/25", year_total_half_days=year_total,
        primary_reason=ExclusionReason.DISRUPTIVE_BEHAVIOUR, parents_informed=parents_informed, account=NARRATIVE,
        rule_version="england-2026.2", term="2024-25 spring", term_total_half_days=term_total,
        local_authority_told_at_once=term_total > 10, governors_duty=duty, counted_with="la-home-county")


def test_a_suspension_told_at_once_reaches_the_commissioner_and_the_home_schools_la(ev: Events) -> None:
    assert sent(decide(suspension(ev, 4, 12, 12), placement(ev))) == {
        ("suspension_told_at_once", C, COMMISSIONER), ("suspension_told_at_once", LA, HOME_LA)}


def test_an_la_that_commissioned_the_placement_hears_once_as_commissioner(ev: Events) -> None:
    assert sent(decide(suspension(ev, 4, 12, 12), placement(ev, commissioner=HOME_LA))) == {
        ("suspension_told_at_once", C, HOME_LA)}


def test_the_suspension_that_takes_the_term_over_15_days_calls_the_governors_once(ev: Events) -> None:
    crossing = decide(suspension(ev, 4, 31, 31), placement(ev))
    assert {("suspension_governors_must_meet", H, HOME_SCHOOL),
            ("suspension_governors_must_meet", LA, HOME_LA)} <= sent(crossing)
    details = dict(crossing.alerts[-1].details)
    assert details["School days suspended in the 2024-25 spring term"] == "15.5"
    again = decide(suspension(ev, 4, 35, 35), placement(ev))  # already over before this one
    assert not any(rule == "suspension_governors_must_meet" for rule, _, _ in sent(again))


def test_exactly_15_days_in_the_term_does_not_call_the_governors_to_meet(ev: Events) -> None:
    at_line = decide(suspension(ev, 4, 30, 30, duty=GovernorsDuty.CONSIDER_REPRESENTATIONS), placement(ev))
    assert not any(rule == "suspension_governors_must_meet" for rule, _, _ in sent(at_line))


def test_the_year_reaching_40_suspended_days_warns_the_head_and_the_la_once(ev: Events) -> None:
    reaching = decide(suspension(ev, 4, 8, 80), placement(ev))
    assert sent(reaching) == {("suspension_cap_approaching", H, HOME_SCHOOL),
                              ("suspension_cap_approaching", LA, HOME_LA)}
    assert ("Annual limit in school days", "45") in reaching.alerts[0].details
    assert decide(suspension(ev, 4, 8, 79), placement(ev)).alerts == ()  # 39.5 days: below
    assert decide(suspension(ev, 2, 4, 82), placement(ev)).alerts == ()  # already warned at 40


def test_parents_are_told_of_a_suspension_the_school_has_not_told_them_of(ev: Events) -> None:
    assert sent(decide(suspension(ev, 2, 2, 2, parents_informed=False), placement(ev))) == {
        ("exclusion_parents_not_told", P, HOME_SCHOOL)}
    assert decide(suspension(ev, 2, 2, 2), placement(ev)).alerts == ()  # within 5 days, parents told: termly


# -- permanent exclusion -------------------------------------------------------------------------------

def exclusion(ev: Events, parents_informed: bool = True) -> PermanentExclusionIssued:
    return PermanentExclusionIssued(
        pupil_ref=ev.pupil_ref, record_id=uuid4(), home_school_id=HOME_SCHOOL, placement_id=ev.placement_id,
        decided_on=MONDAY, effective_from=date(2025, 3, 11), academic_year="2024/25",
        primary_reason=ExclusionReason.PHYSICAL_ASSAULT_ADULT, parents_informed=parents_informed,
        account=NARRATIVE, rule_version="england-2026.2", full_time_education_from=date(2025, 3, 18),
        counted_with=HOME_LA)


def test_a_permanent_exclusion_tells_the_head_the_commissioner_and_the_la_with_the_sixth_day(ev: Events) -> None:
    decision = decide(exclusion(ev), placement(ev))
    assert sent(decision) == {("permanent_exclusion", H, HOME_SCHOOL), ("permanent_exclusion", C, COMMISSIONER),
                              ("permanent_exclusion", LA, HOME_LA)}
    assert ("Full-time education from", "2025-03-18") in decision.alerts[0].details


def test_a_permanent_exclusion_parents_were_not_told_of_reaches_them(ev: Events) -> None:
    assert ("exclusion_parents_not_told", P, HOME_SCHOOL) in sent(decide(exclusion(ev, False), placement(ev)))


def test_nobody_receives_the_las_alert_while_the_home_schools_la_is_unknown(ev: Events) -> None:
    assert {a for _, a, _ in sent(decide(exclusion(ev), placement(ev, local_authority_id=None)))} == {H, C}


# -- what the messages say -------------------------------------------------------------------------------

NEW_RULES = ("pupil_sent_home", "absence_same_day", "physical_intervention_parents", "search_find_parents",
             "suspension_governors_must_meet", "suspension_cap_approaching", "permanent_exclusion",
             "exclusion_parents_not_told")


def test_every_new_rule_has_its_template_and_a_parent_message_lists_no_record_detail(ev: Events) -> None:
    assert set(NEW_RULES) <= set(TEMPLATES) and set(NEW_RULES) <= {r.name for r in RULES}
    events: list[DomainEvent] = [ev.mark(MONDAY, AttendanceCode.OTHER_UNAUTHORISED), ev.intervention(),
                                 ev.search(ProhibitedItem.ALCOHOL), suspension(ev, 4, 31, 80, False),
                                 exclusion(ev, False), sent_home(ev), ev.reward(RewardKind.CERTIFICATE)]
    seen = set()
    for event in events:
        for alert in decide(event, placement(ev)).alerts:
            seen.add(alert.rule_name)
            message = render(alert)
            assert NARRATIVE not in f"{message.subject}\n{message.body}"
            if alert.audience is P:  # parents read neither counts nor codes nor severities
                assert alert.details == () and alert.threshold is None and alert.incident_severity is None
    assert set(NEW_RULES) <= seen


def test_the_rule_book_has_a_new_version_for_these_rules() -> None:
    assert DEFAULT_RULE_BOOK.version == "alerts-2026.3"


def test_a_template_is_refused_a_field_its_audience_may_not_read(ev: Events) -> None:
    told = Alert(rule_name="physical_intervention_parents", audience=P, recipient_organisation_id=HOME_SCHOOL,
                 pupil_ref=ev.pupil_ref, cause_event_id=uuid4(), cause_event_type="PhysicalInterventionRecorded",
                 template_id="physical_intervention_parents", priority=Priority.HIGH, link_path="/x")
    assert "your child" in render(told).body
    for leaked in ({"incident_severity": 4}, {"details": (("Attendance code", "O"),)}):
        with pytest.raises(FieldNotForAudience, match="parent"):
            render(replace(told, **leaked))
    assert "Severity: 4 of 5" in render(replace(told, audience=H, incident_severity=4)).body


def test_every_template_is_a_fixed_sentence_naming_no_field() -> None:
    assert not [name for name, (subject, body) in TEMPLATES.items() if "{" in subject + body]
