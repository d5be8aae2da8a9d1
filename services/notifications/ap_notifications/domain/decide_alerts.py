"""Decide the alerts one incidents event causes, and the alert state of its placement afterwards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import Audience
from ap_notifications.domain.alerts import Alert
from ap_notifications.domain.rulebook import AlertRuleBook
from ap_notifications.domain.rules import REDUCED_TIMETABLE_RULE, RULES, AlertRule, Situation

# The field holding the day an event is about, in the order looked for; events without one are
# dated by when they were recorded.
_DAY_FIELDS = (
    "session_date", "happened_at", "started_at", "searched_at", "raised_at", "proposed_on", "decided_on",
    "end_date", "granted_on", "redeemed_on", "applied_on", "agreed_on", "reviewed_on", "held_on", "referred_on",
    "start_date", "sent_on",
)


def event_day(event: DomainEvent, recorded: datetime) -> date:
    """The school day an event happened on, for thresholds in force and review deadlines."""
    for name in _DAY_FIELDS:
        value = getattr(event, name, None)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
    return recorded.date()


@dataclass(frozen=True, slots=True)
class AlertDecision:
    alerts: tuple[Alert, ...]
    attendance_below: bool
    reduced_timetable_alerted: bool


def decide_alerts(
    situation: Situation, book: AlertRuleBook, rules: Sequence[AlertRule] = RULES
) -> AlertDecision:
    """Every alert the rules fire for this event, one per audience and recipient organisation."""
    alerts: list[Alert] = []
    reduced = situation.terms.reduced_timetable
    timetable_alerted = reduced is not None and reduced.overdue_alerted
    for rule in rules:
        if rule.event_type not in (None, situation.event.event_type):
            continue
        firing = rule.fires(situation, book)
        if firing is None:
            continue
        timetable_alerted = timetable_alerted or rule.name == REDUCED_TIMETABLE_RULE
        cause = firing.cause_event_id or situation.event_id
        link = rule.link.format(pupil_ref=situation.terms.pupil_ref, record_id=cause,
                                placement_id=situation.terms.placement_id)
        commissioner = situation.terms.recipients(Audience.COMMISSIONER) if Audience.COMMISSIONER in rule.audiences \
            else ()
        for audience in rule.audiences:
            for organisation in situation.terms.recipients(audience):
                if audience is Audience.LA and organisation in commissioner:
                    continue  # the LA commissioned the placement: it hears once, as its commissioner
                alerts.append(Alert(
                    rule_name=rule.name, audience=audience, recipient_organisation_id=organisation,
                    pupil_ref=situation.terms.pupil_ref, cause_event_id=cause,
                    cause_event_type=situation.event.event_type, template_id=rule.template_id,
                    priority=firing.priority, link_path=link, threshold=firing.threshold,
                    incident_severity=firing.incident_severity, details=firing.details,
                ))
    below = situation.attendance.below if situation.attendance is not None else situation.terms.attendance_below
    return AlertDecision(tuple(alerts), below, timetable_alerted)
