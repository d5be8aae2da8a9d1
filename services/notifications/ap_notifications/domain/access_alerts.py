"""Break-glass reads: the designated safeguarding leads responsible for the pupil are told at once.

Rule served: a read of safeguarding detail by break-glass (someone who is not the DSL, in an
emergency) is flagged in the access audit and the DSL is notified (KCSIE; STATUTORY.md). Both
DSLs answering for the pupil hear of it: the provision's, where the pupil is, and the home
school's, which keeps safeguarding responsibility. The message says who read (user id, role,
organisation), when, which class of record and the purpose's category; never the free-text purpose,
which the data protection officer reads in the access audit.
"""

from __future__ import annotations

from uuid import UUID

from ap_contracts.events.notifications import Audience
from ap_contracts.events.privacy import BreakGlassAccessUsed
from ap_notifications.domain.alerts import Alert, Priority

BREAK_GLASS_RULE = "break_glass_access"
BREAK_GLASS_LINK = "/pupils/{pupil_ref}/behaviour-log?safeguarding=true"


def dsls_to_tell(event: BreakGlassAccessUsed) -> tuple[str, ...]:
    """The provision's and the home school's DSL organisations, each once."""
    return tuple(dict.fromkeys(org for org in (event.provision_id, event.home_school_id) if org))


def break_glass_alerts(event: BreakGlassAccessUsed, event_id: UUID) -> tuple[Alert, ...]:
    """One urgent alert per DSL organisation responsible for the pupil."""
    details = (
        ("Read by user", event.accessed_by_user_id),
        ("Role", ", ".join(event.accessed_by_roles)),
        ("Organisation", event.accessed_by_organisation_id),
        ("Record class", event.record_class.value),
        ("Purpose category", event.purpose_category.value),
        ("Read at", event.accessed_at.isoformat()),
        ("Access rule", event.policy_rule_id),
    )
    return tuple(
        Alert(rule_name=BREAK_GLASS_RULE, audience=Audience.DSL, recipient_organisation_id=organisation,
              pupil_ref=event.pupil_ref, cause_event_id=event_id, cause_event_type=event.event_type,
              template_id=BREAK_GLASS_RULE, priority=Priority.URGENT,
              link_path=BREAK_GLASS_LINK.format(pupil_ref=event.pupil_ref), details=details)
        for organisation in dsls_to_tell(event)
    )
