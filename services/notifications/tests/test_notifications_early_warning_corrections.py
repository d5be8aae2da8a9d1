"""Early warning on real PostgreSQL (issue 14): what no longer counts does not flag, and an erased pupil leaves nothing.

The trends projection is fed as its runner would feed it (one transaction per event). An incident withdrawn in error
stops counting towards the severe-incidents rule, and a flag cites only the entries that stand; a flag is recorded
once however often its facts are read again; an erasure removes the pupil's facts and flags from the read model, and
the pupil's home school then reads no flag; events about the pupil delivered after the erasure (a placement start and
incidents recorded before it but read late, under new ids) keep nothing and raise no flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from ap_contracts.events.privacy import ErasureReason, ErasureRequester, PupilDataErased
from ap_contracts.events.pupil_corrections import CorrectionReason, RecordWithdrawnInError
from ap_contracts.events.pupil_record import IncidentRecorded
from ap_contracts.events.pupil_vocabulary import Severity
from ap_notifications.application.early_warnings import EarlyWarnings
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.projections.trends import TrendsProjection
from ap_runtime.projection.base import ReceivedEvent
from ap_runtime.projection.store import ensure_registered
from ap_testing.notifications.builders import NARRATIVE, Events, received
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration


async def feed(notif: NotificationServices, events: Sequence[ReceivedEvent]) -> str:
    projection = TrendsProjection(EarlyWarnings(notif.executor, notif.dispatcher))
    schema = await ensure_registered(notif.pool, projection)
    for event in events:
        async with notif.pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {schema}, public")
            await projection.apply(conn, event)
    return schema


async def raised(notif: NotificationServices) -> list[dict[str, Any]]:
    return [e.payload for e in await read_everything_stored(notif.store) if e.event_type == "EarlyWarningRaised"]


def withdrawn(ev: Events, incident: IncidentRecorded) -> RecordWithdrawnInError:
    return RecordWithdrawnInError(pupil_ref=ev.pupil_ref, record_id=uuid4(), target_record_id=incident.record_id,
                                  target_event_type="IncidentRecorded", reason=CorrectionReason.DID_NOT_HAPPEN,
                                  explanation=NARRATIVE)


async def test_a_withdrawn_incident_no_longer_counts_and_is_not_cited(notif: NotificationServices, ev: Events) -> None:
    first, second, third, fourth = (ev.incident(Severity.SERIOUS, on=date(2025, 3, d)) for d in (3, 4, 5, 6))
    await feed(notif, [received(e) for e in (ev.started(), first, second, withdrawn(ev, first), third)])
    assert await raised(notif) == []  # two incidents stand: below the rule's three

    await feed(notif, [received(fourth), received(fourth)])  # the fourth, read twice
    [flag] = await raised(notif)
    assert flag["rule_name"] == "severe_incidents"
    assert set(flag["cited_event_ids"]) == {str(e.record_id) for e in (second, third, fourth)}


async def test_an_erased_pupil_leaves_no_fact_and_no_flag_in_the_read_model(notif: NotificationServices,
                                                                         ev: Events) -> None:
    incidents = [ev.incident(Severity.VERY_SERIOUS, on=date(2025, 3, d)) for d in (3, 4, 5)]
    schema = await feed(notif, [received(e) for e in (ev.started(), *incidents)])
    assert len(await raised(notif)) == 1
    erased = PupilDataErased(pupil_ref=ev.pupil_ref, reason=ErasureReason.ERASURE_REQUEST_UPHELD,
                             legal_basis="UK GDPR Art. 17(1)(a)", requested_by=ErasureRequester.PARENT_OR_CARER)
    await feed(notif, [received(erased, event_id=uuid4())])
    async with notif.pool.acquire() as conn:
        for table in ("trend_incidents", "trend_placements", "early_warning_flags"):
            left = await conn.fetchval(f"SELECT count(*) FROM {schema}.{table} WHERE pupil_ref = $1",
                                       ev.pupil_ref)
            assert left == 0, table


async def test_events_about_an_erased_pupil_read_after_the_erasure_keep_nothing_and_flag_nothing(
        notif: NotificationServices, ev: Events) -> None:
    erased = PupilDataErased(pupil_ref=ev.pupil_ref, reason=ErasureReason.ERASURE_REQUEST_UPHELD,
                             legal_basis="UK GDPR Art. 17(1)(a)", requested_by=ErasureRequester.PARENT_OR_CARER)
    late = [ev.incident(Severity.VERY_SERIOUS, on=date(2025, 3, d)) for d in (3, 4, 5)]
    schema = await feed(notif, [received(e) for e in (ev.started(), erased, ev.started(), *late)])
    assert await raised(notif) == []
    async with notif.pool.acquire() as conn:
        for table in ("trend_incidents", "trend_placements", "early_warning_flags"):
            left = await conn.fetchval(f"SELECT count(*) FROM {schema}.{table} WHERE pupil_ref = $1",  # nosec B608 - the projection's own schema and tables
                                       ev.pupil_ref)
            assert left == 0, table


def recorded_long_ago(event: ReceivedEvent) -> ReceivedEvent:
    """The event as a rebuild (or a new deployment) reads it: recorded 30 days ago, beyond every recency window."""
    envelope = event.envelope.model_copy(update={"recorded_at": datetime.now(UTC) - timedelta(days=30)})
    return ReceivedEvent(envelope, envelope.payload, event.topic, event.partition, event.offset)


async def test_facts_recorded_long_ago_raise_no_flag_and_alert_nobody_but_still_count(
        notif: NotificationServices, ev: Events) -> None:
    # Issue 14: a rebuild under a new early-warning rule must not flag, or message anyone about, a window of last
    # month; the facts still count for today's trend.
    old = [ev.incident(Severity.VERY_SERIOUS, on=date(2025, 3, d)) for d in (3, 4, 5)]
    await feed(notif, [recorded_long_ago(received(e)) for e in (ev.started(), *old)])
    assert await raised(notif) == []
    assert [e for e in await read_everything_stored(notif.store) if e.event_type == "NotificationSent"] == []

    today = ev.incident(Severity.VERY_SERIOUS, on=date(2025, 3, 6))
    await feed(notif, [received(today)])  # recorded now: the trend it completes is news
    [flag] = await raised(notif)
    assert str(today.record_id) in flag["cited_event_ids"]
