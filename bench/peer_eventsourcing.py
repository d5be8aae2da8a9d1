"""The peer: pyeventsourcing 9.5 on the same PostgreSQL, against raw ``EventStore.append``, in one run.

    python -m bench.peer_eventsourcing [--repeats 3] [--quick]

Issue 11 asks that the platform is not slower than a library that does less. For each workload of
``bench.eventstore_append.workloads`` (one-event and ten-event saves, one client and sixteen) and
each repeat, both systems get a fresh database; the order of the two alternates between repeats so
drift on a shared machine does not favour one. Figures are medians of the repeats; the ratios are
ours over the peer's (above 1 is faster for throughput, below 1 is better for latency).

How the peer is run (its own documentation's configuration): an ``Application`` whose persistence is
``eventsourcing.postgres`` (``POSTGRES_*`` environment), JSON transcoding, no cipher or compressor,
connection pre-ping off, the default ``PostgresApplicationRecorder`` (a notification log ordered by
an exclusive table lock, the peer's equivalent of our commit-order global position). The table is
created once, before the clock, and the measuring applications are told ``CREATE_TABLE=no``. A save
is ``Application.save`` of one aggregate (created and saved before the clock) with one or ten pending
events. Its persistence is synchronous psycopg 3, so sixteen clients are run three ways: sixteen
threads sharing one application with a pool of sixteen connections; sixteen processes with one
application and one connection each (no GIL between them); and two processes (one per core here) of
eight threads each. The peer's figure is the way with the best median throughput; every way's median
is in the JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier as ProcessBarrier
from typing import Any
from urllib.parse import unquote, urlsplit

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.publish import publish
from bench.saves import STREAMS_PER_CLIENT, Workload, figures, workloads


class Pupil(Aggregate):
    """A stand-in aggregate: one small event per note, the size of the platform's counter event."""

    @event("Created")
    def __init__(self, name: str) -> None:
        self.name = name
        self.notes = 0

    @event("Noted")
    def note(self, counter: str, seq: int) -> None:
        self.notes += 1


class PeerApplication(Application[Any]):
    """The peer's application service: nothing but ``save``."""


def peer_environment(dsn: str, pool_size: int, create_table: bool) -> dict[str, str]:
    """pyeventsourcing's ``POSTGRES_*`` settings for the database ``dsn``."""
    parts = urlsplit(dsn)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": "0",
        "POSTGRES_PRE_PING": "n",
        "CREATE_TABLE": "y" if create_table else "n",
    }


def _saves(app: PeerApplication, workload: Workload, client: int,
           ready: Callable[[], object]) -> tuple[float, float, list[float]]:
    """One client's saves: (start, end, latencies in ms); ``ready`` waits for the other clients."""
    aggregates = [Pupil(f"c{client}-s{s}") for s in range(STREAMS_PER_CLIENT)]
    for aggregate in aggregates:
        app.save(aggregate)
    latencies: list[float] = []
    ready()
    started = time.monotonic()
    for index in range(workload.saves_per_client):
        aggregate = aggregates[index % len(aggregates)]
        sent = time.perf_counter()
        for seq in range(workload.events_per_save):
            aggregate.note(aggregate.name, seq)
        app.save(aggregate)
        latencies.append((time.perf_counter() - sent) * 1000)
    return started, time.monotonic(), latencies


Outcome = tuple[float, float, list[float]]


def _clients_in_threads(dsn: str, workload: Workload, first: int, count: int,
                        ready: Callable[[], object]) -> list[Outcome]:
    """``count`` clients as threads of this process, sharing one application (a pool of ``count``)."""
    app = PeerApplication(env=peer_environment(dsn, count, create_table=False))
    results: list[Outcome] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        outcome = _saves(app, workload, number, ready)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=client, args=(first + n,)) for n in range(count)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        app.close()
    if len(results) != count:
        raise RuntimeError(f"{count - len(results)} peer client thread(s) failed")
    return results


def _process_clients(dsn: str, workload: Workload, first: int, count: int, barrier: ProcessBarrier,
                     out: multiprocessing.SimpleQueue[list[Outcome]]) -> None:
    out.put(_clients_in_threads(dsn, workload, first, count, barrier.wait))


def _in_processes(dsn: str, workload: Workload, processes: int) -> dict[str, float]:
    """The clients spread over ``processes`` spawned processes, each running its share as threads."""
    if processes == 1:
        barrier = threading.Barrier(workload.clients)
        return _combine(_clients_in_threads(dsn, workload, 0, workload.clients, barrier.wait), workload)
    context = multiprocessing.get_context("spawn")
    shared = context.Barrier(workload.clients)
    out: multiprocessing.SimpleQueue[list[Outcome]] = context.SimpleQueue()
    each = workload.clients // processes
    started = [context.Process(target=_process_clients, args=(dsn, workload, n * each, each, shared, out))
               for n in range(processes)]
    for process in started:
        process.start()
    results = [outcome for _ in started for outcome in out.get()]
    for process in started:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a peer client process exited with {process.exitcode}")
    return _combine(results, workload)


