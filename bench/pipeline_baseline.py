"""Hand-written baseline of the write path, measured in the same run as the platform.

Plain asyncpg inserts of 500-event batches into a bare table, an idempotent aiokafka producer,
and a plain aiokafka consumer applying each polled batch to a read model in one transaction with
a processed-ids table. No envelope validation, no codec, no commit-order horizon, no FastStream.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer

from ap_runtime.kafka import client_security, idempotent_producer

DDL = """
CREATE TABLE IF NOT EXISTS base_events (position bigserial PRIMARY KEY, event_id uuid UNIQUE NOT NULL,
  stream_id text NOT NULL, payload jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS base_processed (event_id uuid PRIMARY KEY);
CREATE TABLE IF NOT EXISTS base_read_model (event_id uuid PRIMARY KEY, stream_id text NOT NULL,
  recorded_at timestamptz NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp());
"""


async def insert_only(pool: asyncpg.Pool, events: int, batch: int = 500) -> float:
    """events/s of plain asyncpg batch inserts (the floor cost of storing anything)."""
    await pool.execute(DDL)
    started = time.perf_counter()
    for start in range(0, events, batch):
        n = min(batch, events - start)
        await pool.execute(
            "INSERT INTO base_events (event_id, stream_id, payload)"
            " SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[])",
            [uuid.uuid4() for _ in range(n)], [f"s-{i % 50}" for i in range(n)],
            [json.dumps({"counter": "c", "seq": i}) for i in range(n)],
        )
    return events / (time.perf_counter() - started)


async def pipeline(pool: asyncpg.Pool, bootstrap: str, topic: str, events: int, batch: int = 500,
                   rate: float | None = None) -> dict[str, float]:
    """Append -> produce -> consume -> apply; returns throughput and append-to-applied latencies (ms)."""
    await pool.execute(DDL)
    producer = idempotent_producer(bootstrap)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, **client_security(),
                                group_id=f"base-{uuid.uuid4()}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await producer.start()
    await consumer.start()
    applied = 0
    done = asyncio.Event()

    async def consume() -> None:
        nonlocal applied
        while applied < events:
            got = await consumer.getmany(timeout_ms=100, max_records=500)
            records = [r for rs in got.values() for r in rs]
            if not records:
                continue
            async with pool.acquire() as conn, conn.transaction():
                docs = [json.loads(r.value) for r in records]
                fresh = {row["event_id"] for row in await conn.fetch(
                    "INSERT INTO base_processed SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id",
                    [uuid.UUID(d["event_id"]) for d in docs])}
                rows = [(uuid.UUID(d["event_id"]), d["stream_id"], datetime.fromisoformat(d["recorded_at"]))
                        for d in docs if uuid.UUID(d["event_id"]) in fresh]
                await conn.executemany(
                    "INSERT INTO base_read_model (event_id, stream_id, recorded_at) VALUES ($1, $2, $3)", rows)
            await consumer.commit()
            applied += len(rows)
        done.set()

    consumer_task = asyncio.create_task(consume())
    started, cpu_started = time.perf_counter(), time.process_time()
    step = batch if rate is None else max(1, int(rate / 100))
    for start in range(0, events, step):
        n = min(step, events - start)
        if rate is not None:
            target = started + start / rate
            await asyncio.sleep(max(0.0, target - time.perf_counter()))
        ids = [uuid.uuid4() for _ in range(n)]
        streams = [f"s-{i % 50}" for i in range(start, start + n)]
        rows = await pool.fetch(
            "INSERT INTO base_events (event_id, stream_id, payload) SELECT * FROM unnest($1::uuid[], $2::text[],"
            " $3::jsonb[]) RETURNING event_id, stream_id, recorded_at",
            ids, streams, [json.dumps({"seq": i}) for i in range(n)],
        )
        futures = [await producer.send(topic, key=r["stream_id"].encode(), value=json.dumps(
            {"event_id": str(r["event_id"]), "stream_id": r["stream_id"],
             "recorded_at": r["recorded_at"].astimezone(UTC).isoformat()}).encode()) for r in rows]
        await asyncio.gather(*futures)
    await done.wait()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    await consumer_task
    await producer.stop()
    await consumer.stop()
    lat = await pool.fetch(
        "SELECT extract(epoch FROM applied_at - recorded_at) * 1000 AS ms FROM base_read_model ORDER BY ms")
    await pool.execute("TRUNCATE base_read_model, base_processed")
    # The Python side's CPU per event (append, relay or produce, consume, apply: all in this process):
    # on a shared machine it says more than the wall clock does.
    return {"events_per_second": events / elapsed, "python_cpu_us_per_event": cpu / events * 1e6,
            **percentiles([float(r["ms"]) for r in lat])}


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    values = sorted(values)

    def pct(p: float) -> float:
        return round(values[min(len(values) - 1, int(p / 100 * len(values)))], 2)

    return {"p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99), "max_ms": round(values[-1], 2)}
