"""Alerts benchmark (issue 14): events judged per second from a backlog, and absence-to-SMTP latency.

    python -m bench.alerts [--events 100000] [--rate 100] [--seconds 10] [--repeats 1]

1. Backlog: ``--events`` incidents events (per pupil a placement, then daily registers with an incident in
   twenty-five, every other one at the pupil's threshold) produced once to a fresh topic as the relay would;
   the alert projection (``AlertingProjection`` with the real dispatcher, the alerts it decides recorded as
   ``NotificationSent`` and delivered to a file outbox) catches up from offset 0 and is timed to the last
   event applied. Baseline in the same run: the bare projection runner (a projection that applies nothing)
   over the same topic, so the difference is the cost of judging, recording and delivering alerts.
2. Latency: with the projection live and delivering by SMTP to a local relay (``bench/alerts_relay.py``, a
   process of its own, reporting each message's arrival), unauthorised morning absences (``absence_same_day``:
   the home school and the commissioner are told at once) are produced at ``--rate`` per second for
   ``--seconds``; the time from an absence handed to Kafka to its first message handed to SMTP, p50/p99, read
   while the absences are produced. The producer and the runner share one process and event loop.

CPU: ``time.process_time`` of this process (the runner, the dispatcher and the delivery, and in the latency part
the producer) per 1,000 events or absences; PostgreSQL's, Kafka's and the relay's are other processes. The
machine may be shared: each measurement carries the load average before and after it.
JSON to ``bench/results/alerts-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import uvloop

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import Audience
from ap_contracts.events.pupil_vocabulary import AttendanceCode, Severity
from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.adapters.smtp import SmtpDelivery, SmtpSettings
from ap_notifications.application.ports import Delivery
from ap_notifications.domain.notification import notification_id_for
from ap_notifications.entrypoints.bootstrap import open_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_notifications.projections.alerting import AlertingProjection
from ap_runtime.eventstore.models import EncodedEvent
from ap_runtime.kafka import encode_event, idempotent_producer
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.projection.base import Projection, ReceivedEvent
from ap_runtime.projection.runner import ProjectionRunner, build_app
from ap_testing.infra import create_database, create_topic, dsn_for_database, resolve_infrastructure
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, Events
from ap_testing.privacy import random_ring
from bench.publish import publish
from bench.rebuild import produce_encoded

_ACTOR = Actor(user_id="staff@provision", organisation_id="provision-north", roles=("provision_staff",))
EVENTS_PER_PUPIL = 50


class BareProjection(Projection):
    """The baseline: the runner's consumption and per-batch bookkeeping, applying nothing."""

    name = "bench_bare"

    async def setup(self, conn: asyncpg.Connection) -> None:
        return None

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        return None


def encoded(event: DomainEvent, version: int, position: int, recorded_at: datetime) -> EncodedEvent:
    """The event as the relay publishes it (recorded now: the alert rules judge only recent causes)."""
    event_id = getattr(event, "record_id")  # noqa: B009  # DomainEvent names no record_id
    stream = f"pupil-{event.pii_subject()}"
    envelope = EventEnvelope(
        event_id=event_id, event_type=event.event_type, schema_version=event.schema_version, stream_id=stream,
        stream_version=version, occurred_at=recorded_at, recorded_at=recorded_at, actor=_ACTOR,
        organisation_id="provision-north", correlation_id=event_id, pii_subject=event.pii_subject(),
        payload=event.model_dump(mode="json"))
    return EncodedEvent(transaction_id=1, position=position, stream_id=stream, event_type=event.event_type,
                        schema_version=event.schema_version, event_id=event_id, correlation_id=event_id,
                        causation_id=None, envelope_json=envelope.model_dump_json().encode(), occurred_at=recorded_at)