def _combine(results: list[Outcome], workload: Workload) -> dict[str, float]:
    elapsed = max(end for _, end, _ in results) - min(start for start, _, _ in results)
    latencies = [ms for _, _, client in results for ms in client]
    return figures(len(latencies), workload.events_per_save, elapsed, latencies)


def ways_to_run(clients: int) -> dict[str, int]:
    """The ways tried for ``clients`` concurrent clients: name -> processes (the rest are threads)."""
    if clients == 1:
        return {"one thread": 1}
    ways = {f"{clients} threads": 1, f"{clients} processes": clients}
    if clients % 2 == 0 and clients > 2:
        ways[f"2 processes x {clients // 2} threads"] = 2  # one per core on these 2-core machines
    return ways


def measure_peer(dsn: str, workload: Workload) -> dict[str, dict[str, float]]:
    """pyeventsourcing's figures for ``workload`` in the empty database ``dsn``, for each way to run it."""
    PeerApplication(env=peer_environment(dsn, 1, create_table=True)).close()  # the table, once
    return {way: _in_processes(dsn, workload, processes) for way, processes in ways_to_run(workload.clients).items()}


def peer_median(runs: list[dict[str, dict[str, float]]]) -> dict[str, Any]:
    """The peer's figures: the medians of the way whose median throughput is best, and every way's.

    The way is chosen on medians, not per repeat: picking each repeat's best of three noisy samples
    would flatter the peer against our single sample per repeat.
    """
    by_way = {way: _median([run[way] for run in runs]) for way in runs[0]}
    best = max(by_way, key=lambda way: by_way[way]["saves_per_second"])
    return {**by_way[best], "clients_as": best,
            "saves_per_second_by_way": {way: figures["saves_per_second"] for way, figures in by_way.items()}}


def _fresh_database(admin: str, name: str, made: list[str]) -> str:
    from ap_testing.infra import create_database, dsn_for_database  # lazily: see main

    database: str = asyncio.run(create_database(admin, name))
    made.append(database)
    return str(dsn_for_database(admin, database))


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}


def main(repeats: int, quick: bool, chosen: list[Workload] | None = None) -> dict[str, Any]:
    """Both systems, every workload (or ``chosen``), ``repeats`` times; medians and ratios."""
    # Imported here, not at the top: the sixteen spawned client processes import this module, and
    # the platform's packages would add seconds of start-up to each for nothing.
    from ap_testing.infra import drop_databases, resolve_infrastructure
    from bench import eventstore_append

    admin, _ = resolve_infrastructure()
    chosen = chosen or workloads(quick)
    made: list[str] = []
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
    try:
        for repeat in range(repeats):
            for workload in chosen:
                # Ours first on even repeats, the peer first on odd ones: drift does not favour either.
                order = ("ours", "peer") if repeat % 2 == 0 else ("peer", "ours")
                for system in order:
                    dsn = _fresh_database(admin, f"bench_{system}_{workload.name}", made)
                    measured = (eventstore_append.measure(dsn, workload) if system == "ours"
                                else measure_peer(dsn, workload))
                    runs.setdefault(workload.name, {"ours": [], "peer": []})[system].append(measured)
            # Drop as we go: a full run would otherwise leave dozens of databases behind.
            asyncio.run(drop_databases(admin, made))
            made.clear()
    finally:
        asyncio.run(drop_databases(admin, made))
    median = {name: {"ours": _median(by_system["ours"]), "peer": peer_median(by_system["peer"])}
              for name, by_system in runs.items()}
    ratios = {
        name: {
            "saves_per_second_ours_over_peer": round(m["ours"]["saves_per_second"] / m["peer"]["saves_per_second"], 2),
            "p50_ms_ours_over_peer": round(m["ours"]["p50_ms"] / m["peer"]["p50_ms"], 2),
            "p99_ms_ours_over_peer": round(m["ours"]["p99_ms"] / m["peer"]["p99_ms"], 2),
        } for name, m in median.items()
    }
    return {
        "benchmark": "peer_eventsourcing",
        "at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "parameters": {
            "repeats": repeats, "quick": quick, "peer": "eventsourcing[postgres] 9.5.6 (psycopg 3)",
            "workloads": {w.name: {"clients": w.clients, "events_per_save": w.events_per_save,
                                   "saves": w.saves_per_client * w.clients} for w in chosen},
            "peer_settings": {k: v for k, v in peer_environment("postgresql://x@h/db", 16, False).items()
                              if not k.startswith(("POSTGRES_DBNAME", "POSTGRES_HOST", "POSTGRES_PORT",
                                                   "POSTGRES_USER", "POSTGRES_PASSWORD"))},
            "ours": "EventStore.append, plaintext codec, asyncpg pool of one connection per client, uvloop",
        },
        "median": median,
        "ratios": ratios,
        "runs": runs,
    }


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a tenth of the saves (smoke check)")
    args = parser.parse_args()
    started = time.time()
    result = main(args.repeats, args.quick)
    publish("peer_eventsourcing", result, started)


if __name__ == "__main__":
    cli()
