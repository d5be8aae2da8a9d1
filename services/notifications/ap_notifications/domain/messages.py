"""What an alert says: a fixed sentence per template, the pupil's pseudonymous reference and a link.

Never narrative, names or the record's content (STATUTORY.md, data protection): the reader follows
the link and the platform's access policy decides what they may read there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ap_contracts.events.notifications import Audience
from ap_notifications.domain.alerts import Alert

TEMPLATES: MappingProxyType[str, tuple[str, str]] = MappingProxyType({
    "safeguarding_concern": (
        "Safeguarding concern recorded",
        "A safeguarding concern was recorded about a pupil you are responsible for."),
    "incident_at_threshold": (
        "Incident at or above the agreed threshold",
        "An incident at or above the severity agreed for this placement was recorded."),
    "physical_intervention": (
        "Physical intervention recorded",
        "Reasonable force was used and recorded for a pupil you are responsible for."),
    "prohibited_items_found": (
        "Prohibited item found in a search",
        "A search found one or more prohibited items."),
    "drug_or_weapon_found": (
        "Drug or weapon found in a search",
        "A search found a controlled drug or a weapon."),
    "exclusion_proposed": (
        "Withdrawal of a place proposed",
        "The provision has proposed withdrawing a pupil's place; the commissioner will decide."),
    "withdrawal_decision_needed": (
        "Decision needed: proposed withdrawal of a place",
        "The provision has proposed withdrawing a place you commissioned. Only you can decide it."),
    "placement_ended": (
        "Placement ended",
        "A pupil's placement has ended."),
    "attendance_below_agreed_level": (
        "Attendance below the agreed level",
        "Attendance at the placement has fallen below the level agreed for it."),
    "reduced_timetable_past_review": (
        "Reduced timetable past its review date",
        "A reduced timetable has run past its review date without a recorded review."),
    "suspension_told_at_once": (
        "Suspensions over 5 school days this term",
        "A pupil's suspensions this term now total more than 5 school days: the local authority and the governing"
        " board are told without delay."),
    "suspension_governors_must_meet": (
        "Governing board must meet: suspensions over 15 school days this term",
        "A pupil's suspensions this term now total more than 15 school days: the governing board must meet to"
        " consider reinstatement."),
    "suspension_cap_approaching": (
        "Suspensions nearing the annual limit",
        "A pupil's suspensions this academic year are nearing the limit of 45 school days."),
    "permanent_exclusion": (
        "Permanent exclusion",
        "A pupil you are responsible for has been permanently excluded. The local authority arranges full-time"
        " education from the sixth school day; the governing board must consider reinstatement."),
    "exclusion_parents_not_told": (
        "Your child has been suspended or excluded from school",
        "Your child's school has suspended or excluded them. The school will tell you the reason, the length and"
        " your right to make representations."),
    "sla_review_overdue": (
        "Service level agreement review overdue",
        "The annual review of a service level agreement you are a party to was not completed by its due date."),
    "weekly_home_school_report": (
        "Weekly report on your pupils in alternative provision",
        "This week's report on your pupils placed in alternative provision is ready: attendance, incidents,"
        " engagement scores, targets and progress."),
    "pupil_sent_home": (
        "Pupil sent home",
        "A pupil was sent home from their provision for the rest of the day. This is an unauthorised absence, not"
        " an exclusion."),
    "absence_same_day": (
        "Absent this morning",
        "A pupil placed at a provision was marked absent without authorisation this morning."),
    "physical_intervention_parents": (
        "Reasonable force was used with your child",
        "Staff at your child's provision used reasonable force with your child today. The school will talk it"
        " through with you."),
    "search_find_parents": (
        "A search found a prohibited item",
        "A search of your child at their provision found an item that is not allowed. The school will talk it"
        " through with you."),
    "placement_review_overdue": (
        "Placement review overdue",
        "A placement you commissioned has passed its review date without a recorded review."),
    "placement_review_overdue_to_manager": (
        "Placement review still overdue",
        "A placement in your area is still past its review date without a recorded review; its commissioner was"
        " told when it fell due."),
    "reduced_timetable_past_review_to_manager": (
        "Reduced timetable still past its review date",
        "A reduced timetable in your area is still past its review date without a recorded review; its"
        " commissioner was told when it fell due."),
    "fair_access_case_overdue": (
        "Fair Access case past 20 school days",
        "A child in a Fair Access case has been without a school place for longer than the 20 school days within"
        " which a place should be offered."),
    "fair_access_case_overdue_to_manager": (
        "Fair Access case still without a place",
        "A child in a Fair Access case is still without a school place, well past the 20 school days within which"
        " a place should be offered; the panel's officers were told when it fell due."),
    "self_audit_overdue": (
        "Self-audit overdue",
        "The self-audit your commissioner asked for has passed its due date with statements still to rate."),
    "self_audit_overdue_to_manager": (
        "Self-audit you requested still overdue",
        "A provider's self-audit you requested is still past its due date with statements still to rate; the"
        " provider was told when it fell due."),
    "early_warning": (
        "Early-warning flag raised",
        "A pupil's recent trend crossed an early-warning rule. The rule and the figures it compared are below; the"
        " flag on the platform lists the records they were counted from."),
    "looked_after_exclusion_virtual_school": (
        "Looked-after child suspended or excluded",
        "A child your authority looks after has been suspended or permanently excluded from school. You are told"
        " as the virtual school head; the school days suspended, or the day the exclusion takes effect, are below."),
    "reward_achieved": (
        "Reward achieved",
        "Your child has achieved a reward at their provision."),
    "safeguarding_file_offered": (
        "Child-protection file sent to you",
        "A child-protection file has been sent to your setting. Please confirm receipt."),
    "break_glass_access": (
        "Safeguarding record read by emergency access",
        "A pupil's safeguarding detail was read by break-glass access by someone who is not its designated "
        "safeguarding lead. Check that the access was justified; the data protection officer holds the "
        "stated purpose in the access audit."),
    "safeguarding_file_transfer_overdue": (
        "Child-protection file receipt overdue",
        "Receipt of a child-protection file has not been confirmed within the statutory time."),
})


# What a message may show each audience besides its template's fixed sentence (issue 14: a template is rendered
# only with what its audience may see). Parents read that something happened to their child, how urgent it is
# and where to ask: never a severity, a threshold, or a record's codes and counts. Other audiences read records.
MESSAGE_FIELDS = frozenset({"pupil_ref", "priority", "link_path", "incident_severity", "threshold", "details"})
AUDIENCE_MAY_READ: Mapping[Audience, frozenset[str]] = MappingProxyType({
    Audience.PARENT: frozenset({"pupil_ref", "priority", "link_path"}),
})


class FieldNotForAudience(ValueError):
    """A rule asked a template to show a field its audience may not read (a rule's error, caught by the tests)."""


def fields_shown(alert: Alert) -> frozenset[str]:
    """The alert's fields a rendered message (and its delivery record) would carry."""
    optional = {"incident_severity": alert.incident_severity is not None, "threshold": alert.threshold is not None,
                "details": bool(alert.details)}
    optional["pupil_ref"] = alert.pupil_ref is not None
    return frozenset({"priority", "link_path"} | {name for name, shown in optional.items() if shown})


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str
    body: str


def render(alert: Alert) -> RenderedMessage:
    """The message for an alert; the pupil appears only by pseudonymous reference, and nothing its audience may
    not read (``AUDIENCE_MAY_READ``) is shown: such an alert is refused, not trimmed, so the rule gets fixed."""
    hidden = fields_shown(alert) - AUDIENCE_MAY_READ.get(alert.audience, MESSAGE_FIELDS)
    if hidden:
        raise FieldNotForAudience(f"{alert.template_id} would show {sorted(hidden)} to {alert.audience.value}")
    subject, sentence = TEMPLATES[alert.template_id]
    pupil = [] if alert.pupil_ref is None else [f"Pupil reference: {alert.pupil_ref}"]
    lines = [sentence, *pupil, f"Priority: {alert.priority.value}"]
    if alert.incident_severity is not None:
        lines.append(f"Severity: {alert.incident_severity} of 5")
    lines.extend(f"{label}: {value}" for label, value in alert.details)
    lines.append(f"Open on the platform: {alert.link_path}")
    return RenderedMessage(subject=f"[{alert.priority.value}] {subject}", body="\n".join(lines))
