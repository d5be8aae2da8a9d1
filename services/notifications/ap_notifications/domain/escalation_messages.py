"""What an escalation step says: which alert went unacknowledged, since when, and where to acknowledge it.

Like every alert (``domain/messages.py``): no narrative, no names, the pupil by pseudonymous reference only.
The recipients are roles the chain allows for the alert (``escalation.safeguarding_to_dsl_roles``), so the
original alert's subject may be named.
"""

from __future__ import annotations

from ap_contracts.events.notifications import AlertEscalated, NotificationSent
from ap_notifications.domain.messages import TEMPLATES, RenderedMessage

ACKNOWLEDGE_LINK = "/notifications/{notification_id}"


def escalation_link(sent: NotificationSent) -> str:
    return ACKNOWLEDGE_LINK.format(notification_id=sent.notification_id)


def render_escalation(sent: NotificationSent, step: AlertEscalated) -> RenderedMessage:
    """The message of one step: the alert's own subject, that nobody acknowledged it, and the link."""
    subject = TEMPLATES[sent.template_id][0] if sent.template_id in TEMPLATES else "Urgent alert"
    lines = [
        f"An urgent alert sent to your organisation has not been acknowledged: {subject}.",
        f"You are step {step.step} of your organisation's escalation chain ({step.recipient_role.value}).",
        f"Pupil reference: {sent.pupil_ref}",
        f"Acknowledge by: {step.acknowledge_by.isoformat()} (then it goes to the next step)",
        f"Read and acknowledge it on the platform: {escalation_link(sent)}",
    ]
    return RenderedMessage(subject=f"[escalation {step.step}] {subject}", body="\n".join(lines))
