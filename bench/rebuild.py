"""Projection rebuild benchmark: events/s into a new generation of the incidents behaviour log.

    python -m bench.rebuild [--events 1000000] [--repeats 3] [--pupils 2000] [--workers 2]

Issue 11's target: a rebuild fills a new generation at no less than 50,000 events/s, measured over
1,000,000 events. The read model rebuilt is the incidents behaviour log (``incidents_behaviour_log``),
the platform's largest: one row per pupil entry with clear facts and sealed personal values as JSONB.
The events are a term of daily registers (``AttendanceRecorded``: the most frequent entry by far)
with one ``IncidentRecorded`` in fifty, in pupil streams, produced once to a fresh topic with the
relay's key and headers (``ap_runtime.kafka.encode_event``). Each repeat rebuilds the same topic
into the next generation (the switch drops the previous one, as in production) and is timed from
the start of ``rebuild`` to its return: catch-up, the switch under the registry's row lock and the
drop. The first catch-up runs in ``--workers`` processes (``ap projections rebuild --workers``; 2, the
machine's cores: the rebuild's own and one started for it), the final one in the rebuild's own. Median
of the repeats; the Python CPU per event counts the workers too, PostgreSQL's the database's backends
(``backend_cpu``). ``--no-defer`` loads with every index in place (A/B of ``deferred_indexes``).
JSON to ``bench/results/rebuild-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import uvloop

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.events.pupil_record import AttendanceRecorded, IncidentRecorded
from ap_runtime.eventstore.models import EncodedEvent
from ap_runtime.kafka import encode_event, idempotent_producer
from ap_runtime.projection import Projection
from ap_runtime.projection.collector import freeze_startup_objects
from ap_runtime.projection.rebuild import CatchUpWorkers, rebuild
from ap_runtime.projection.runner import ProjectionRunner
from ap_testing.infra import (
    create_database,
    create_topic,
    delete_topics,
    drop_databases,
    dsn_for_database,
    resolve_infrastructure,
)
from bench.backend_cpu import backend_cpu
from bench.publish import publish

TARGET_EVENTS_PER_SECOND = 50_000
PROJECTION = "incidents_behaviour_log"
_PLACEHOLDER_ID = UUID(int=0)
_ACTOR = Actor(user_id="provision-admin-1", organisation_id="prov-1", roles=("provision_admin",))


def _template(event: AttendanceRecorded | IncidentRecorded) -> str:
    """The envelope JSON of ``event`` with %-placeholders for what differs between events."""
    envelope = EventEnvelope(
        event_id=_PLACEHOLDER_ID, event_type=event.event_type, schema_version=event.schema_version,
        stream_id="pupil-PUPIL", stream_version=1, occurred_at=datetime(2026, 9, 7, 9, tzinfo=UTC),
        recorded_at=datetime(2026, 9, 7, 9, 5, tzinfo=UTC), actor=_ACTOR, organisation_id="prov-1",
        correlation_id=_PLACEHOLDER_ID, pii_subject="PUPIL", payload=event.model_dump(mode="json"))
    text = envelope.model_dump_json().replace("%", "%%")
    text = text.replace(f'"event_id":"{_PLACEHOLDER_ID}"', '"event_id":"%(event_id)s"')
    text = text.replace(f'"record_id":"{_PLACEHOLDER_ID}"', '"record_id":"%(event_id)s"')
    text = text.replace(f'"correlation_id":"{_PLACEHOLDER_ID}"', '"correlation_id":"%(event_id)s"')
    text = text.replace('"stream_version":1', '"stream_version":%(version)d')
    return text.replace("PUPIL", "%(pupil)s")


def _templates() -> tuple[str, str]:
    pupil, placement = uuid4(), uuid4()
    attendance = AttendanceRecorded(pupil_ref=pupil, record_id=_PLACEHOLDER_ID, placement_id=placement,
                                    session_date=date(2026, 9, 7), session="AM", code="/", rule_version="2024")
    incident = IncidentRecorded(
        pupil_ref=pupil, record_id=_PLACEHOLDER_ID, placement_id=placement, incident_id=uuid4(),
        happened_at=datetime(2026, 9, 7, 10, tzinfo=UTC), category="low_level_disruption", severity=2,
        location="classroom", triggers=("peer_conflict",), antecedents="sealed:v1:AAAA", description="sealed:v1:BBBB",
        staff_involved=("staff-17",))
    return (_template(attendance).replace(str(pupil), "%(pupil)s"),
            _template(incident).replace(str(pupil), "%(pupil)s"))


def _events(count: int, pupils: int) -> list[EncodedEvent]:
    """``count`` events over ``pupils`` streams, round-robin, each stream's versions 1, 2, 3, ..."""
    attendance, incident = _templates()
    refs = [str(uuid4()) for _ in range(pupils)]
    versions = [0] * pupils
    out: list[EncodedEvent] = []
    for i in range(count):
        p = i % pupils
        versions[p] += 1
        event_id = uuid4()
        event_type = "IncidentRecorded" if i % 50 == 49 else "AttendanceRecorded"
        text = (incident if event_type == "IncidentRecorded" else attendance) % {
            "event_id": event_id, "version": versions[p], "pupil": refs[p]}
        out.append(EncodedEvent(
            transaction_id=1, position=i + 1, stream_id=f"pupil-{refs[p]}", event_type=event_type, schema_version=1,
            event_id=event_id, correlation_id=event_id, causation_id=None, envelope_json=text.encode(),
            occurred_at=datetime(2026, 9, 7, 9, tzinfo=UTC) + timedelta(seconds=i)))
    return out


