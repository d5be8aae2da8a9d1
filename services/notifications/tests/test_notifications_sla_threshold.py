"""The attendance threshold of the service level agreement in force (issue 13): the alert worker reads
``ap.commissioning.events`` too, and a placement that agreed no attendance threshold of its own is judged
against the threshold of the SLA in force, between its provision and its commissioner, on the day of the mark.
A placement's own threshold wins when it has one: it was agreed for that pupil by the same two parties, later
and more specifically than the provision-wide agreement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from ap_contracts.events.commissioning_sla import SlaVersionAgreed
from ap_contracts.events.notifications import NotificationSent
from ap_contracts.events.pupil_record import AttendanceRecorded
from ap_contracts.events.pupil_vocabulary import AttendanceCode
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_testing.notifications.builders import COMMISSIONER, PROVISION, Events, received
from ap_testing.store_reads import read_everything_stored

from .test_notifications_handlers_pg import feed

pytestmark = pytest.mark.integration

DAYS = [date(2025, 3, d) for d in (3, 4, 5, 6, 7, 10, 11, 12, 13, 14)]


def agreed(threshold: int, *, version: int = 1, start: date = date(2025, 1, 1),
           provision_id: str = PROVISION) -> SlaVersionAgreed:
    return SlaVersionAgreed(provision_id=provision_id, commissioner_id=COMMISSIONER, version=version,
                            in_force_from=start, ends_on=date(2025, 8, 31), attendance_threshold_percent=threshold,
                            supersedes_version=version - 1 or None)


def eighty_percent(ev: Events) -> list[AttendanceRecorded]:
    """Eight sessions attended, then two missed: 80 % over ten possible sessions."""
    return ([ev.mark(d, AttendanceCode.PRESENT_AM) for d in DAYS[:8]]
            + [ev.mark(d, AttendanceCode.OTHER_UNAUTHORISED) for d in DAYS[8:]])


async def attendance_alerts(notif: NotificationServices) -> Sequence[NotificationSent]:
    stored = await read_everything_stored(notif.store)
    sent = [NotificationSent.model_validate(e.payload) for e in stored if e.event_type == "NotificationSent"]
    return [s for s in sent if s.rule_name == "attendance_below_agreed_level"]


async def test_a_placement_with_no_threshold_of_its_own_is_judged_by_the_sla_in_force(
        ev: Events, notif: NotificationServices) -> None:
    marks = eighty_percent(ev)
    await feed(notif, [received(agreed(85)), received(ev.started(attendance_threshold_percent=None)),
                       *(received(m) for m in marks)])

    [sent] = await attendance_alerts(notif)
    assert sent.recipient_organisation_id == COMMISSIONER
    assert sent.threshold is not None
    assert (sent.threshold.threshold_value, sent.threshold.observed_value) == (8500, 8000)
    assert sent.cause_event_id == marks[-1].record_id


async def test_the_placements_own_threshold_wins_over_the_slas(ev: Events, notif: NotificationServices) -> None:
    await feed(notif, [received(agreed(85)), received(ev.started(attendance_threshold_percent=75)),
                       *(received(m) for m in eighty_percent(ev))])
    assert await attendance_alerts(notif) == []


async def test_the_sla_version_in_force_on_the_day_of_the_mark_is_used(
        ev: Events, notif: NotificationServices) -> None:
    """Version 2 (75 %) is in force from 10 March: the marks that take attendance to 80 % are judged by it."""
    superseding = agreed(75, version=2, start=date(2025, 3, 10))
    another_provisions = agreed(95, provision_id="pbp-elsewhere")
    await feed(notif, [received(agreed(85)), received(superseding), received(another_provisions),
                       received(ev.started(attendance_threshold_percent=None)),
                       *(received(m) for m in eighty_percent(ev))])
    assert await attendance_alerts(notif) == []


async def test_with_no_threshold_agreed_anywhere_attendance_alerts_nobody(
        ev: Events, notif: NotificationServices) -> None:
    await feed(notif, [received(agreed(85, start=date(2025, 4, 1))),
                       received(ev.started(attendance_threshold_percent=None)),
                       *(received(m) for m in eighty_percent(ev))])
    assert await attendance_alerts(notif) == []
