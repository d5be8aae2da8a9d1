"""The table ``make bench`` prints: every figure of issue 11 with its comparison, ratio and target.

``rows(documents)`` turns the benchmarks' JSON documents (keyed by benchmark name; a benchmark that
failed or is absent has ``status`` and ``reason`` instead of figures) into rows of text; ``render``
lays a summary (machine, date, rows, benchmark statuses) out as a Markdown table a person can read
in a terminal and paste into the README. A figure a document lacks reads ``not measured``: the table
never invents a number, and ``met?`` is ``yes`` or ``no`` only where a measured figure meets a target.

    python -m bench.report bench/results/summary-<timestamp>.json     (that run's table again, its rows
                                                                       made anew from the files it names)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

Document = Mapping[str, Any]
Row = dict[str, str]
COLUMNS = (("figure", "figure"), ("ours", "ours"), ("other", "baseline / peer"), ("ratio", "ratio"),
           ("target", "target"), ("met", "met?"))
NOT_MEASURED = "not measured"
REBUILD_EVENTS_TARGET = 1_000_000

PEER_WORKLOADS = (
    ("one_event_1_client", "one-event saves, 1 client"),
    ("one_event_16_clients", "one-event saves, 16 clients"),
    ("ten_events_1_client", "ten-event saves, 1 client"),
    ("ten_events_16_clients", "ten-event saves, 16 clients"),
)


def figure(document: Document | None, *path: str) -> float | None:
    """The number at ``path`` in ``document``, or None when the benchmark did not measure it."""
    value: Any = document
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return NOT_MEASURED
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return f"{text}{unit}"


def count(value: float | None) -> str:
    """A number of things (processes, workers): a whole number."""
    return NOT_MEASURED if value is None else f"{value:.0f}"


def ratio(ours: float | None, other: float | None) -> float | None:
    return None if ours is None or other is None or other == 0 else ours / other


def ratio_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def verdict(value: float | None, meets: Callable[[float], bool]) -> str:
    if value is None:
        return "—"
    return "yes" if meets(value) else "no"


def row(name: str, ours: str, other: str = "—", ratio_of: float | None = None, target: str = "—",
        met: str = "—") -> Row:
    return {"figure": name, "ours": ours, "other": other, "ratio": ratio_text(ratio_of), "target": target,
            "met": met}


def _ingest_rows(ingest: Document | None, peer: Document | None) -> Iterator[Row]:
    median = (ingest or {}).get("median", {})
    http = figure(median, "http", "commands_per_second")
    base = figure(median, "baseline", "commands_per_second")
    peer_16 = figure(peer, "median", "one_event_16_clients", "peer", "saves_per_second")
    yield row("HTTP command path, 16 clients, one event each (commands/s)", number(http, "/s"),
              f"raw EventStore.append {number(base, '/s')}", ratio(http, base), "≥ 1,000/s",
              verdict(http, lambda v: v >= 1000))
    yield row("HTTP command path vs pyeventsourcing one-event saves, 16 clients (/s)", number(http, "/s"),
              f"peer {number(peer_16, '/s')}", ratio(http, peer_16), "≥ 1x the peer",
              verdict(ratio(http, peer_16), lambda v: v >= 1))
    open_p99 = figure(median, "http_open", "p99_ms")
    open_rate = figure(ingest, "parameters", "http_open_rate_per_second")
    yield row(f"HTTP p99 at {number(open_rate, '/s')} offered, open loop", number(open_p99, " ms"),
              target="< 25 ms at 200/s", met=verdict(open_p99, lambda v: v < 25 and open_rate == 200))
    paced_p50 = figure(median, "kafka_paced", "p50_ms")
    base_p50 = figure(median, "baseline", "p50_ms")
    paced_rate = figure(ingest, "parameters", "kafka_paced_rate_per_second")
    yield row(f"Kafka command p50 at {number(paced_rate, '/s')} offered", number(paced_p50, " ms"),
              f"raw append p50 {number(base_p50, ' ms')}", ratio(paced_p50, base_p50), "< 15 ms at 100/s",
              verdict(paced_p50, lambda v: v < 15 and paced_rate == 100))
    burst = figure(median, "kafka", "commands_per_second")
    burst_size = figure(ingest, "parameters", "kafka_burst_commands")
    yield row(f"Kafka burst of {number(burst_size)} commands drained (commands/s)", number(burst, "/s"),
              f"HTTP {number(http, '/s')}", ratio(burst, http), "≥ the HTTP rate, burst 20,000",
              verdict(ratio(burst, http), lambda v: v >= 1 and burst_size == 20_000))
    for name, label, process in (("http", "HTTP", "API"), ("kafka", "Kafka burst", "consumer")):
        own = figure(median, name, f"{process.lower()}_cpu_ms_per_command")
        database = figure(median, name, "db_cpu_ms_per_command")
        yield row(f"  … CPU per command, {label} ({process} + PostgreSQL)",
                  f"{number(own, ' ms')} + {number(database, ' ms')}")
    other = figure(median, "http_other_sizing", "commands_per_second")
    if other is not None:
        workers, headline_workers = (figure(median, "http_other_sizing", "api_instances"),
                                     figure(ingest, "parameters", "api_instances"))
        own, database = (figure(median, "http_other_sizing", f"{f}_cpu_ms_per_command") for f in ("api", "db"))
        yield row(f"  … HTTP on {count(workers)} API workers instead of {count(headline_workers)} (commands/s;"
                  " API + PostgreSQL CPU a command)", f"{number(other, '/s')} ({number(own, ' ms')} +"
                  f" {number(database, ' ms')})", f"{count(headline_workers)} worker(s) {number(http, '/s')}",
                  ratio(other, http))
    strict = "strict" in median or "strict" in (ingest or {}).get("runs", {})
    yield row("Strictness sample: audited, sealed, deduplicated", "asserted" if strict else NOT_MEASURED,
              target="asserted every repeat", met="yes" if strict else "—")


def _write_path_rows(write: Document | None) -> Iterator[Row]:
    median = (write or {}).get("median", {})
    ours = figure(median, "platform_throughput", "events_per_second")
    base = figure(median, "baseline_throughput", "events_per_second")
    yield row("Write path append → relay → Kafka → read model (events/s)", number(ours, "/s"),
              f"hand-written {number(base, '/s')}", ratio(ours, base), "≥ 0.9x baseline",
              verdict(ratio(ours, base), lambda v: v >= 0.9))
    ours_p99 = figure(median, "platform_paced", "p99_ms")
    base_p99 = figure(median, "baseline_paced", "p99_ms")
    yield row("Write path p99 at 1,000 events/s offered", number(ours_p99, " ms"),
              f"hand-written {number(base_p99, ' ms')}", ratio(ours_p99, base_p99), "≤ 1.2x baseline",
              verdict(ratio(ours_p99, base_p99), lambda v: v <= 1.2))


def _rebuild_rows(rebuild: Document | None) -> Iterator[Row]:
    rate = figure(rebuild, "median_events_per_second")
    if rate is None:
        rate = figure(rebuild, "median", "events_per_second")
    events = figure(rebuild, "parameters", "events")
    met = verdict(rate, lambda v: v >= 50_000)
    if rate is not None and (events or 0) < REBUILD_EVENTS_TARGET:
        met = f"n/a: {number(events)} events"
    yield row(f"Projection rebuild into a new generation, {number(events)} events (events/s)",
              number(rate, "/s"), target="≥ 50,000/s over 1,000,000", met=met)


def _reports_rows(reports: Document | None) -> Iterator[Row]:
    """Issue 15: each reporting projection's rebuild, then the reports built from the read models."""
    median = (reports or {}).get("median", {})
    events = figure(reports, "parameters", "events")
    for name in ("reporting_facts", "reporting_exclusion_reasons"):
        yield row(f"Rebuild of {name}, {number(events)} events (events/s)",
                  number(figure(median, f"{name}_events_per_second"), "/s"))
    yield row("LA annual report from the read models", number(figure(median, "la_annual_ms"), " ms"))
    yield row("Exclusions strategy tables from the read models", number(figure(median, "strategy_tables_ms"), " ms"))


