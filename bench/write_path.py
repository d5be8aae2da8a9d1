"""Write-path benchmark: the platform against a hand-written baseline, in the same run.

    python -m bench.write_path [--events 20000] [--repeats 3] [--rate 1000] [--latency-seconds 10]

Prints one JSON document and writes it to bench/results/write_path-<timestamp>.json. The machines
are noisy: each figure is the median of the repeats, and the comparison is a ratio to the baseline.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import uvloop

from ap_runtime.kafka import ensure_topics
from ap_runtime.logging import configure_logging
from ap_testing.infra import create_database, drop_databases, dsn_for_database, resolve_infrastructure
from bench import pipeline_baseline, platform_pipeline
from bench.publish import publish


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}


async def main(events: int, repeats: int, rate: float, latency_seconds: float) -> dict[str, Any]:
    pg_admin, bootstrap = resolve_infrastructure()
    made: list[str] = []

    async def fresh_pool(name: str) -> asyncpg.Pool:
        made.append(await create_database(pg_admin, f"bench_{name}"))
        return await asyncpg.create_pool(dsn_for_database(pg_admin, made[-1]), min_size=2, max_size=10)

    # Each platform run gets an empty event store, so its relay starts with nothing behind it.
    store_pools = [await fresh_pool(f"store{i}") for i in range(2 * repeats)]
    unused = list(store_pools)
    rm_pool = await fresh_pool("rm")
    base_pool = await fresh_pool("base")
    paced = int(rate * latency_seconds)
    raw: dict[str, list[dict[str, float]]] = {k: [] for k in (
        "baseline_insert_only", "baseline_throughput", "platform_throughput", "baseline_paced", "platform_paced")}
    try:
        for _ in range(repeats):
            topics = [f"bench-{uuid4().hex[:10]}" for _ in range(4)]
            await ensure_topics(bootstrap, topics)
            raw["baseline_insert_only"].append(
                {"events_per_second": await pipeline_baseline.insert_only(base_pool, events)})
            raw["baseline_throughput"].append(await pipeline_baseline.pipeline(base_pool, bootstrap, topics[0], events))
            raw["platform_throughput"].append(
                await platform_pipeline.pipeline(unused.pop(), rm_pool, bootstrap, topics[1], events))
            raw["baseline_paced"].append(
                await pipeline_baseline.pipeline(base_pool, bootstrap, topics[2], paced, rate=rate))
            raw["platform_paced"].append(
                await platform_pipeline.pipeline(unused.pop(), rm_pool, bootstrap, topics[3], paced, rate=rate))
    finally:
        for pool in (*store_pools, rm_pool, base_pool):
            await pool.close()
        await drop_databases(pg_admin, made)  # every run used to leave 2 x repeats + 2 databases behind
    summary = {k: median_of(v) for k, v in raw.items()}
    ratio = {
        "throughput_platform_over_baseline": round(
            summary["platform_throughput"]["events_per_second"]
            / summary["baseline_throughput"]["events_per_second"], 3),
        "paced_p99_platform_over_baseline": round(
            summary["platform_paced"]["p99_ms"] / summary["baseline_paced"]["p99_ms"], 3),
    }
    return {
        "benchmark": "write_path",
        "at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "parameters": {"events": events, "repeats": repeats, "offered_rate_per_second": rate,
                       "paced_events": paced, "append_batch": 500},
        "median": summary,
        "ratios": ratio,
        "runs": raw,
    }


def cli() -> None:
    configure_logging("WARNING")
    logging.getLogger("faststream").setLevel(logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    args = parser.parse_args()
    started = time.time()
    # uvloop, the event loop the platform's processes run on, for the baseline and the platform alike.
    result = uvloop.run(main(args.events, args.repeats, args.rate, args.latency_seconds))
    publish("write_path", result, started)


if __name__ == "__main__":
    cli()
