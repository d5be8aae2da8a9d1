"""A provider self-audit past its due date (issue 14; seed 000): alerted to the provision that owes it, then to the
commissioner that requested it (the owner-then-manager steps of ``domain/overdue.py``).

Rules served:
- due on ``SelfAuditRequested.due_on``: the commissioning service states it (the day its commissioner set, else
  31 August, the last day of the audit's academic year: the rule is commissioning's, ``self_audit.due_within_year``;
  the SLA's anniversary is not used, as an audit is requested per provider, commissioner and year, not per
  agreement);
- done once every statement of its template is rated (``statement_count`` on the request; rating a statement again
  counts once), and a done audit owes nothing, whether it was done before or after its due date;
- one message per (audit, step, recipient): the request event is the owner's alert's cause, so every run of the
  periodic check derives the same notification ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from ap_notifications.domain.alerts import Alert
from ap_notifications.domain.overdue import DueItem, OverdueKind, overdue_alerts
from ap_notifications.domain.rulebook import AlertRuleBook


@dataclass(frozen=True, slots=True)
class SelfAuditProgress:
    """One requested audit: its parties, year, due date, how many statements its template has, how many distinct
    statements the provider has rated, and the request event."""

    provider_id: str
    commissioner_id: str
    academic_year: str
    due_on: date
    statement_count: int
    rated: int
    requested_by_event_id: UUID

    @property
    def done(self) -> bool:
        return self.rated >= self.statement_count


def self_audit_alerts(audit: SelfAuditProgress, today: date, book: AlertRuleBook) -> tuple[Alert, ...]:
    """Nothing for a done audit; otherwise the overdue steps owed on ``today`` (none on or before its due date)."""
    if audit.done:
        return ()
    item = DueItem(OverdueKind.SELF_AUDIT, audit.due_on, audit.requested_by_event_id, None,
                   (audit.provider_id,), (audit.commissioner_id,),
                   {"provider_id": audit.provider_id, "commissioner_id": audit.commissioner_id,
                    "academic_year": audit.academic_year})
    return overdue_alerts(item, today, book)
