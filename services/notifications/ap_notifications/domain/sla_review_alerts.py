"""An SLA review past its due date is alerted to both parties of the agreement (issue 13; seed 001 appendix 1).

Rule served: exactly one message per (agreement, due date, recipient). The commissioning service states the due
date on the event that sets it (``SlaVersionAgreed.next_review_on``, ``SlaReviewCompleted.next_review_on``: the
rule is commissioning's, ``sla.next_review_on``); the alert's cause is derived from that event, so the notification
id (``notification_id_for``) is the same on every run of the periodic check and after a restart, and a completed
review, which sets a new date, starts again. Nothing personal: an agreement is between two organisations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid5

from ap_contracts.events.notifications import Audience
from ap_notifications.domain.alerts import Alert, Priority

SLA_REVIEW_RULE = "sla_review_overdue"
SLA_REVIEW_CAUSE = "sla_review"


@dataclass(frozen=True, slots=True)
class SlaReviewDue:
    """An agreement's next review: the two parties, the day it falls due, and the event that set that day."""

    provision_id: str
    commissioner_id: str
    due_on: date
    set_by_event_id: UUID


def review_cause(due: SlaReviewDue) -> UUID:
    """The alert's cause: one per setting event (hence per due date)."""
    return uuid5(due.set_by_event_id, SLA_REVIEW_RULE)


def overdue_review_alerts(due: SlaReviewDue, today: date) -> tuple[Alert, ...]:
    """None on or before the due day (the review may be completed that day); from the day after, the commissioner
    and the provision each once."""
    if today <= due.due_on:
        return ()
    link = f"/slas/{due.provision_id}/{due.commissioner_id}/review-status"
    details = (("Agreement", f"{due.provision_id} with {due.commissioner_id}"), ("Review due", due.due_on.isoformat()))
    return tuple(
        Alert(rule_name=SLA_REVIEW_RULE, audience=audience, recipient_organisation_id=organisation, pupil_ref=None,
              cause_event_id=review_cause(due), cause_event_type=SLA_REVIEW_CAUSE, template_id=SLA_REVIEW_RULE,
              priority=Priority.NORMAL, link_path=link, details=details)
        for audience, organisation in ((Audience.COMMISSIONER, due.commissioner_id),
                                       (Audience.PROVISION, due.provision_id))
    )
