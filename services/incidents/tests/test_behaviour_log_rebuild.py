"""A rebuild copies the behaviour log's rows in (issue 11: COPY, not a statement per row) and leaves
exactly the rows the live runner's inserts leave: corrections, erasure, a provision's staff register
and an event the relay published twice included; so does a first catch-up loaded without the
log's deferred indexes (``deferred_indexes``), which are there again afterwards: its corrections and
erasure done set-based once its (pupil_ref, stream_version) key is built, and two rows of one pupil's
version found then."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import PupilDataErased
from ap_contracts.events.provision_staff import StaffTrainingRecorded
from ap_contracts.events.pupil_vocabulary import TrainingKind
from ap_incidents.domain.identity import record_id_for
from ap_incidents.projections import BehaviourLogProjection
from ap_runtime.projection import ProjectionRunner
from ap_runtime.projection.deferred_indexes import (
    DuplicatesLoaded,
    build_deferred_indexes,
    defer_projection_indexes,
)
from ap_runtime.projection.first_load import FirstLoad
from ap_runtime.projection.store import ensure_registered, prepare_schema, schema_name

from .conftest import PROVISION, Story

pytestmark = pytest.mark.integration

TOPIC = "ap.incidents.events"
ACTOR = Actor(user_id="staff-1", organisation_id=PROVISION, roles=("provision_staff",))


@dataclass(frozen=True)
class _Record:
    """A Kafka record as the runner reads it (the runner needs nothing else of aiokafka's)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()


def _records(streams: dict[str, list[DomainEvent]]) -> list[_Record]:
    """Each stream's events as records, versions 1, 2, 3, ... per stream, the streams interleaved."""
    at = datetime(2026, 9, 7, 9, tzinfo=UTC)
    envelopes = [
        EventEnvelope(
            event_type=event.event_type, schema_version=event.schema_version, stream_id=stream_id,
            stream_version=version, occurred_at=at + timedelta(minutes=version), actor=ACTOR,
            organisation_id=PROVISION, correlation_id=uuid4(),
            pii_subject=stream_id.removeprefix("pupil-") if stream_id.startswith("pupil-") else None,
            payload=event.model_dump(mode="json"))
        for stream_id, events in streams.items() for version, event in enumerate(events, start=1)]
    envelopes.sort(key=lambda e: (e.stream_version, e.stream_id))
    return [_Record(TOPIC, 0, offset, e.stream_id.encode(), e.model_dump_json().encode())
            for offset, e in enumerate(envelopes)]


def _pupil_streams() -> dict[str, list[DomainEvent]]:
    """Two pupils' records: incidents, an amendment, a withdrawal; the second pupil is then erased."""
    streams: dict[str, list[DomainEvent]] = {}
    for erased in (False, True):
        story = Story().placed()
        first = story.cmd.record_incident()
        story.run(first, story.who.provider)
        second = story.cmd.record_incident()
        story.run(second, story.who.provider)
        story.run(story.cmd.record_attendance(), story.who.provider)
        story.run(story.cmd.amend(record_id_for(first.command_id), {"location": "corridor"}), story.who.provider)
        story.run(story.cmd.withdraw(record_id_for(second.command_id)), story.who.provider)
        if erased:
            story.given([PupilDataErased(pupil_ref=story.pupil_ref, reason="erasure_request_upheld",
                                         legal_basis="UK GDPR Art. 17", requested_by="data_subject")])
        streams[f"pupil-{story.pupil_ref}"] = list(story.events)
    streams[f"provision-{PROVISION}"] = [StaffTrainingRecorded(
        provision_id=PROVISION, staff_id="staff-9", training=TrainingKind.PHYSICAL_INTERVENTION,
        completed_on=datetime(2024, 9, 2).date(), expires_on=None)]
    return streams


async def _rows(pool: asyncpg.Pool, schema: str) -> list[dict[str, Any]]:
    rows = await pool.fetch(f"SELECT * FROM {schema}.behaviour_log ORDER BY pupil_ref, stream_version")
    return [dict(r) for r in rows]


async def _processed(pool: asyncpg.Pool, schema: str) -> list[Any]:
    return [r["event_id"] for r in await pool.fetch(f"SELECT event_id FROM {schema}.processed_events ORDER BY 1")]


async def _two_generations(new_database: Callable[[str], Awaitable[str]], sent: list[str],
                           defer: bool = False) -> tuple[asyncpg.Pool, ProjectionRunner, str, str]:
    """The serving generation and a second one being rebuilt, in one database; statements logged to ``sent``."""

    async def log_queries(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(lambda logged: sent.append(logged.query))

    pool = await asyncpg.create_pool(await new_database("blrebuild"), min_size=1, max_size=2, init=log_queries)
    projection = BehaviourLogProjection((TOPIC,))
    serving = await ensure_registered(pool, projection)
    rebuilt = schema_name(projection.name, 2)
    async with pool.acquire() as conn, conn.transaction():
        await prepare_schema(conn, projection, rebuilt)
        if defer:
            await defer_projection_indexes(conn, rebuilt, projection)
    # Not started: these batches hold nothing undecodable, so nothing goes to a dead-letter topic.
    return pool, ProjectionRunner(projection, pool, "127.0.0.1:1"), serving, rebuilt


async def test_a_rebuilt_generation_holds_the_rows_the_live_runner_wrote(
        new_database: Callable[[str], Awaitable[str]]) -> None:
    records = _records(_pupil_streams())
    pool, runner, serving, rebuilt = await _two_generations(new_database, [])
    batches = [records[:5], records[5:-1], [records[3], records[-1]]]  # the last repeats one event
    try:
        for batch in batches:
            applied_live = await runner.apply_records(batch)
            applied_rebuilt = await runner.apply_records(batch, schema=rebuilt)
            assert applied_rebuilt == applied_live
        live_rows = await _rows(pool, serving)
        assert len(live_rows) == len(records) - 1  # every pupil event once; the staff register has no row
        assert any(r["amended"] for r in live_rows) and any(r["withdrawn"] for r in live_rows)
        assert any(r["erased"] and r["personal"] is None for r in live_rows)
        assert await _rows(pool, rebuilt) == live_rows
        assert await _processed(pool, rebuilt) == await _processed(pool, serving)
    finally:
        await pool.close()


async def test_a_rebuild_copies_a_batch_in_instead_of_a_statement_per_row(
        new_database: Callable[[str], Awaitable[str]]) -> None:
    attendance_only = [r for r in _records(_pupil_streams()) if b'"AttendanceRecorded"' in (r.value or b"")]
    sent: list[str] = []
    pool, runner, _serving, rebuilt = await _two_generations(new_database, sent)
    try:
        sent.clear()
        assert await runner.apply_records(attendance_only, schema=rebuilt) == len(attendance_only) == 2
        inserts = [q for q in sent if "INSERT" in q.upper()]
        assert inserts == [], f"rows sent as statements, not copied: {inserts}"
        assert len(await _rows(pool, rebuilt)) == 2
    finally:
        await pool.close()


async def _indexes(pool: asyncpg.Pool, schema: str) -> list[str]:
    return [r["indexname"] for r in await pool.fetch(
        "SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname", schema)]


@pytest.mark.parametrize("built_after", [3, 1], ids=["built-at-the-end", "built-between-batches"])
async def test_a_first_catch_up_without_the_deferred_indexes_leaves_the_same_rows_and_every_index(
        new_database: Callable[[str], Awaitable[str]], built_after: int) -> None:
    records = _records(_pupil_streams())
    sent: list[str] = []
    pool, runner, serving, rebuilt = await _two_generations(new_database, sent, defer=True)
    try:
        assert not {"behaviour_log_pkey", "behaviour_log_pupil_ref_stream_version_key"} & set(
            await _indexes(pool, rebuilt))
        load = FirstLoad(runner, pool, rebuilt)
        batches = [records[:5], records[5:-1], [records[3], records[-1]]]  # the last repeats one event
        for number, batch in enumerate(batches, start=1):
            sent.clear()
            loaded = await load.apply(await runner.decode(batch))
            if number <= built_after:  # no row looked up by pupil while the key is not there
                assert not [q for q in sent if "UPDATE behaviour_log" in q], "a lookup without the key"
            assert loaded == await runner.apply_records(batch)
            if number == built_after:
                assert await build_deferred_indexes(pool, rebuilt) == [
                    "behaviour_log_pkey", "behaviour_log_pupil_ref_stream_version_key", "behaviour_log_record_idx",
                    "processed_events_pkey"]
        assert await _indexes(pool, rebuilt) == await _indexes(pool, serving)
        assert await _rows(pool, rebuilt) == await _rows(pool, serving)
        assert await _processed(pool, rebuilt) == await _processed(pool, serving)
        assert await pool.fetchval("SELECT to_regclass($1)", f"{rebuilt}.behaviour_log_pending") is None
    finally:
        await pool.close()


async def test_two_events_of_one_pupil_version_loaded_without_the_key_are_found_when_it_is_built(
        new_database: Callable[[str], Awaitable[str]]) -> None:
    """A stream version published twice under two event ids: no window catches it, the key built after does."""
    records = [r for r in _records(_pupil_streams()) if r.key and r.key.startswith(b"pupil-")][:2]
    first = EventEnvelope.model_validate_json(records[0].value or b"")
    twin = first.model_copy(update={"event_id": uuid4()})
    pool, runner, _serving, rebuilt = await _two_generations(new_database, [], defer=True)
    try:
        load = FirstLoad(runner, pool, rebuilt)
        copy = _Record(TOPIC, 0, 99, records[0].key, twin.model_dump_json().encode())
        assert await load.apply(await runner.decode([records[0], copy])) == 2
        with pytest.raises(DuplicatesLoaded, match="behaviour_log_pupil_ref_stream_version_key"):
            await build_deferred_indexes(pool, rebuilt)
    finally:
        await pool.close()
