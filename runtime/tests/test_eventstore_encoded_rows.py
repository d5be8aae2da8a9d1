"""The relay's encoded read is written once (``eventstore/encoded_rows.py``): the store's ``read_all_encoded``
and the leader's ``relay_reads.read_batch`` select the same envelope JSON, and the leader's records are the
ones ``encode_event`` makes of the store's (issue 10, "Copies"; issue 11, ``relay_records``)."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import pytest

from ap_runtime.eventstore import Checkpoint, EventStore, NewEvent
from ap_runtime.eventstore.encoded_rows import ENVELOPE_JSON, encoded_event
from ap_runtime.eventstore.models import EncodedEvent
from ap_runtime.kafka import encode_event
from ap_runtime.relay_reads import read_batch
from ap_runtime.relay_records import relayed_records
from ap_testing.events import CounterIncremented

from .conftest import ACTOR, counter_events

EVENT_ID = UUID("00000000-0000-4000-8000-00000000000e")
CORRELATION_ID = UUID("00000000-0000-4000-8000-00000000000c")


def test_a_row_becomes_the_event_the_relay_publishes() -> None:
    at = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    row = {"t": 7, "position": 3, "stream_id": "c-1", "event_type": "CounterIncremented", "schema_version": 1,
           "event_id": EVENT_ID, "correlation_id": CORRELATION_ID, "causation_id": None,
           "envelope": '{"event_id": "e"}', "occurred_at": at}

    assert encoded_event(row) == EncodedEvent(7, 3, "c-1", "CounterIncremented", 1, EVENT_ID, CORRELATION_ID,
                                              None, b'{"event_id": "e"}', at)


async def _visible(store: EventStore, count: int) -> None:
    """Wait until the store's commit horizon shows ``count`` events: it is also held back by transactions
    open in other databases (other tests'), so it may see them a little after they are committed."""
    deadline = time.monotonic() + 60
    while len(await store.read_all(Checkpoint())) < count:
        assert time.monotonic() < deadline, f"fewer than {count} events visible after 60 s"
        await asyncio.sleep(0.05)


@pytest.mark.integration
async def test_the_relay_leader_publishes_the_records_encode_event_makes_of_the_stores_encoded_events(
    store: EventStore, store_db: tuple[str, asyncpg.Pool],
) -> None:
    """The leader's read renders every record value in PostgreSQL (``relay_records``, issue 11): byte for byte
    what ``encode_event`` makes in Python, whatever the session's time zone, with and without causation, and
    with ``ce_time`` as ``isoformat`` writes it (no fraction at a whole second)."""
    whole_second = datetime(2026, 3, 4, 10, 15, 30, tzinfo=UTC)
    fraction = datetime(2026, 3, 4, 10, 15, 30, 120, tzinfo=UTC)
    await store.append("c-1", 0, [*counter_events("c-1", 0, 2),
                                  NewEvent(CounterIncremented(counter="c-1", seq=2), ACTOR, "org-test", uuid4(),
                                           causation_id=uuid4(), occurred_at=whole_second),
                                  NewEvent(CounterIncremented(counter="c-1", seq=3), ACTOR, "org-test", uuid4(),
                                           occurred_at=fraction)])
    async with store_db[1].acquire() as conn:
        by_leader = relayed_records(await read_batch(conn, Checkpoint(), 100), "t")
        await conn.execute("SET TimeZone TO 'Asia/Kathmandu'")  # +05:45: the headers must not depend on it
        try:
            elsewhere = relayed_records(await read_batch(conn, Checkpoint(), 100), "t")
        finally:
            await conn.execute("RESET TimeZone")
    await _visible(store, 4)
    by_store = await store.read_all_encoded(Checkpoint())

    assert by_leader == [("t", *encode_event(e, "t")) for e in by_store]
    assert [headers for *_, headers in elsewhere] == [headers for *_, headers in by_leader]
    assert [json.loads(e.envelope_json)["stream_version"] for e in by_store] == [1, 2, 3, 4]
    assert [dict(headers)["ce_time"] for *_, headers in by_leader[2:]] == [
        b"2026-03-04T10:15:30+00:00", b"2026-03-04T10:15:30.000120+00:00"]
    assert [len(headers) for *_, headers in by_leader] == [11, 11, 12, 11]  # causation_id only on the third


@pytest.mark.integration
async def test_the_store_reads_the_same_events_in_the_same_order_as_models_and_encoded(
    store: EventStore,
) -> None:
    """``read_all`` and ``read_all_encoded`` share one commit-safe selection (checkpoint, horizon, order, limit)."""
    for counter in ("c-1", "c-2", "c-1"):
        version = len(await store.read_stream(counter))
        await store.append(counter, version, counter_events(counter, version, 2))
    await _visible(store, 6)
    first = await store.read_all(Checkpoint())
    after = Checkpoint(first[1].transaction_id, first[1].position)

    models = await store.read_all(after, limit=3)
    encoded = await store.read_all_encoded(after, limit=3)

    assert [(e.transaction_id, e.position, e.event_id) for e in models] == [
        (e.transaction_id, e.position, e.event_id) for e in encoded]
    assert [e.stream_id for e in encoded] == ["c-2", "c-2", "c-1"]


_JSON_BUILD_OBJECT = (  # what ENVELOPE_JSON rendered until issue 11, and must still render byte for byte
    "json_build_object('event_id', event_id, 'event_type', event_type, 'schema_version', schema_version,"
    " 'stream_id', stream_id, 'stream_version', stream_version, 'occurred_at', occurred_at,"
    " 'recorded_at', recorded_at, 'actor', actor, 'organisation_id', organisation_id,"
    " 'correlation_id', correlation_id, 'causation_id', causation_id, 'pii_subject', pii_subject,"
    " 'payload', payload)::text"
)
_AWKWARD = ['plain', 'quote " and \\ backslash', "tab\tnew\nline\u0001", "caf\u00e9 \u2603 \U0001f600", "", "'single'"]


@pytest.mark.integration
async def test_the_envelope_is_the_json_json_build_object_renders_for_awkward_values(
    store_db: tuple[str, asyncpg.Pool],
) -> None:
    rows = [(uuid4(), text, i + 1, text, 2, datetime(2026, 1, 2, 3, 4, 5, i * 7, tzinfo=UTC),
             json.dumps({"who": text}), text, uuid4(), uuid4() if i % 2 else None, text if i % 3 else None,
             json.dumps({"t": text, "n": [i, None]}))
            for i, text in enumerate(_AWKWARD)]
    async with store_db[1].acquire() as conn:
        await conn.execute("SET TimeZone TO 'America/St_Johns'")  # -03:30: both render it alike
        try:
            rendered = await conn.fetch(
                f"SELECT {ENVELOPE_JSON} AS ours, {_JSON_BUILD_OBJECT} AS theirs FROM unnest($1::uuid[], $2::text[],"
                " $3::int[], $4::text[], $5::int[], $6::timestamptz[], $7::jsonb[], $8::text[], $9::uuid[],"
                " $10::uuid[], $11::text[], $12::jsonb[]) AS events(event_id, stream_id, stream_version, event_type,"
                " schema_version, occurred_at, actor, organisation_id, correlation_id, causation_id, pii_subject,"
                " payload), LATERAL (SELECT occurred_at AS recorded_at) AS r", *map(list, zip(*rows, strict=True)))
        finally:
            await conn.execute("RESET TimeZone")
    assert [r["ours"] for r in rendered] == [r["theirs"] for r in rendered]
    assert [json.loads(r["ours"])["stream_id"] for r in rendered] == _AWKWARD
