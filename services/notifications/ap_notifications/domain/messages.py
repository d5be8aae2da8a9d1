"""What an alert says: a fixed sentence per template, the pupil's pseudonymous reference and a link.

Never narrative, names or the record's content (STATUTORY.md, data protection): the reader follows
the link and the platform's access policy decides what they may read there.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

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


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str
    body: str


def render(alert: Alert) -> RenderedMessage:
    """The message for an alert; the pupil appears only by pseudonymous reference."""
    subject, sentence = TEMPLATES[alert.template_id]
    lines = [sentence, f"Pupil reference: {alert.pupil_ref}", f"Priority: {alert.priority.value}"]
    if alert.incident_severity is not None:
        lines.append(f"Severity: {alert.incident_severity} of 5")
    lines.extend(f"{label}: {value}" for label, value in alert.details)
    lines.append(f"Open on the platform: {alert.link_path}")
    return RenderedMessage(subject=f"[{alert.priority.value}] {subject}", body="\n".join(lines))
