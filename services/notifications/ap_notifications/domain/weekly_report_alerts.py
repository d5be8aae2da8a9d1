"""The weekly home-school report is sent to each home school every week (seed 002 section 5; issue 15).

Rule served: exactly one message per (home school, week) whatever how often the check runs. The message names
no pupil, no name and no date of birth: it says the week's report is ready and links to it
(``GET /v1/reports/weekly/{home_school_id}?week_of=``), where the reporting service's access policy decides who
reads the pupil-level figures. A school with no pupil placed during the week gets nothing. The cause is derived
from the school and the week's Monday, so a second run, an overlapping run or a run after a restart finds the
same notification id and sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from uuid import UUID, uuid5

from ap_contracts.events.notifications import Audience
from ap_notifications.domain.alerts import Alert, Priority

WEEKLY_REPORT_RULE = "weekly_home_school_report"
WEEKLY_REPORT_CAUSE = "weekly_report"
_NAMESPACE = UUID("6f1b4c1e-5a0c-4f5e-9a47-0f6a3c2b7d15")  # fixed: the causes must be the same on every run


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday of the week holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def weekly_cause(home_school_id: str, monday: date) -> UUID:
    return uuid5(_NAMESPACE, f"{WEEKLY_REPORT_RULE}:{home_school_id}:{monday.isoformat()}")


def weekly_report_alerts(home_school_ids: Iterable[str], day: date) -> tuple[Alert, ...]:
    """One alert per home school with a pupil placed during ``day``'s week, linking to that week's report."""
    monday, _ = week_of(day)
    return tuple(
        Alert(rule_name=WEEKLY_REPORT_RULE, audience=Audience.HOME_SCHOOL, recipient_organisation_id=school,
              pupil_ref=None, cause_event_id=weekly_cause(school, monday), cause_event_type=WEEKLY_REPORT_CAUSE,
              template_id=WEEKLY_REPORT_RULE, priority=Priority.NORMAL,
              link_path=f"/v1/reports/weekly/{school}?week_of={monday.isoformat()}",
              details=(("Week beginning", monday.isoformat()),))
        for school in sorted(set(home_school_ids)))
