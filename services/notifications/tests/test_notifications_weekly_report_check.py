"""The weekly home-school report sent each week (issue 15; seed 002 section 5), on real PostgreSQL with a fixed
``today`` as the check's clock: a home school with a pupil placed during the week is told once per week that the
week's report is ready, however often the check runs; the next week is told again; a week with no placement
running tells nobody; the message names no pupil (no name, no date of birth, no reference) and links to the
report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from ap_contracts.events.notifications import NotificationSent
from ap_notifications.domain.messages import render
from ap_notifications.domain.weekly_report_alerts import WEEKLY_REPORT_RULE, weekly_report_alerts
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.weekly_report_check import send_weekly_reports
from ap_notifications.projections.alerting import AlertingProjection
from ap_runtime.projection.base import ReceivedEvent
from ap_testing.notifications.builders import HOME_SCHOOL, START, Events, home_school_registered, received
from ap_testing.read_models import apply_events
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

FRIDAY = START + timedelta(days=4)  # START is a Monday; the check runs at the end of the school week


async def feed(notif: NotificationServices, events: Sequence[ReceivedEvent]) -> None:
    await apply_events(notif.pool, AlertingProjection(notif.dispatcher, notif.transfers, notif.book), events)


async def weekly_sent(notif: NotificationServices) -> list[NotificationSent]:
    stored = await read_everything_stored(notif.store)
    sent = [NotificationSent.model_validate(e.payload) for e in stored if e.event_type == "NotificationSent"]
    return [s for s in sent if s.rule_name == WEEKLY_REPORT_RULE]


async def test_each_home_school_is_told_once_a_week_across_runs(ev: Events, notif: NotificationServices) -> None:
    assert await send_weekly_reports(notif, FRIDAY) == []  # the worker has read nothing yet
    await feed(notif, [received(home_school_registered("la-weekly")), received(ev.started()), received(ev.ended())])
    assert await send_weekly_reports(notif, START - timedelta(days=3)) == []  # the week before the placement
    await send_weekly_reports(notif, FRIDAY)
    await send_weekly_reports(notif, FRIDAY)  # run twice the same week: nothing new
    await send_weekly_reports(notif, FRIDAY + timedelta(days=1))
    assert [(s.recipient_organisation_id, s.pupil_ref) for s in await weekly_sent(notif)] == [(HOME_SCHOOL, None)]
    await send_weekly_reports(notif, FRIDAY + timedelta(days=7))  # the next week
    assert len(await weekly_sent(notif)) == 2
    ended = date(2025, 3, 14)  # the builders' end date: the week after it tells nobody
    before = len(await weekly_sent(notif))
    await send_weekly_reports(notif, ended + timedelta(days=7))
    assert len(await weekly_sent(notif)) == before


def test_the_message_names_no_pupil_and_links_to_the_weeks_report() -> None:
    [alert] = weekly_report_alerts(["school-a", "school-a"], date(2025, 1, 16))
    message = render(alert)
    assert alert.pupil_ref is None and "Pupil reference" not in message.body
    assert "/v1/reports/weekly/school-a?week_of=2025-01-13" in message.body
    assert weekly_report_alerts(["school-a"], date(2025, 1, 13))[0].cause_event_id == alert.cause_event_id
    assert weekly_report_alerts(["school-a"], date(2025, 1, 20))[0].cause_event_id != alert.cause_event_id
