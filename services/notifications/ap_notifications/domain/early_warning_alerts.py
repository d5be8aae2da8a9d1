"""An early-warning flag as an event and as alerts (issue 14, seed 003 section 2.2).

Recipients: the home school's pastoral lead and the provision where the pupil is placed, the organisations
responsible for the pupil, and nobody else (not the commissioner, not the LA). The message states the rule, its
inputs and the rule book's version; the reader follows the link to the flag and its cited events, which the
platform's access policy lets only those two organisations read.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import Audience, EarlyWarningRaised
from ap_notifications.domain.alerts import Alert, Priority

EARLY_WARNING_RULE = "early_warning"
EARLY_WARNING_LINK = "/pupils/{pupil_ref}/early-warnings/{flag_id}"


def flag_stream_id(flag_id: UUID) -> str:
    return f"early-warning-{flag_id}"


def decide_raise(history: Sequence[DomainEvent], flag: EarlyWarningRaised) -> list[EarlyWarningRaised]:
    """Record the flag, unless it was recorded already (raised once per rule, pupil and window)."""
    return [] if any(isinstance(e, EarlyWarningRaised) for e in history) else [flag]


def flag_alerts(flag: EarlyWarningRaised, raised_event_id: UUID) -> tuple[Alert, ...]:
    """One alert to the home school's pastoral lead and one to the provision, caused by the recorded flag."""
    details = (("Early-warning rule", flag.rule_name), ("What was found", flag.explanation),
               ("Rule book", flag.rule_version), ("School days counted with", flag.counted_with),
               ("Events it was counted from", str(len(flag.cited_event_ids))))
    link = EARLY_WARNING_LINK.format(pupil_ref=flag.pupil_ref, flag_id=flag.notification_id)
    recipients = ((Audience.PASTORAL_LEAD, flag.home_school_id), (Audience.PROVISION, flag.provision_id))
    return tuple(
        Alert(rule_name=EARLY_WARNING_RULE, audience=audience, recipient_organisation_id=organisation,
              pupil_ref=flag.pupil_ref, cause_event_id=raised_event_id, cause_event_type=EarlyWarningRaised.event_type,
              template_id=EARLY_WARNING_RULE, priority=Priority.NORMAL, link_path=link, details=details)
        for audience, organisation in recipients
    )
