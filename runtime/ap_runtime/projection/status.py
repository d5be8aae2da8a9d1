"""What an operator needs to see: per projection, events applied, events/s, consumer lag, liveness."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from ap_runtime.kafka import client_security, topic_partitions


@dataclass(frozen=True, slots=True)
class ProjectionHealth:
    name: str
    schema: str
    events_applied: int
    dead_lettered: int
    duplicates_skipped: int
    events_per_second: float
    consumer_lag: int | None
    last_applied_at: datetime | None


async def consumer_lag(bootstrap: str, group_id: str, topics: tuple[str, ...]) -> int | None:
    """Records on ``topics`` not yet committed by ``group_id`` (None when Kafka cannot be asked)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_security())
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_security(), group_id=None)
    try:
        await admin.start()
        await consumer.start()
        committed = await admin.list_consumer_group_offsets(group_id)
        parts = await topic_partitions(bootstrap, topics)
        end = await consumer.end_offsets(parts)
        return int(sum(end[tp] - (committed[tp].offset if tp in committed and committed[tp].offset >= 0 else 0)
                   for tp in parts))
    except Exception:
        return None
    finally:
        await consumer.stop()
        await admin.close()


async def _applied(pool: asyncpg.Pool) -> dict[str, asyncpg.Record]:
    rows = await pool.fetch(
        "SELECT s.name, s.schema_name, s.events_applied, s.dead_lettered, s.duplicates, s.last_applied_at"
        " FROM public.projection_status s JOIN public.projection_registry r"
        " ON r.name = s.name AND r.active_schema = s.schema_name ORDER BY s.name"
    )
    return {r["name"]: r for r in rows}


async def projection_health(pool: asyncpg.Pool, bootstrap: str, topics_by_name: dict[str, tuple[str, ...]],
                            sample_seconds: float = 2.0) -> list[ProjectionHealth]:
    first = await _applied(pool)
    started = time.monotonic()
    await asyncio.sleep(sample_seconds)
    second = await _applied(pool)
    elapsed = time.monotonic() - started
    result = []
    for name, row in second.items():
        before = first.get(name)
        rate = (row["events_applied"] - (before["events_applied"] if before else 0)) / elapsed
        topics = topics_by_name.get(name, ())
        lag = await consumer_lag(bootstrap, f"ap.projection.{name}", topics) if topics else None
        result.append(ProjectionHealth(name, row["schema_name"], row["events_applied"], row["dead_lettered"],
                                       row["duplicates"], round(rate, 1), lag, row["last_applied_at"]))
    return result
