"""The alert rules of BRIEF.md section 5, as a table: which event, for which audiences, when.

Each rule names the event type it reads (None: any event of the placement), the audiences it
alerts, the message template, the link path, and a small pure function saying whether it fires
and how urgently. Recipients come from the placement (``PlacementTerms.recipients``).

  home school    every safeguarding concern (at once), incidents at or above the agreed threshold,
                 physical interventions, searches that found prohibited items, a proposed
                 exclusion, the placement ending
  commissioner   incidents at or above the agreed threshold (the placement's threshold is agreed
                 as "at or above"), a proposed withdrawal of the place (its decision is needed),
                 attendance falling below the agreed level, a reduced timetable past its review date,
                 a suspension bringing the term's total over 5 school days (told at once)
  DSL            every safeguarding concern, every drug or weapon found in a search
  parents        rewards achieved (the kinds the rule book names); the same day, a physical intervention
                 and a search that found something (issue 14); a suspension or permanent exclusion the
                 school has not recorded telling them of (the law: parents are told without delay)
  attendance officer (the LA's) a pupil sent home (seed 002 appendices 2-3), with the home school
  same day       a morning session marked as an absence the rule book names (unauthorised) reaches the
                 home school and the commissioner when it is read, if it is read on its own day
  LA             (the home school's local authority) a suspension told at once, the governing board's duty
                 to meet (over 15 school days in a term), the year's total nearing the 45-day cap, and a
                 permanent exclusion; the home school's head hears of the last three too (issue 14)
  virtual school head (of the LA looking after a looked-after child, named by the placement) every suspension and
                 permanent exclusion of the child (STATUTORY.md; rule looked_after_exclusion_virtual_school)

The suspension and exclusion rules are in ``exclusion_rules.py``; what a rule reads and answers, ``situation.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ap_contracts.events.notifications import Audience, Comparison, ThresholdContext
from ap_contracts.events.placements import ExclusionProposed, PlacementEnded
from ap_contracts.events.pupil_record import (
    AttendanceRecorded,
    IncidentRecorded,
    PhysicalInterventionRecorded,
    RewardGranted,
    SafeguardingConcernRaised,
    SearchConducted,
)
from ap_contracts.events.pupil_vocabulary import ATTENDANCE_CODES, Session, Severity
from ap_contracts.events.sent_home import SentHomeRecorded
from ap_notifications.domain.alerts import Priority
from ap_notifications.domain.exclusion_rules import (
    VIRTUAL_SCHOOL_RULE,
    exclusion_parents_not_told,
    governors_must_meet,
    looked_after_exclusion,
    permanent_exclusion,
    suspension_cap_approaching,
    suspension_told_at_once,
)
from ap_notifications.domain.placement_terms import thresholds_in_force
from ap_notifications.domain.rulebook import AlertRuleBook
from ap_notifications.domain.situation import Fires, Firing, Situation

# Situation and Firing live in ``situation.py`` (the rule modules share them); importers keep this module's names.
__all__ = ["PLACEMENT_LINK", "REDUCED_TIMETABLE_RULE", "RULES", "AlertRule", "Firing", "Situation", "days_late"]


H, C, D, P, LA = Audience.HOME_SCHOOL, Audience.COMMISSIONER, Audience.DSL, Audience.PARENT, Audience.LA
AO, VSH = Audience.ATTENDANCE_OFFICER, Audience.VIRTUAL_SCHOOL_HEAD

RECORD_LINK = "/pupils/{pupil_ref}/records/{record_id}"
SAFEGUARDING_LINK = "/pupils/{pupil_ref}/safeguarding/{record_id}"
PLACEMENT_LINK = "/pupils/{pupil_ref}/placements/{placement_id}"


@dataclass(frozen=True, slots=True)
class AlertRule:
    name: str
    event_type: str | None
    audiences: tuple[Audience, ...]
    link: str
    fires: Fires

    @property
    def template_id(self) -> str:
        """Each rule has its own message (``messages.TEMPLATES``), filed under the rule's name."""
        return self.name


def _safeguarding_concern(s: Situation, _: AlertRuleBook) -> Firing | None:
    if not isinstance(s.event, SafeguardingConcernRaised):
        return None
    return Firing(Priority.URGENT if s.event.immediate_risk else Priority.HIGH)