def _peer_rows(peer: Document | None) -> Iterator[Row]:
    median = (peer or {}).get("median", {})
    for key, label in PEER_WORKLOADS:
        ours = figure(median, key, "ours", "saves_per_second")
        theirs = figure(median, key, "peer", "saves_per_second")
        way = median.get(key, {}).get("peer", {}).get("clients_as") if isinstance(median.get(key), Mapping) else None
        how = f" ({way})" if isinstance(way, str) and "16" in key else ""
        yield row(f"Raw EventStore.append vs pyeventsourcing, {label} (saves/s)", number(ours, "/s"),
                  f"peer {number(theirs, '/s')}{how}", ratio(ours, theirs), "≥ 1x the peer",
                  verdict(ratio(ours, theirs), lambda v: v >= 1))
        latency = [figure(median, key, side, p) for side in ("ours", "peer") for p in ("p50_ms", "p99_ms")]
        yield row(f"  … p50 / p99 per save, {label} (ratio of the p99s)",
                  f"{number(latency[0], ' ms')} / {number(latency[1], ' ms')}",
                  f"peer {number(latency[2], ' ms')} / {number(latency[3], ' ms')}",
                  ratio(latency[1], latency[3]))


def _alerts_rows(alerts: Document | None) -> Iterator[Row]:
    ours = figure(alerts, "median_alerting_events_per_second")
    bare = figure(alerts, "median_baseline_events_per_second")
    events = figure(alerts, "parameters", "events")
    yield row(f"Alert projection over a backlog of {number(events)} events (events judged/s)", number(ours, "/s"),
              f"bare runner {number(bare, '/s')}", ratio(ours, bare))
    rate = figure(alerts, "parameters", "rate")
    yield row(f"  … absence recorded to message handed to SMTP at {number(rate)}/s, p99",
              number(figure(alerts, "median_p99_ms"), " ms"))


