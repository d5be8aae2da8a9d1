"""A provider self-audit past its due date (issue 14; seed 000): alerted to the provision that owes it, then to the
commissioner that requested it (the owner-then-manager steps of ``domain/overdue.py``).

Rules served:
- due on the day the commissioner set on ``SelfAuditRequested.due_on``; without one, on 31 August, the last day of
  the audit's academic year (the SLA's anniversary is not used: an audit is requested per provider, commissioner
  and year, and the notifications read model does not know which agreement, if any, it belongs to);
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
    """One requested audit: its parties, year, the due date set (if any), how many statements its template has,
    how many distinct statements the provider has rated, and the request event."""

    provider_id: str
    commissioner_id: str
    academic_year: str
    due_on: date | None
    statement_count: int
    rated: int
    requested_by_event_id: UUID

    @property
    def due(self) -> date:
        """The date set, else 31 August of the academic year (``2026-27`` ends on 31 August 2027)."""
        return self.due_on or date(int(self.academic_year[:4]) + 1, 8, 31)

    @property
    def done(self) -> bool:
        return self.rated >= self.statement_count


def self_audit_alerts(audit: SelfAuditProgress, today: date, book: AlertRuleBook) -> tuple[Alert, ...]:
    """Nothing for a done audit; otherwise the overdue steps owed on ``today`` (none on or before its due date)."""
    if audit.done:
        return ()
    item = DueItem(OverdueKind.SELF_AUDIT, audit.due, audit.requested_by_event_id, None,
                   (audit.provider_id,), (audit.commissioner_id,),
                   {"provider_id": audit.provider_id, "commissioner_id": audit.commissioner_id,
                    "academic_year": audit.academic_year})
    return overdue_alerts(item, today, book)