def _incident_at_threshold(s: Situation, _: AlertRuleBook) -> Firing | None:
    if not isinstance(s.event, IncidentRecorded):
        return None
    agreed = thresholds_in_force(s.terms.thresholds, s.day)
    if agreed is None or s.event.severity < agreed.incident_severity:
        return None
    threshold = ThresholdContext(
        metric="incident_severity", comparison=Comparison.AT_OR_ABOVE, threshold_value=int(agreed.incident_severity),
        observed_value=int(s.event.severity), unit="severity_level", placement_id=s.terms.placement_id,
    )
    urgent = s.event.severity >= Severity.VERY_SERIOUS
    return Firing(Priority.HIGH if urgent else Priority.NORMAL, threshold, int(s.event.severity))


def _physical_intervention(s: Situation, _: AlertRuleBook) -> Firing | None:
    return Firing(Priority.HIGH) if isinstance(s.event, PhysicalInterventionRecorded) else None


def _prohibited_items_found(s: Situation, _: AlertRuleBook) -> Firing | None:
    found = isinstance(s.event, SearchConducted) and bool(s.event.items_found)
    return Firing(Priority.HIGH) if found else None


def _search_find_for_parents(s: Situation, book: AlertRuleBook) -> Firing | None:
    """Issue 14: parents hear the same day of a search that found something, except a drug or weapon: that find
    goes to the DSLs (``drug_or_weapon_found``), who decide how the family is told (KCSIE: telling a family may
    put a child at risk)."""
    if not isinstance(s.event, SearchConducted) or not s.event.items_found:
        return None
    if any(item.item in book.dsl_search_items for item in s.event.items_found):
        return None
    return Firing(Priority.HIGH)


def _drug_or_weapon_found(s: Situation, book: AlertRuleBook) -> Firing | None:
    if not isinstance(s.event, SearchConducted):
        return None
    found = any(item.item in book.dsl_search_items for item in s.event.items_found)
    return Firing(Priority.URGENT) if found else None


def _exclusion_proposed(s: Situation, _: AlertRuleBook) -> Firing | None:
    return Firing(Priority.HIGH) if isinstance(s.event, ExclusionProposed) else None


def _placement_ended(s: Situation, _: AlertRuleBook) -> Firing | None:
    return Firing(Priority.NORMAL) if isinstance(s.event, PlacementEnded) else None


def _attendance_below(s: Situation, _: AlertRuleBook) -> Firing | None:
    verdict = s.attendance  # judged against the placement's threshold or the SLA's (``attendance_threshold``)
    if verdict is None or not verdict.alert or verdict.rate_basis_points is None:
        return None
    threshold = ThresholdContext(
        metric="attendance_rate", comparison=Comparison.BELOW, threshold_value=verdict.threshold_percent * 100,
        observed_value=verdict.rate_basis_points, unit="basis_points", placement_id=s.terms.placement_id,
    )
    return Firing(Priority.NORMAL, threshold)


def _reduced_timetable_past_review(s: Situation, _: AlertRuleBook) -> Firing | None:
    reduced = s.terms.reduced_timetable
    if reduced is None or reduced.overdue_alerted or s.terms.ended or s.day <= reduced.review_date:
        return None
    threshold = days_late("days_past_review", (s.day - reduced.review_date).days, s.terms.placement_id)
    return Firing(Priority.NORMAL, threshold, cause_event_id=reduced.set_by_event_id)


def days_late(metric: str, days: int, placement_id: UUID | None) -> ThresholdContext:
    """How late a piece of work is, as the alert states it (a day past its date is overdue)."""
    return ThresholdContext(metric=metric, comparison=Comparison.AT_OR_ABOVE, threshold_value=1,
                            observed_value=days, unit="days", placement_id=placement_id)