def backlog(count: int) -> list[EncodedEvent]:
    """Per pupil: the placement, then school-day registers, an incident in 25 (every other at threshold)."""
    now, out = datetime.now(UTC), list[EncodedEvent]()
    for p in range(max(1, count // EVENTS_PER_PUPIL)):
        pupil = Events()
        story: list[DomainEvent] = [pupil.started(start_date=(now - timedelta(days=EVENTS_PER_PUPIL)).date(),
                                                  planned_end_date=(now + timedelta(days=90)).date(),
                                                  planned_review_date=(now + timedelta(days=30)).date())]
        for i in range(1, EVENTS_PER_PUPIL):
            on = (now - timedelta(days=EVENTS_PER_PUPIL - i)).date()
            if i % 25 == 0:
                story.append(pupil.incident(Severity.SERIOUS if (i // 25 + p) % 2 else Severity.MODERATE, on=on))
            else:
                story.append(pupil.mark(on, AttendanceCode.PRESENT_AM))
        out.extend(encoded(e, v, len(out) + v, now) for v, e in enumerate(story, start=1))
    return out[:count]


@asynccontextmanager
async def running(runner: ProjectionRunner, bootstrap: str) -> AsyncIterator[None]:
    """The runner consuming, as the worker runs it (a FastStream broker around it)."""
    app = build_app([runner], bootstrap)
    assert app.broker is not None
    async with app.broker:
        await runner.start()
        await app.broker.start()
        try:
            yield
        finally:
            await runner.stop()


async def until_applied(runner: ProjectionRunner, expected: int, seconds: float = 600) -> None:
    started = time.perf_counter()
    while runner.applied < expected:  # polling the runner's counter is the measurement
        if time.perf_counter() - started > seconds:
            raise RuntimeError(f"{runner.applied} of {expected} events applied in {seconds} s")
        await asyncio.sleep(0.01)


@dataclass(frozen=True, slots=True)
class CatchUp:
    """Wall seconds to the last event applied, and this process's CPU seconds meanwhile (the runner, the
    dispatcher and the delivery; not PostgreSQL's or Kafka's, which are other processes)."""

    seconds: float
    cpu_seconds: float


async def catch_up(runner: ProjectionRunner, bootstrap: str, expected: int) -> CatchUp:
    started, cpu_started = time.perf_counter(), time.process_time()
    async with running(runner, bootstrap):
        await until_applied(runner, expected)
        return CatchUp(time.perf_counter() - started, time.process_time() - cpu_started)


def per_thousand(cpu_seconds: float, events: int) -> float:
    return round(1000 * cpu_seconds / events, 3)


async def open_alerting(pg_admin: str, bootstrap: str, topic: str, delivery: Delivery
                        ) -> tuple[ProjectionRunner, Any, KeyStore]:
    # The key cache as deployed (``AP_KEY_CACHE_TTL_SECONDS`` unset: the key store's default).
    keys = await KeyStore.open(dsn_for_database(pg_admin, await create_database(pg_admin, "bench_alerts_keys")),
                               random_ring("mk-bench")[0])
    dsn = dsn_for_database(pg_admin, await create_database(pg_admin, "bench_alerts"))
    settings = NotificationSettings(dsn=dsn, kafka_bootstrap=bootstrap, outbox_dir=Path(tempfile.mkdtemp()))
    services = await open_services(settings, codec=PersonalDataCodec(keys), delivery=delivery)
    projection = AlertingProjection(services.dispatcher, services.transfers, services.book, topics=(topic,),
                                    codec=services.codec)
    runner = ProjectionRunner(projection, services.pool, bootstrap, group_id=f"bench-alerts-{uuid4().hex}")
    return runner, services, keys


async def measure_backlog(pg_admin: str, bootstrap: str, events: int) -> dict[str, Any]:
    topic = f"bench-alerts-{uuid4().hex[:10]}"
    await create_topic(bootstrap, topic)
    encoded_events = backlog(events)
    produce_seconds = await produce_encoded(bootstrap, topic, encoded_events)
    bare_pool = await asyncpg.create_pool(dsn_for_database(pg_admin, await create_database(pg_admin, "bench_bare")))
    bare = ProjectionRunner(BareProjection((topic,)), bare_pool, bootstrap, group_id=f"bench-bare-{uuid4().hex}")
    bare_run = await catch_up(bare, bootstrap, len(encoded_events))
    await bare_pool.close()
    runner, services, keys = await open_alerting(pg_admin, bootstrap, topic, FileOutbox(Path(tempfile.mkdtemp())))
    try:
        load_before = os.getloadavg()
        alert_run = await catch_up(runner, bootstrap, len(encoded_events))
        alerts = int(await services.pool.fetchval("SELECT count(*) FROM events WHERE event_type = 'NotificationSent'"))
    finally:
        await services.close()
        await keys.close()
    count = len(encoded_events)
    return {"events": count, "produce_seconds": round(produce_seconds, 2),
            "alerts_recorded_and_delivered": alerts,
            "alerting_events_per_second": round(count / alert_run.seconds, 1),
            "alerting_cpu_seconds_per_1000_events": per_thousand(alert_run.cpu_seconds, count),
            "alerts_per_second": round(alerts / alert_run.seconds, 1),
            "baseline_bare_runner_events_per_second": round(count / bare_run.seconds, 1),
            "baseline_cpu_seconds_per_1000_events": per_thousand(bare_run.cpu_seconds, count),
            "load_average_before": load_before, "load_average_after": os.getloadavg()}


class Arrivals:
    """Each absence's first message (to the home school) as the relay process reports it handed, read while the
    absences are still being produced (``bench/alerts_relay.py``: one line per message, its id and arrival time)."""

    def __init__(self, relay: asyncio.subprocess.Process) -> None:
        assert relay.stdout is not None
        self._lines = relay.stdout
        self._sent: dict[UUID, tuple[UUID, float]] = {}  # first message id -> (absence, handed to Kafka at)
        self.latencies: dict[UUID, float] = {}
        self.messages = 0

    def expect(self, absence_id: UUID) -> None:
        first = notification_id_for(absence_id, "absence_same_day", Audience.HOME_SCHOOL, HOME_SCHOOL)
        self._sent[first] = (absence_id, time.monotonic())

    async def watch(self, expected: int, patience_seconds: float = 60) -> None:
        while len(self.latencies) < expected:
            try:
                line = await asyncio.wait_for(self._lines.readline(), patience_seconds)
            except TimeoutError:
                return  # nothing for a minute: the rest is counted as never delivered
            message_id, _, at = line.decode().strip().rpartition(" ")
            self.messages += 1
            found = self._sent.get(UUID(message_id.strip("<>").split("@")[0]))
            if found is not None and found[0] not in self.latencies:
                self.latencies[found[0]] = float(at) - found[1]

    async def drain(self, idle_seconds: float = 2) -> None:
        """Count the messages still arriving (the commissioner's) until none came for ``idle_seconds``."""
        while True:
            try:
                line = await asyncio.wait_for(self._lines.readline(), idle_seconds)
            except TimeoutError:
                return
            if not line:
                return
            self.messages += 1


@asynccontextmanager
async def relay_process() -> AsyncIterator[tuple[asyncio.subprocess.Process, int]]:
    """The relay in its own interpreter, and the port it listens on."""
    relay = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.alerts_relay",
                                                 stdout=asyncio.subprocess.PIPE)
    try:
        assert relay.stdout is not None
        first = (await asyncio.wait_for(relay.stdout.readline(), 60)).decode().split()
        if first[:1] != ["port"]:
            raise RuntimeError(f"the relay did not start: {first}")
        yield relay, int(first[1])
    finally:
        relay.terminate()
        await relay.wait()


async def measure_latency(pg_admin: str, bootstrap: str, rate: int, seconds: int) -> dict[str, Any]:
    topic = f"bench-alerts-live-{uuid4().hex[:10]}"
    await create_topic(bootstrap, topic)
    relay_context = relay_process()
    relay, relay_port = await relay_context.__aenter__()
    directory = {org: {"default": f"office@{org}.test"} for org in (HOME_SCHOOL, COMMISSIONER)}
    runner, services, keys = await open_alerting(
        pg_admin, bootstrap, topic, SmtpDelivery(SmtpSettings(host="127.0.0.1", port=relay_port), directory))
    now = datetime.now(UTC)
    pupils = [Events() for _ in range(rate * seconds)]
    await produce_encoded(bootstrap, topic, [encoded(p.started(
        start_date=now.date() - timedelta(days=7), planned_end_date=now.date() + timedelta(days=90),
        planned_review_date=now.date() + timedelta(days=30)), 1, i, now) for i, p in enumerate(pupils)])
    producer = idempotent_producer(bootstrap)
    await producer.start()
    live = running(runner, bootstrap)
    await live.__aenter__()
    try:
        await until_applied(runner, len(pupils))
        today = datetime.now(UTC).date()  # England's date too, away from midnight
        # The producer, the runner and the SMTP server share this process: its CPU per absence bounds the cost.
        load_before, cpu_started = os.getloadavg(), time.process_time()
        arrivals = Arrivals(relay)
        watching = asyncio.create_task(arrivals.watch(len(pupils)))
        paced_from = time.perf_counter()
        for i, pupil in enumerate(pupils):
            absence = encoded(pupil.mark(today, AttendanceCode.OTHER_UNAUTHORISED), 2, i, datetime.now(UTC))
            key, value, headers = encode_event(absence, topic)
            arrivals.expect(absence.event_id)
            await producer.send(topic, value=value, key=key, headers=headers)
            await asyncio.sleep(max(0.0, paced_from + (i + 1) / rate - time.perf_counter()))
        await watching
        await arrivals.drain()
        latencies = arrivals.latencies
    finally:
        await producer.stop()
        await live.__aexit__(None, None, None)
        await services.close()
        await keys.close()
        await relay_context.__aexit__(None, None, None)
    ms = sorted(v * 1000 for v in latencies.values())
    cpu = time.process_time() - cpu_started
    return {"rate_per_second": rate, "absences": len(pupils), "messages_handed_to_smtp": arrivals.messages,
            "cpu_seconds_per_1000_absences": per_thousand(cpu, len(pupils)),
            "load_average_before": load_before, "load_average_after": os.getloadavg(),
            "absences_with_a_message": len(ms), "p50_ms": round(statistics.median(ms), 1) if ms else None,
            "p99_ms": round(ms[int(0.99 * (len(ms) - 1))], 1) if ms else None}


async def run(events: int, rate: int, seconds: int, repeats: int) -> dict[str, Any]:
    pg_admin, bootstrap = resolve_infrastructure()
    backlogs = [await measure_backlog(pg_admin, bootstrap, events) for _ in range(repeats)]
    latencies = [await measure_latency(pg_admin, bootstrap, rate, seconds) for _ in range(repeats)]
    return {
        "benchmark": "alerts",
        "at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average": os.getloadavg()},
        "parameters": {"events": events, "rate": rate, "seconds": seconds, "repeats": repeats},
        "backlog": backlogs,
        "latency": latencies,
        "median_alerting_events_per_second": statistics.median(b["alerting_events_per_second"] for b in backlogs),
        "median_alerting_cpu_seconds_per_1000_events": statistics.median(
            b["alerting_cpu_seconds_per_1000_events"] for b in backlogs),
        "median_baseline_events_per_second": statistics.median(
            b["baseline_bare_runner_events_per_second"] for b in backlogs),
        "median_p99_ms": statistics.median(x["p99_ms"] for x in latencies if x["p99_ms"] is not None)
        if any(x["p99_ms"] is not None for x in latencies) else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    started = time.time()
    publish("alerts", uvloop.run(run(args.events, args.rate, args.seconds, args.repeats)), started)


if __name__ == "__main__":
    main()
