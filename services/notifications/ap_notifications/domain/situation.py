"""What an alert rule reads (one event of a placement and what is known about it) and what it answers.

Shared by the rules table (``rules.py``) and the rule modules it gathers (``exclusion_rules.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import ThresholdContext
from ap_notifications.domain.alerts import Priority
from ap_notifications.domain.attendance import AttendanceVerdict
from ap_notifications.domain.placement_terms import PlacementTerms
from ap_notifications.domain.rulebook import AlertRuleBook


@dataclass(frozen=True, slots=True)
class Situation:
    """One event of a placement and what is known about the placement once it is counted."""

    event: DomainEvent
    event_id: UUID
    day: date
    terms: PlacementTerms
    attendance: AttendanceVerdict | None = None
    # The day the event was recorded (its envelope), for notices that are only news on the day they are about.
    recorded_on: date | None = None


@dataclass(frozen=True, slots=True)
class Firing:
    priority: Priority
    threshold: ThresholdContext | None = None
    incident_severity: int | None = None
    # The event the alert is about when it is not the event being read (a timetable review date).
    cause_event_id: UUID | None = None
    # Labelled codes and numbers the message lists (``Alert.details``): never narrative.
    details: tuple[tuple[str, str], ...] = ()


Fires = Callable[[Situation, AlertRuleBook], Firing | None]