def _codec_rows(codec: Document | None) -> Iterator[Row]:
    median = (codec or {}).get("median", {})
    base = figure(median, "baseline_fields_per_second")
    for key, label in (("seal_warm", "sealing, keys cached"), ("reveal_warm", "revealing, keys cached"),
                       ("seal_cold", "sealing, every pupil new")):
        ours = figure(median, f"{key}_fields_per_second")
        yield row(f"Personal-field {label} (fields/s)", number(ours, "/s"), f"bare AES-GCM {number(base, '/s')}",
                  ratio(ours, base))


def rows(documents: Mapping[str, Document | None]) -> list[Row]:
    """The table's rows for the benchmarks of one run (a name with ``None``: it ran and measured nothing).

    A benchmark left out of the run (``--only``) has no rows; one that failed has its rows, not measured.
    """
    peer = documents.get("peer_eventsourcing")
    groups: list[tuple[str, Callable[[], Iterator[Row]]]] = [
        ("incidents_ingest", lambda: _ingest_rows(documents["incidents_ingest"], peer)),
        ("write_path", lambda: _write_path_rows(documents["write_path"])),
        ("rebuild", lambda: _rebuild_rows(documents["rebuild"])),
        ("peer_eventsourcing", lambda: _peer_rows(peer)),
        ("privacy_codec", lambda: _codec_rows(documents["privacy_codec"])),
        ("alerts", lambda: _alerts_rows(documents["alerts"])),
        ("reports", lambda: _reports_rows(documents["reports"])),
    ]
    return [r for name, group in groups if name in documents for r in group()]


def table(table_rows: list[Row]) -> str:
    widths = {key: max(len(title), *(len(r[key]) for r in table_rows)) for key, title in COLUMNS}
    lines = ["| " + " | ".join(title.ljust(widths[key]) for key, title in COLUMNS) + " |",
             "|" + "|".join("-" * (widths[key] + 2) for key, _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(r[key].ljust(widths[key]) for key, _ in COLUMNS) + " |" for r in table_rows]
    return "\n".join(lines)


def render(summary: Document) -> str:
    """The whole printout: what ran where and when, the table, then each benchmark's status and file."""
    machine = summary.get("machine", {})
    head = [
        f"make bench, {summary.get('at', '?')} ({summary.get('mode', '?')}: "
        f"medians of {summary.get('repeats', '?')} repeat(s), ratios within this run)",
        f"machine: {machine.get('cpus', '?')} cpus, Python {machine.get('python', '?')}, "
        f"PostgreSQL {machine.get('postgresql', '?')}, Kafka {machine.get('kafka', '?')}, "
        f"{machine.get('system', '?')}; load average at start {machine.get('load_average_at_start', '?')}",
        "",
    ]
    statuses = ["", "benchmarks:"]
    for name, status in summary.get("benchmarks", {}).items():
        where = status.get("results_file") or status.get("reason", "")
        seconds = status.get("wall_seconds")
        took = f", {seconds:.0f} s" if isinstance(seconds, int | float) else ""
        statuses.append(f"  {name}: {status.get('status', '?')}{took}  {where}")
    return "\n".join([*head, table(list(summary.get("rows", []))), *statuses])


def rerendered(summary: dict[str, Any], root: Path) -> dict[str, Any]:
    """``summary`` with its rows made again from the results files it names (a newer table's rows)."""
    documents: dict[str, Document | None] = {}
    for name, status in summary.get("benchmarks", {}).items():
        path = status.get("results_file")
        documents[name] = json.loads((root / path).read_text()) if path and (root / path).exists() else None
    return summary | {"rows": rows(documents)}


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python -m bench.report bench/results/summary-<timestamp>.json")
    print(render(rerendered(json.loads(Path(sys.argv[1]).read_text()), Path(__file__).resolve().parent.parent)))


if __name__ == "__main__":
    main()
