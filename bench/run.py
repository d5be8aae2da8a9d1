"""``make bench``: every benchmark of the platform, one after another, and one table of all figures.

    python -m bench.run [--quick] [--repeats 3] [--only NAME ...]      (BENCH_QUICK=1 is --quick)

Runs each benchmark module in a fresh interpreter (so no benchmark's processes, event loop or
environment can colour the next one's figures) with at least three repeats: the incidents command
path (HTTP and Kafka, against raw ``EventStore.append``), the write path (against the hand-written
baseline), the projection rebuild, the peer (pyeventsourcing against raw ``EventStore.append``),
the personal-field codec (against bare AES-GCM) and the alerts (a backlog of 100,000 events against the bare
projection runner, and absence-to-SMTP latency at 100 absences a second). Every module prints its JSON
document and writes it to ``bench/results/<name>-<timestamp>.json``; this runner then writes
``summary-<timestamp>.json`` (the machine, the date, every row of the table and each benchmark's status and
file) and prints the table of ``bench.report``. A benchmark whose module is not in the tree reads "not available"; one
that fails reads "failed" with the end of its error output, and the run exits 1 after the others ran.

``--quick`` is a smoke check (one repeat of small sizes, about two minutes), not a measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench.publish import RESULTS
from bench.report import render, rows

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT_START = re.compile(r'^\{\s*"benchmark"', re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Benchmark:
    """One benchmark module and its command-line arguments for a full run and for a smoke check."""

    name: str
    full: tuple[str, ...]
    quick: tuple[str, ...]
    timeout_seconds: float = 1800

    @property
    def module(self) -> str:
        return f"bench.{self.name}"

    def arguments(self, quick: bool, repeats: int) -> list[str]:
        return [*(self.quick if quick else self.full), "--repeats", str(1 if quick else repeats)]


BENCHMARKS = (
    Benchmark("incidents_ingest", (), ("--allow-fewer-repeats", "--commands", "200", "--pupils", "10",
                                       "--burst", "300", "--paced", "40", "--open-seconds", "2")),
    Benchmark("write_path", (), ("--events", "2000", "--latency-seconds", "2")),
    Benchmark("rebuild", (), ("--events", "20000", "--pupils", "200")),
    Benchmark("peer_eventsourcing", (), ("--quick",)),
    Benchmark("privacy_codec", (), ("--events", "100")),
    # Issue 14: 100,000 events a repeat by default (bench/alerts.py), a quarter of an hour a repeat on a loaded machine.
    Benchmark("alerts", (), ("--events", "5000", "--seconds", "3"), timeout_seconds=3600),
    # Issue 15: every reporting projection rebuilt over 1,000,000 events, then the LA annual and strategy tables.
    Benchmark("reports", (), ("--events", "20000", "--pupils", "200"), timeout_seconds=3600),
)


def parse_document(stdout: str) -> dict[str, Any]:
    """The JSON document a benchmark printed (after whatever log lines came before it)."""
    found = DOCUMENT_START.search(stdout)
    if found is None:
        raise ValueError("the benchmark printed no JSON document starting with {\"benchmark\"")
    document, _ = json.JSONDecoder().raw_decode(stdout[found.start():])
    if not isinstance(document, dict):
        raise ValueError("the benchmark's JSON document is not an object")
    return document


def results_file(name: str, document: dict[str, Any], since: float) -> str | None:
    """The file the benchmark wrote for ``document``: its ``at`` tells it from another helper's run."""
    for path in sorted(RESULTS.glob(f"{name}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        if path.stat().st_mtime < since:
            break
        try:
            if json.loads(path.read_text()).get("at") == document.get("at"):
                return str(path.relative_to(ROOT))
        except (OSError, ValueError):
            continue
    return None


def run_benchmark(benchmark: Benchmark, quick: bool, repeats: int) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(its document or None, its status) for one benchmark run in its own interpreter."""
    if importlib.util.find_spec(benchmark.module) is None:
        return None, {"status": "not available", "reason": f"{benchmark.module} is not in this tree"}
    command = [sys.executable, "-m", benchmark.module, *benchmark.arguments(quick, repeats)]
    started = time.time()
    print(f"[bench] {' '.join(command[1:])}", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False,
                              timeout=benchmark.timeout_seconds)
    except subprocess.TimeoutExpired:
        return None, {"status": "failed", "reason": f"no answer within {benchmark.timeout_seconds:.0f} s",
                      "wall_seconds": time.time() - started}
    status: dict[str, Any] = {"command": " ".join(command[1:]), "wall_seconds": round(time.time() - started, 1)}
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        return None, status | {"status": "failed", "reason": f"exit {done.returncode}: {tail}"}
    try:
        document = parse_document(done.stdout)
    except ValueError as error:
        return None, status | {"status": "failed", "reason": str(error)}
    return document, status | {"status": "measured", "results_file": results_file(benchmark.name, document, started)}


async def _postgresql_version() -> str:
    connection = await asyncpg.connect(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:55432/postgres"))
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


def kafka_version() -> str:
    """The broker's version from its jars when it runs locally (the Kafka protocol does not say)."""
    libs = Path(os.environ.get("AP_KAFKA_LIBS") or Path(os.environ.get(
        "AP_STATE_DIR", Path.home() / ".cache" / "ap-platform")) / "kafka" / "libs")
    for jar in sorted(libs.glob("kafka-server-[0-9]*.jar")):
        return jar.stem.removeprefix("kafka-server-") + " (local broker's jars)"
    return "unknown (not a local broker)"


def machine() -> dict[str, Any]:
    try:
        postgresql = asyncio.run(_postgresql_version())
    except (OSError, asyncpg.PostgresError) as error:
        postgresql = f"unknown ({error})"
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "postgresql": postgresql,
            "kafka": kafka_version(), "system": f"{platform.system()} {platform.release()} {platform.machine()}",
            "load_average_at_start": [round(v, 2) for v in os.getloadavg()]}


def main(quick: bool, repeats: int, only: list[str] | None) -> tuple[dict[str, Any], bool]:
    """Run the benchmarks; (the summary, whether every available one succeeded)."""
    at = datetime.now(UTC)
    summary: dict[str, Any] = {"benchmark": "summary", "at": at.isoformat(timespec="seconds"),
                               "mode": "quick smoke check" if quick else "full", "repeats": 1 if quick else repeats,
                               "machine": machine(), "benchmarks": {}}
    documents: dict[str, dict[str, Any] | None] = {}
    started = time.time()
    for benchmark in BENCHMARKS:
        if only and benchmark.name not in only:
            continue
        documents[benchmark.name], summary["benchmarks"][benchmark.name] = run_benchmark(benchmark, quick, repeats)
    summary["rows"] = rows(documents)
    summary["wall_seconds"] = round(time.time() - started, 1)
    summary["machine"]["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"summary-{at:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    summary["summary_file"] = str(path.relative_to(ROOT))
    return summary, all(s["status"] != "failed" for s in summary["benchmarks"].values())


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1",
                        help="one repeat of small sizes: a smoke check, not figures to publish")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHMARKS])
    args = parser.parse_args()
    if args.repeats < 3:
        parser.error("--repeats must be at least 3: the figures are medians of the repeats (--quick for a smoke check)")
    summary, succeeded = main(args.quick, args.repeats, args.only)
    print(render(summary))
    print(f"\nsummary: {summary['summary_file']} ({summary['wall_seconds']:.0f} s)")
    if not succeeded:
        sys.exit(1)


if __name__ == "__main__":
    cli()
