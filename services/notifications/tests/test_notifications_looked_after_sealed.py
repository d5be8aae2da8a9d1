"""Issue 16 follow-up: whether a pupil is looked after is sealed on ``PlacementStarted`` (v2), and the worker still
tells the virtual school head of the authority looking after the child.

v1 carried ``looked_after_by`` in clear: any reader of placement events could tell that a pseudonymous pupil is
looked after. v2 seals it with the pupil's key for every child (empty when not looked after), so the sealed
placements of a looked-after child and of any other child have the same shape. The alert worker opens that field
alone with the personal-data codec; a stored v1 event still reads (upcast to v2). Real key store, real PostgreSQL.
"""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from ap_contracts.events.placements import PlacementStarted
from ap_contracts.upcasting import read_event
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.projections.alerting import AlertingProjection
from ap_notifications.projections.looked_after import CodecNeeded
from ap_runtime.privacy.clear_fields import clear_event
from ap_runtime.privacy.codec import SEALED_PREFIX
from ap_runtime.projection import ReceivedEvent
from ap_testing.notifications.builders import Events, home_school_registered, received
from ap_testing.store_reads import read_everything_stored

from .test_notifications_api import apply_all
from .test_notifications_virtual_school import exclusion

pytestmark = pytest.mark.integration

LOOKING_AFTER = "la-county-looking-after"


async def sealed(notif: NotificationServices, event: PlacementStarted) -> ReceivedEvent:
    """The event as the incidents service publishes it: personal fields sealed with the pupil's key."""
    assert notif.codec is not None
    plain, payload = received(event), await notif.codec.seal(event)
    return ReceivedEvent(plain.envelope.model_copy(update={"payload": payload}), payload, plain.topic, 0, 0)


async def test_the_sealed_placement_of_a_looked_after_child_looks_like_any_others(notif: NotificationServices,
                                                                                  ev: Events) -> None:
    looked_after = (await sealed(notif, ev.started(looked_after_by=(LOOKING_AFTER,)))).payload
    not_looked_after = (await sealed(notif, Events().started(looked_after_by=()))).payload
    assert LOOKING_AFTER not in json.dumps(looked_after)
    assert looked_after.keys() == not_looked_after.keys()
    for payload in (looked_after, not_looked_after):
        assert isinstance(payload["looked_after_by"], str) and payload["looked_after_by"].startswith(SEALED_PREFIX)
    # A reader of clear fields only (reporting, the worker's other tables) learns nothing either way.
    read = clear_event("PlacementStarted", 2, looked_after)
    assert isinstance(read, PlacementStarted) and read.looked_after_by is None


async def test_the_worker_opens_the_authority_and_tells_its_virtual_school_head(notif: NotificationServices,
                                                                              ev: Events) -> None:
    await apply_all(notif, AlertingProjection(notif.dispatcher, notif.transfers, notif.book, codec=notif.codec), [
        received(home_school_registered(LOOKING_AFTER)),
        await sealed(notif, ev.started(looked_after_by=(LOOKING_AFTER,))),
        received(exclusion(ev)),
    ])
    sent = [e.payload for e in await read_everything_stored(notif.store) if e.event_type == "NotificationSent"]
    assert ("looked_after_exclusion_virtual_school", LOOKING_AFTER) in {
        (p["rule_name"], p["recipient_organisation_id"]) for p in sent if p["audience"] == "virtual_school_head"}


async def test_a_child_not_looked_after_tells_no_virtual_school_head(notif: NotificationServices, ev: Events) -> None:
    await apply_all(notif, AlertingProjection(notif.dispatcher, notif.transfers, notif.book, codec=notif.codec), [
        received(home_school_registered(LOOKING_AFTER)), await sealed(notif, ev.started(looked_after_by=())),
        received(exclusion(ev)),
    ])
    sent = [e.payload for e in await read_everything_stored(notif.store) if e.event_type == "NotificationSent"]
    assert sent and all(p["audience"] != "virtual_school_head" for p in sent)


async def test_a_worker_without_the_codec_stops_at_a_sealed_authority_instead_of_telling_nobody(
    notif: NotificationServices, ev: Events,
) -> None:
    started = await sealed(notif, ev.started(looked_after_by=(LOOKING_AFTER,)))
    with pytest.raises(CodecNeeded, match="looked_after_by"):
        await apply_all(notif, AlertingProjection(notif.dispatcher, notif.transfers, notif.book), [started])


def test_a_stored_v1_placement_reads_as_v2(ev: Events) -> None:
    v1 = {k: v for k, v in ev.started().model_dump(mode="json").items() if k != "looked_after_by"}
    for stored, authorities in (({**v1, "looked_after_by": LOOKING_AFTER}, (LOOKING_AFTER,)),
                                ({**v1, "looked_after_by": None}, None)):
        read = read_event("PlacementStarted", 1, stored)
        assert isinstance(read, PlacementStarted) and read.looked_after_by == authorities
        cleared = clear_event("PlacementStarted", 1, stored)  # what clear-field readers get: v2, nothing personal
        assert isinstance(cleared, PlacementStarted) and cleared.looked_after_by is None


async def test_the_worker_reads_a_stored_v1_authority_as_it_was_stored(notif: NotificationServices,
                                                                     ev: Events) -> None:
    v1 = {**ev.started().model_dump(mode="json"), "looked_after_by": LOOKING_AFTER}
    plain = received(ev.started())
    envelope = plain.envelope.model_copy(update={"schema_version": 1, "payload": v1, "event_id": uuid4()})
    await apply_all(notif, AlertingProjection(notif.dispatcher, notif.transfers, notif.book), [
        received(home_school_registered(LOOKING_AFTER)), ReceivedEvent(envelope, v1, plain.topic, 0, 0),
        received(exclusion(ev)),
    ])
    sent = [e.payload for e in await read_everything_stored(notif.store) if e.event_type == "NotificationSent"]
    assert any(p["audience"] == "virtual_school_head" and p["recipient_organisation_id"] == LOOKING_AFTER
               for p in sent)