async def produce(bootstrap: str, topic: str, count: int, pupils: int) -> float:
    """Produce the events as the relay would (key, value, headers); returns the seconds it took."""
    return await produce_encoded(bootstrap, topic, _events(count, pupils))


async def produce_encoded(bootstrap: str, topic: str, events: list[EncodedEvent]) -> float:
    """Produce encoded events as the relay would, in batches of 20,000; returns the seconds it took."""
    producer = idempotent_producer(bootstrap, linger_ms=20, max_batch_size=1_048_576)
    await producer.start()
    started = time.perf_counter()
    try:
        for start in range(0, len(events), 20_000):
            sent = []
            for event in events[start:start + 20_000]:
                key, value, headers = encode_event(event, topic)
                sent.append(await producer.send(topic, value=value, key=key, headers=headers))
            await asyncio.gather(*sent)
    finally:
        await producer.stop()
    return time.perf_counter() - started


def _python_cpu_seconds() -> float:
    """CPU of this process and of its finished children (the catch-up workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def catch_up_command(projection: type[Projection], dsn: str, topic: str) -> tuple[str, ...]:
    """A catch-up worker's arguments, as `ap projections rebuild --workers N` starts them."""
    return ("-m", "ap_runtime.rebuild_worker", "catch-up", "--projection",
            f"{projection.__module__}:{projection.__name__}", "--dsn", dsn, "--topic", topic)


async def timed_rebuild(runner: ProjectionRunner, pool: asyncpg.Pool, bootstrap: str, command: tuple[str, ...],
                        workers: int, events: int, dsn: str | None = None,
                        defer: bool = True) -> tuple[str, dict[str, float]]:
    """(the new generation's schema, its figures): the runner's projection rebuilt as `ap projections rebuild` does.

    With ``dsn`` (the read model's database) the CPU of its PostgreSQL backends is measured too.
    """
    await runner.start()
    freeze_startup_objects()  # as `ap projections rebuild` does once started (collector.py)
    try:
        async with backend_cpu(dsn or "") if dsn else contextlib.nullcontext() as backends:
            started, cpu_started = time.perf_counter(), _python_cpu_seconds()
            schema = await rebuild(runner, pool, bootstrap, show_progress=False,
                                   workers=CatchUpWorkers(workers, command), defer=defer)
            seconds, cpu_seconds = time.perf_counter() - started, _python_cpu_seconds() - cpu_started
    finally:
        await runner.stop()
    # CPU per event, Python's and PostgreSQL's: on a shared machine it says more than the wall clock does.
    figures = {"events_per_second": round(events / seconds, 1), "seconds": round(seconds, 3),
               "python_cpu_us_per_event": round(cpu_seconds / events * 1e6, 2),
               "load_average_1m": round(os.getloadavg()[0], 2)}
    if backends is not None and backends.seconds is not None:
        figures["postgres_cpu_us_per_event"] = round(backends.seconds / events * 1e6, 2)
        figures["postgres_autovacuum_cpu_us_per_event"] = round(backends.autovacuum_seconds / events * 1e6, 2)
    return schema, figures