def _absence_same_day(s: Situation, book: AlertRuleBook) -> Firing | None:
    """Issue 14: a morning absence reaches the home school and the commissioner the same day; a mark read on a
    later day (a register corrected afterwards) is no same-day notice and waits for the attendance rules."""
    if not isinstance(s.event, AttendanceRecorded) or s.event.session is not Session.AM:
        return None
    if ATTENDANCE_CODES[s.event.code].category not in book.same_day_absence_categories:
        return None
    if s.recorded_on is not None and s.recorded_on != s.event.session_date:
        return None
    return Firing(Priority.HIGH, details=(("Session", f"{s.event.session_date.isoformat()} morning"),
                                          ("Attendance code", s.event.code.value)))


def _sent_home(s: Situation, _: AlertRuleBook) -> Firing | None:
    """Seed 002 appendices 2 and 3: the attendance officer (the home school's LA's) is told of a pupil sent home,
    an unauthorised absence and not an exclusion; the home school hears of its pupil's absence too."""
    if not isinstance(s.event, SentHomeRecorded):
        return None
    return Firing(Priority.HIGH, details=(("Sent home on", s.event.sent_on.isoformat()),
                                          ("From session", s.event.from_session.value),
                                          ("Reason", s.event.reason.value)))


def _reward_achieved(s: Situation, book: AlertRuleBook) -> Firing | None:
    achieved = isinstance(s.event, RewardGranted) and s.event.kind in book.parent_reward_kinds
    return Firing(Priority.INFO) if achieved else None


RULES: tuple[AlertRule, ...] = (
    AlertRule("safeguarding_concern", "SafeguardingConcernRaised", (H, D), SAFEGUARDING_LINK, _safeguarding_concern),
    AlertRule("incident_at_threshold", "IncidentRecorded", (H, C), RECORD_LINK, _incident_at_threshold),
    AlertRule("physical_intervention", "PhysicalInterventionRecorded", (H,), RECORD_LINK, _physical_intervention),
    AlertRule("physical_intervention_parents", "PhysicalInterventionRecorded", (P,), RECORD_LINK,
              _physical_intervention),
    AlertRule("prohibited_items_found", "SearchConducted", (H,), RECORD_LINK, _prohibited_items_found),
    AlertRule("search_find_parents", "SearchConducted", (P,), RECORD_LINK, _search_find_for_parents),
    AlertRule("drug_or_weapon_found", "SearchConducted", (D,), RECORD_LINK, _drug_or_weapon_found),
    AlertRule("exclusion_proposed", "ExclusionProposed", (H,), RECORD_LINK, _exclusion_proposed),
    AlertRule("withdrawal_decision_needed", "ExclusionProposed", (C,), RECORD_LINK, _exclusion_proposed),
    AlertRule("placement_ended", "PlacementEnded", (H,), PLACEMENT_LINK, _placement_ended),
    AlertRule("attendance_below_agreed_level", "AttendanceRecorded", (C,), PLACEMENT_LINK + "/attendance",
              _attendance_below),
    AlertRule("reduced_timetable_past_review", None, (C,), PLACEMENT_LINK + "/timetable",
              _reduced_timetable_past_review),
    AlertRule("suspension_told_at_once", "SuspensionIssued", (C, LA), RECORD_LINK, suspension_told_at_once),
    AlertRule("suspension_governors_must_meet", "SuspensionIssued", (H, LA), RECORD_LINK, governors_must_meet),
    AlertRule("suspension_cap_approaching", "SuspensionIssued", (H, LA), RECORD_LINK, suspension_cap_approaching),
    AlertRule("permanent_exclusion", "PermanentExclusionIssued", (H, C, LA), RECORD_LINK, permanent_exclusion),
    AlertRule("exclusion_parents_not_told", None, (P,), RECORD_LINK, exclusion_parents_not_told),
    AlertRule("pupil_sent_home", "SentHomeRecorded", (H, AO), PLACEMENT_LINK + "/attendance", _sent_home),
    AlertRule("absence_same_day", "AttendanceRecorded", (H, C), PLACEMENT_LINK + "/attendance", _absence_same_day),
    AlertRule("reward_achieved", "RewardGranted", (P,), RECORD_LINK, _reward_achieved),
    AlertRule(VIRTUAL_SCHOOL_RULE, None, (VSH,), RECORD_LINK, looked_after_exclusion),
)

REDUCED_TIMETABLE_RULE = "reduced_timetable_past_review"
