"""The alert rules of BRIEF.md section 5, as a table: which event, for which audiences, when.

Each rule names the event type it reads (None: any event of the placement), the audiences it
alerts, the message template, the link path, and a small pure function saying whether it fires
and how urgently. Recipients come from the placement (``PlacementTerms.recipients``).

  home school    every safeguarding concern (at once), incidents at or above the agreed threshold,
                 physical interventions, searches that found prohibited items, a proposed
                 exclusion, the placement ending
  commissioner   incidents at or above the agreed threshold (the placement's threshold is agreed
                 as "at or above"), a proposed withdrawal of the place (its decision is needed),
                 attendance falling below the agreed level, a reduced timetable past its review date
  DSL            every safeguarding concern, every drug or weapon found in a search
  parents        rewards achieved (the kinds the rule book names)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import Audience, Comparison, ThresholdContext
from ap_contracts.events.placements import ExclusionProposed, PlacementEnded
from ap_contracts.events.pupil_record import (
    IncidentRecorded,
    PhysicalInterventionRecorded,
    RewardGranted,
    SafeguardingConcernRaised,
    SearchConducted,
)
from ap_contracts.events.pupil_vocabulary import Severity
from ap_notifications.domain.alerts import Priority
from ap_notifications.domain.attendance import AttendanceVerdict
from ap_notifications.domain.placement_terms import PlacementTerms, thresholds_in_force
from ap_notifications.domain.rulebook import AlertRuleBook


@dataclass(frozen=True, slots=True)
class Situation:
    """One event of a placement and what is known about the placement once it is counted."""

    event: DomainEvent
    event_id: UUID
    day: date
    terms: PlacementTerms
    attendance: AttendanceVerdict | None = None


@dataclass(frozen=True, slots=True)
class Firing:
    priority: Priority
    threshold: ThresholdContext | None = None
    incident_severity: int | None = None
    # The event the alert is about when it is not the event being read (a timetable review date).
    cause_event_id: UUID | None = None


Fires = Callable[[Situation, AlertRuleBook], Firing | None]

H, C, D, P = Audience.HOME_SCHOOL, Audience.COMMISSIONER, Audience.DSL, Audience.PARENT

RECORD_LINK = "/pupils/{pupil_ref}/records/{record_id}"
SAFEGUARDING_LINK = "/pupils/{pupil_ref}/safeguarding/{record_id}"
PLACEMENT_LINK = "/pupils/{pupil_ref}/placements/{placement_id}"


@dataclass(frozen=True, slots=True)
class AlertRule:
    name: str
    event_type: str | None
    audiences: tuple[Audience, ...]
    template_id: str
    link: str
    fires: Fires


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
    verdict = s.attendance
    agreed = thresholds_in_force(s.terms.thresholds, s.day)
    if verdict is None or not verdict.alert or verdict.rate_basis_points is None or agreed is None:
        return None
    threshold = ThresholdContext(
        metric="attendance_rate", comparison=Comparison.BELOW, threshold_value=agreed.attendance_percent * 100,
        observed_value=verdict.rate_basis_points, unit="basis_points", placement_id=s.terms.placement_id,
    )
    return Firing(Priority.NORMAL, threshold)


def _reduced_timetable_past_review(s: Situation, _: AlertRuleBook) -> Firing | None:
    reduced = s.terms.reduced_timetable
    if reduced is None or reduced.overdue_alerted or s.terms.ended or s.day <= reduced.review_date:
        return None
    threshold = ThresholdContext(
        metric="days_past_review", comparison=Comparison.AT_OR_ABOVE, threshold_value=1,
        observed_value=(s.day - reduced.review_date).days, unit="days", placement_id=s.terms.placement_id,
    )
    return Firing(Priority.NORMAL, threshold, cause_event_id=reduced.set_by_event_id)


def _reward_achieved(s: Situation, book: AlertRuleBook) -> Firing | None:
    achieved = isinstance(s.event, RewardGranted) and s.event.kind in book.parent_reward_kinds
    return Firing(Priority.INFO) if achieved else None


RULES: tuple[AlertRule, ...] = (
    AlertRule("safeguarding_concern", "SafeguardingConcernRaised", (H, D), "safeguarding_concern",
              SAFEGUARDING_LINK, _safeguarding_concern),
    AlertRule("incident_at_threshold", "IncidentRecorded", (H, C), "incident_at_threshold",
              RECORD_LINK, _incident_at_threshold),
    AlertRule("physical_intervention", "PhysicalInterventionRecorded", (H,), "physical_intervention",
              RECORD_LINK, _physical_intervention),
    AlertRule("prohibited_items_found", "SearchConducted", (H,), "prohibited_items_found",
              RECORD_LINK, _prohibited_items_found),
    AlertRule("drug_or_weapon_found", "SearchConducted", (D,), "drug_or_weapon_found",
              RECORD_LINK, _drug_or_weapon_found),
    AlertRule("exclusion_proposed", "ExclusionProposed", (H,), "exclusion_proposed",
              RECORD_LINK, _exclusion_proposed),
    AlertRule("withdrawal_decision_needed", "ExclusionProposed", (C,), "withdrawal_decision_needed",
              RECORD_LINK, _exclusion_proposed),
    AlertRule("placement_ended", "PlacementEnded", (H,), "placement_ended",
              PLACEMENT_LINK, _placement_ended),
    AlertRule("attendance_below_agreed_level", "AttendanceRecorded", (C,), "attendance_below_agreed_level",
              PLACEMENT_LINK + "/attendance", _attendance_below),
    AlertRule("reduced_timetable_past_review", None, (C,), "reduced_timetable_past_review",
              PLACEMENT_LINK + "/timetable", _reduced_timetable_past_review),
    AlertRule("reward_achieved", "RewardGranted", (P,), "reward_achieved",
              RECORD_LINK, _reward_achieved),
)

REDUCED_TIMETABLE_RULE = "reduced_timetable_past_review"
