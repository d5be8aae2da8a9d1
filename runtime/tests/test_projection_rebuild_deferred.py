"""A rebuild loads its first catch-up without the unique indexes and still applies each event once (issue 11).

Rule served: a new generation is filled fast (its ``processed_events`` key and a projection's
``deferred_indexes`` built once at the end, ``deferred_indexes.py``) and each event is applied to it
exactly once. The relay's duplicates are real here: a second relay with a checkpoint of its own
publishes every event again, as a relay whose checkpoint was lost would. A copy within the recent-ids
window is left out; one beyond it is refused by the unique index built at the end, and the rebuild
starts again with every index in place; a poison event still goes to the dead-letter topic alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from ap_contracts.topics import dead_letter_topic
from ap_runtime.eventstore import EventStore
from ap_runtime.kafka import ensure_topics
from ap_runtime.projection import ProjectionRunner, read_model, recent_ids
from ap_runtime.projection import catch_up as catch_up_module
from ap_runtime.projection import rebuild as rebuild_module
from ap_runtime.projection.rebuild import rebuild
from ap_runtime.relay import Relay
from ap_testing.projections import CounterProjection

from .conftest import counter_events

pytestmark = pytest.mark.integration


async def _published_twice(store: EventStore, pool: asyncpg.Pool, bootstrap: str, topic: str, streams: int,
                           per_stream: int, poison_at: set[int] | None = None) -> int:
    """Append to ``streams`` streams and publish everything twice, by two relays with checkpoints of their own."""
    for s in range(streams):
        await store.append(f"s-{s}", 0, counter_events(f"s-{s}", 0, per_stream, poison_at if s == 0 else None))
    for name in ("first", "again"):
        stop = asyncio.Event()
        relay = Relay(pool, bootstrap, name, topic_override=topic)
        task = asyncio.create_task(relay.run(stop))
        while relay.published < streams * per_stream:  # noqa: ASYNC110 - waiting for the relay's count
            await asyncio.sleep(0.05)
        stop.set()
        await task
    return streams * per_stream


async def _rebuilt(pool: asyncpg.Pool, bootstrap: str, topic: str,
                   monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[bool]]:
    """The new generation rebuilt in this process, and whether each attempt deferred its indexes."""
    attempts: list[bool] = []
    once = rebuild_module._rebuild

    async def counted(*args: Any) -> str:
        attempts.append(args[-1])
        return await once(*args)

    monkeypatch.setattr(rebuild_module, "_rebuild", counted)
    runner = ProjectionRunner(CounterProjection(topics=(topic,)), pool, bootstrap)
    await runner.start()
    try:
        return await rebuild(runner, pool, bootstrap, show_progress=False), attempts
    finally:
        await runner.stop()


async def _state(pool: asyncpg.Pool, schema: str) -> dict[str, Any]:
    async with read_model(pool, "counter") as conn:
        assert await conn.fetchval("SELECT current_schema()") == schema
        totals = await conn.fetchrow("SELECT count(*) AS n, sum(applied_count) AS s, max(applied_count) AS m"
                                     " FROM counter_events")
        return {
            "applied": (totals["n"], totals["s"], totals["m"]),
            "processed": await conn.fetchval("SELECT count(*) FROM processed_events"),
            "distinct_processed": await conn.fetchval("SELECT count(DISTINCT event_id) FROM processed_events"),
            "dead": await conn.fetchval("SELECT count(*) FROM dead_letters"),
            "duplicates": await conn.fetchval("SELECT duplicates FROM projection_status WHERE schema_name = $1",
                                              schema),
            "indexes": sorted(r["indexname"] for r in await conn.fetch(
                "SELECT indexname FROM pg_indexes WHERE schemaname = $1", schema)),
            "pending": await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{schema}.rebuild_deferred_indexes"),
        }


def _each_once(total: int) -> dict[str, Any]:
    """The state of a generation that applied each of ``total`` events once and skipped its copy."""
    return {"applied": (total, total, 1), "processed": total, "distinct_processed": total, "dead": 0,
            "duplicates": total, "indexes": EVERY_INDEX, "pending": False}


EVERY_INDEX = ["counter_events_pkey", "counter_totals_pkey", "dead_letters_pkey", "processed_events_pkey"]


async def test_copies_the_relay_published_again_are_left_out_and_the_indexes_built_at_the_end(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], read_model_db: tuple[str, asyncpg.Pool],
    new_topic: Callable[[str], object], kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    topic = await new_topic("deferdup")  # type: ignore[misc]
    total = await _published_twice(store, store_db[1], kafka_bootstrap, topic, streams=6, per_stream=60)
    monkeypatch.setattr(catch_up_module, "REBUILD_BATCH_RECORDS", 50)  # copies mostly in later batches
    _, pool = read_model_db
    schema, attempts = await _rebuilt(pool, kafka_bootstrap, topic, monkeypatch)
    assert attempts == [True], "the copies were within the window: one attempt, without the indexes"
    assert await _state(pool, schema) == _each_once(total)


async def test_a_copy_beyond_the_window_makes_the_rebuild_start_again_with_every_index(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], read_model_db: tuple[str, asyncpg.Pool],
    new_topic: Callable[[str], object], kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    topic = await new_topic("deferfar", partitions=1)  # type: ignore[misc]
    total = await _published_twice(store, store_db[1], kafka_bootstrap, topic, streams=3, per_stream=40)
    monkeypatch.setattr(recent_ids, "KEPT_PER_PARTITION", 5)  # each copy is 120 records after its first
    monkeypatch.setattr(catch_up_module, "REBUILD_BATCH_RECORDS", 20)  # and in a later batch
    _, pool = read_model_db
    schema, attempts = await _rebuilt(pool, kafka_bootstrap, topic, monkeypatch)
    assert attempts == [True, False], "the unique index refused the copies: again, with every index"
    assert schema == "rm_counter_g2"  # the first attempt's generation was dropped and made again
    assert await _state(pool, schema) == _each_once(total)


async def test_a_poison_event_is_dead_lettered_alone_and_the_rest_applied_once(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], read_model_db: tuple[str, asyncpg.Pool],
    new_topic: Callable[[str], object], kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    topic = await new_topic("deferpoison")  # type: ignore[misc]
    await ensure_topics(kafka_bootstrap, [dead_letter_topic(topic)], partitions=1)
    total = await _published_twice(store, store_db[1], kafka_bootstrap, topic, streams=4, per_stream=30,
                                   poison_at={7})
    _, pool = read_model_db
    schema, attempts = await _rebuilt(pool, kafka_bootstrap, topic, monkeypatch)
    assert attempts == [True]
    state = await _state(pool, schema)
    assert state["applied"] == (total - 1, total - 1, 1)
    assert (state["processed"], state["distinct_processed"], state["dead"]) == (total, total, 1)
    assert (state["indexes"], state["pending"]) == (EVERY_INDEX, False)
    async with read_model(pool, "counter") as conn:
        assert await conn.fetchval("SELECT outcome FROM processed_events WHERE outcome <> 'applied'") \
            == "dead_lettered"
        assert 7 not in [r["seq"] for r in await conn.fetch("SELECT seq FROM counter_events WHERE counter = 's-0'")]
