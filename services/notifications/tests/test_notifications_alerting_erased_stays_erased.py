"""The alert worker on real PostgreSQL: after a pupil's erasure, no event about the pupil read later is alerted on or
kept (``projections/alerting.py``, ``ap_runtime.privacy.erased_pupils``).

Rule served (UK GDPR Art. 17; children's data): an event about the pupil can reach the worker after the erasure:
recorded before it but read late, or read again under a new id. Before the erasure was noted, only the pupil's
waiting messages were dropped, so such an incident or safeguarding concern raised and sent a new alert about the
erased pupil, and its marks, thresholds and a new placement were written into the read model again. Another pupil's
same events, in the same batch, still alert: the test would pass for no reason otherwise. Every erasure reason;
one event per transaction and one batch.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_panels import FairAccessCaseOpened, PanelConstituted, PanelKind
from ap_contracts.events.commissioning_vocabulary import Phase
from ap_contracts.events.privacy import ErasureReason, ErasureRequester, PupilDataErased
from ap_contracts.events.pupil_vocabulary import AttendanceCode, Severity
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.overdue_check import check_overdue
from ap_notifications.projections.alerting import AlertingProjection
from ap_runtime.projection.store import ensure_registered
from ap_testing.notifications.builders import Events, home_school_registered, received
from ap_testing.store_reads import read_everything_stored

from .test_notifications_alerting_batch import project

pytestmark = pytest.mark.integration

HOME_LA = "la-home-county"


def _late(pupil: Events) -> list[DomainEvent]:
    """Events about the pupil recorded before its erasure but read after it: a serious incident, an immediate-risk
    concern, a mark, new thresholds and a second placement (of the same pupil)."""
    again = Events()
    again.pupil_ref = pupil.pupil_ref
    return [pupil.incident(Severity.VERY_SERIOUS), pupil.concern(immediate_risk=True),
            pupil.mark(date(2025, 3, 10), AttendanceCode.OTHER_UNAUTHORISED),
            pupil.thresholds(date(2025, 3, 10), Severity.LOW_LEVEL), again.started()]


async def _named(services: NotificationServices, pupil: Events) -> int:
    """Notifications recorded (raised, sent or held) about the pupil."""
    stored = await read_everything_stored(services.store)
    recorded = sum(1 for e in stored if e.payload.get("pupil_ref") == str(pupil.pupil_ref))
    held: int = await services.pool.fetchval(
        "SELECT count(*) FROM notification_held WHERE message->>'pupil_ref' = $1", str(pupil.pupil_ref))
    return recorded + held


async def _rows_about(services: NotificationServices, pupil: Events) -> list[str]:
    """Every row of the alert worker's read model about the pupil (its placements, their thresholds and marks)."""
    schema = await ensure_registered(services.pool, AlertingProjection(services.dispatcher, services.transfers,
                                                                       services.book))
    mine = f"SELECT placement_id FROM {schema}.placements WHERE pupil_ref = $1"  # nosec B608 - the projection's own schema
    rows = []
    for table in ("placements", "placement_thresholds", "attendance_marks"):
        rows += await services.pool.fetch(f"SELECT * FROM {schema}.{table} WHERE placement_id IN ({mine})",  # nosec B608 - the projection's own schema and tables
                                          pupil.pupil_ref)
    return sorted(repr(sorted(dict(r).items())) for r in rows)


@pytest.mark.parametrize("in_one_batch", [False, True], ids=["one_by_one", "one_batch"])
@pytest.mark.parametrize("reason", list(ErasureReason))
async def test_no_event_about_an_erased_pupil_read_after_the_erasure_is_alerted_or_kept(
        notif: NotificationServices, reason: ErasureReason, in_one_batch: bool) -> None:
    erased, other = Events(), Events()
    erasure = PupilDataErased(pupil_ref=erased.pupil_ref, reason=reason, legal_basis="UK GDPR Art. 17(1)(a)",
                              requested_by=ErasureRequester.DATA_PROTECTION_OFFICER)
    await project(notif, [received(erased.started()), received(other.started())], in_one_batch)
    at_erasure = await _rows_about(notif, erased)
    facts = _late(erased)
    late, again = [received(e) for e in facts], [received(e, event_id=uuid4()) for e in facts]  # again: new ids
    await project(notif, [received(erasure), *late, *again, *(received(e) for e in _late(other))], in_one_batch)

    assert await _named(notif, erased) == 0
    assert await _named(notif, other) > 0  # the same events of a pupil not erased do alert
    assert await _rows_about(notif, erased) == at_erasure  # nothing written since, a second placement included


def _fair_access_case(pupil: Events) -> list[DomainEvent]:
    since = date(2025, 3, 3)
    return [PanelConstituted(panel_id="panel-north", kind=PanelKind.BEHAVIOUR_ATTENDANCE, area_id="area-north",
                             name="North Fair Access Panel", local_authority_id=HOME_LA, constituted_by="officer-1"),
            FairAccessCaseOpened(panel_id="panel-north", case_id=uuid4(), pupil_ref=pupil.pupil_ref,
                                 phase=Phase.SECONDARY, without_place_since=since,
                                 opened_on=since + timedelta(days=1), opened_by="officer-1")]


async def test_no_overdue_work_about_an_erased_pupil_is_alerted_after_the_erasure(notif: NotificationServices) -> None:
    """The overdue-work check reads the alert worker's read model: a placement review and a Fair Access case of the
    erased pupil, recorded before the erasure, owe nothing after it; another pupil's same work still alerts."""
    erased, other = Events(), Events()
    erasure = PupilDataErased(pupil_ref=erased.pupil_ref, reason=ErasureReason.RETENTION_EXPIRED,
                              legal_basis="UK GDPR Art. 5(1)(e)", requested_by=ErasureRequester.RETENTION_SCHEDULE)
    events = [home_school_registered(HOME_LA), *(e for p in (erased, other) for e in (p.started(),
                                                                                       *_fair_access_case(p)))]
    await project(notif, [*(received(e) for e in events), received(erasure)], in_one_batch=False)
    await check_overdue(notif, date(2025, 4, 1))  # past the planned review and 20 school days without a place
    alerted = [e.payload for e in await read_everything_stored(notif.store) if e.event_type == "NotificationSent"]
    assert {a["rule_name"] for a in alerted} >= {"placement_review_overdue", "fair_access_case_overdue"}
    assert {a["pupil_ref"] for a in alerted} == {str(other.pupil_ref)}
