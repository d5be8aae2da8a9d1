"""Alerts of the safeguarding file transfer: the receiving DSL is told a file is on its way, and
both DSLs are told when receipt was not confirmed in time (KCSIE; STATUTORY.md)."""

from __future__ import annotations

from uuid import UUID

from ap_contracts.events.notifications import Audience, Comparison, ThresholdContext
from ap_contracts.events.privacy import SafeguardingFileOffered, SafeguardingFileTransferOverdue
from ap_notifications.domain.alerts import Alert, Priority
from ap_notifications.domain.transfers import dsls_to_alert

TRANSFER_LINK = "/safeguarding/transfers/{transfer_id}"  # the web service's page of the transfer
OFFERED_RULE = "safeguarding_file_offered"
OVERDUE_RULE = "safeguarding_file_transfer_overdue"


def offered_alerts(offer: SafeguardingFileOffered, offered_event_id: UUID) -> tuple[Alert, ...]:
    """The receiving DSL must know a file is coming, and that it has to confirm receipt."""
    return (Alert(
        rule_name=OFFERED_RULE, audience=Audience.DSL, recipient_organisation_id=offer.receiving_dsl_organisation_id,
        pupil_ref=offer.pupil_ref, cause_event_id=offered_event_id, cause_event_type=offer.event_type,
        template_id=OFFERED_RULE, priority=Priority.HIGH,
        link_path=TRANSFER_LINK.format(transfer_id=offer.transfer_id),
    ),)


def overdue_alerts(
    offer: SafeguardingFileOffered, overdue: SafeguardingFileTransferOverdue, overdue_event_id: UUID
) -> tuple[Alert, ...]:
    """Both DSLs are told, with how many calendar days receipt is late."""
    threshold = ThresholdContext(
        metric="days_past_due", comparison=Comparison.AT_OR_ABOVE, threshold_value=1,
        observed_value=(overdue.detected_on - overdue.due_by).days, unit="days",
    )
    return tuple(
        Alert(
            rule_name=OVERDUE_RULE, audience=Audience.DSL, recipient_organisation_id=organisation,
            pupil_ref=offer.pupil_ref, cause_event_id=overdue_event_id, cause_event_type=overdue.event_type,
            template_id=OVERDUE_RULE, priority=Priority.URGENT,
            link_path=TRANSFER_LINK.format(transfer_id=offer.transfer_id), threshold=threshold,
        )
        for organisation in dsls_to_alert(offer)
    )