async def _one_rebuild(pool: asyncpg.Pool, dsn: str, bootstrap: str, topic: str, expected: int,
                       workers: int, defer: bool) -> dict[str, float]:
    from ap_incidents.projections import BehaviourLogProjection  # the service, only when a rebuild runs

    runner = ProjectionRunner(BehaviourLogProjection((topic,)), pool, bootstrap, group_id=f"bench.rebuild.{topic}")
    schema, figures = await timed_rebuild(runner, pool, bootstrap, catch_up_command(BehaviourLogProjection, dsn, topic),
                                          workers, expected, dsn=dsn, defer=defer)
    rows = int(await pool.fetchval(f"SELECT count(*) FROM {schema}.behaviour_log"))
    if rows != expected:
        raise AssertionError(f"the rebuilt generation {schema} holds {rows} rows, not {expected}")
    return figures


async def run(repeats: int = 3, events: int = 1_000_000, pupils: int = 2_000, workers: int = 2,
              defer: bool = True) -> dict[str, Any]:
    """Produce ``events`` once, rebuild them ``repeats`` times; the figures and the medians."""
    pg_admin, bootstrap = resolve_infrastructure()
    database = await create_database(pg_admin, "bench_rebuild")
    dsn = dsn_for_database(pg_admin, database)
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=8)
    topic = f"bench-rebuild-{uuid4().hex[:10]}"
    await create_topic(bootstrap, topic)
    try:
        produce_seconds = await produce(bootstrap, topic, events, pupils)
        runs = [await _one_rebuild(pool, dsn, bootstrap, topic, events, workers, defer) for _ in range(repeats)]
    finally:
        await pool.close()
        await drop_databases(pg_admin, [database])  # a million rows a run: about 620 MB left behind otherwise
        await delete_topics(bootstrap, [topic])  # and about 1.2 GB of the broker's log
    median = statistics.median(r["events_per_second"] for r in runs)
    median_cpu = statistics.median(r["python_cpu_us_per_event"] for r in runs)
    return {
        "benchmark": "rebuild",
        "at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "parameters": {"events": events, "repeats": repeats, "pupils": pupils, "partitions": 6,
                       "projection": PROJECTION, "catch_up_workers": workers, "deferred_indexes": defer},
        "produce_seconds": round(produce_seconds, 2),
        "runs": runs,
        "median_events_per_second": median,
        "median_python_cpu_us_per_event": median_cpu,
        "median_postgres_cpu_us_per_event": statistics.median(r.get("postgres_cpu_us_per_event", 0.0) for r in runs),
        "target_events_per_second": TARGET_EVENTS_PER_SECOND,
        "meets_target": median >= TARGET_EVENTS_PER_SECOND,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pupils", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2, help="catch-up processes (1: the rebuild's own only)")
    parser.add_argument("--no-defer", action="store_true", help="load with every index in place (A/B)")
    args = parser.parse_args()
    # on uvloop, as `ap projections rebuild` runs
    result = uvloop.run(run(args.repeats, args.events, args.pupils, args.workers, not args.no_defer))
    publish("rebuild", result)


if __name__ == "__main__":
    main()
