"""``make bench``'s table: every figure of issue 11 rendered from the benchmarks' documents, none invented.

Rule served: issue 11's "What it must show" — the table a person reads names the figure, ours, the
baseline or peer, the ratio, the target and whether it is met; a benchmark that did not run shows
"not measured", never a number or a "yes".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import run
from bench.report import NOT_MEASURED, render, rerendered, rows
from bench.run import BENCHMARKS, parse_document


def _documents() -> dict[str, Any]:
    return {
        "incidents_ingest": {
            "parameters": {"http_open_rate_per_second": 200.0, "kafka_paced_rate_per_second": 100.0,
                           "kafka_burst_commands": 20_000},
            "median": {"http": {"commands_per_second": 1250.0, "p50_ms": 9.0, "p99_ms": 30.0,
                                "api_cpu_ms_per_command": 0.9, "db_cpu_ms_per_command": 0.45},
                       "http_open": {"p50_ms": 8.0, "p99_ms": 31.5},
                       "kafka": {"commands_per_second": 1500.0},
                       "kafka_paced": {"p50_ms": 12.0, "p99_ms": 20.0},
                       "baseline": {"commands_per_second": 2500.0, "p50_ms": 6.0, "p99_ms": 15.0}},
            "runs": {"strict": [{"sampled": 30}]},
        },
        "write_path": {"median": {"platform_throughput": {"events_per_second": 9500.0},
                                  "baseline_throughput": {"events_per_second": 10000.0},
                                  "platform_paced": {"p99_ms": 30.0}, "baseline_paced": {"p99_ms": 20.0}}},
        "rebuild": None,
        "peer_eventsourcing": {"median": {"one_event_16_clients": {
            "ours": {"saves_per_second": 1500.0, "p50_ms": 8.0, "p99_ms": 40.0},
            "peer": {"saves_per_second": 750.0, "p50_ms": 20.0, "p99_ms": 25.0, "clients_as": "threads"}}}},
    }


def _row(table: list[dict[str, str]], starts: str) -> dict[str, str]:
    matching = [r for r in table if r["figure"].startswith(starts)]
    assert len(matching) == 1, f"one row starting {starts!r}, found {[r['figure'] for r in table]}"
    return matching[0]


def test_rows_put_each_figure_beside_its_comparison_ratio_and_target() -> None:
    table = rows(_documents())

    http = _row(table, "HTTP command path, 16 clients")
    assert (http["ours"], http["other"], http["ratio"], http["met"]) == (
        "1,250/s", "raw EventStore.append 2,500/s", "0.50x", "yes")
    against_peer = _row(table, "HTTP command path vs pyeventsourcing")
    assert (against_peer["other"], against_peer["ratio"], against_peer["met"]) == ("peer 750/s", "1.67x", "yes")
    open_loop = _row(table, "HTTP p99 at 200/s offered")
    assert (open_loop["ours"], open_loop["met"]) == ("31.5 ms", "no")
    assert _row(table, "Kafka command p50 at 100/s")["met"] == "yes"
    burst = _row(table, "Kafka burst of 20,000 commands")
    assert (burst["ratio"], burst["met"]) == ("1.20x", "yes")
    assert _row(table, "  … CPU per command, HTTP")["ours"] == "0.90 ms + 0.45 ms"
    assert _row(table, "  … CPU per command, Kafka burst")["ours"] == f"{NOT_MEASURED} + {NOT_MEASURED}"
    assert _row(table, "Strictness sample")["ours"] == "asserted"

    throughput = _row(table, "Write path append")
    assert (throughput["ratio"], throughput["met"]) == ("0.95x", "yes")
    p99 = _row(table, "Write path p99")
    assert (p99["ratio"], p99["met"]) == ("1.50x", "no")

    peer = _row(table, "Raw EventStore.append vs pyeventsourcing, one-event saves, 16 clients")
    assert (peer["ours"], peer["other"], peer["ratio"], peer["met"]) == (
        "1,500/s", "peer 750/s (threads)", "2.00x", "yes")
    latency = _row(table, "  … p50 / p99 per save, one-event saves, 16 clients (ratio of the p99s)")
    assert (latency["ours"], latency["other"], latency["ratio"]) == ("8.00 ms / 40.0 ms", "peer 20.0 ms / 25.0 ms",
                                                                     "1.60x")


def test_the_http_closed_loop_on_another_number_of_workers_reads_beside_the_headline() -> None:
    """The API's sizing is a choice the table shows: the same closed loop on the other worker count, its CPU a
    command and its ratio to the headline figure; a document without it has no such row."""
    documents = _documents()
    ingest = documents["incidents_ingest"]
    ingest["parameters"]["api_instances"] = 1
    ingest["median"]["http_other_sizing"] = {"commands_per_second": 1000.0, "api_instances": 2.0,
                                             "api_cpu_ms_per_command": 1.2, "db_cpu_ms_per_command": 0.7}
    other = _row(rows(documents), "  … HTTP on 2 API workers instead of 1")
    assert (other["ours"], other["other"], other["ratio"], other["met"]) == (
        "1,000/s (1.20 ms + 0.70 ms)", "1 worker(s) 1,250/s", "0.80x", "—")
    assert not [r for r in rows(_documents()) if r["figure"].startswith("  … HTTP on")]


def test_a_benchmark_that_failed_reads_not_measured_and_meets_nothing() -> None:
    table = rows(_documents())

    rebuild = _row(table, "Projection rebuild")
    assert (rebuild["ours"], rebuild["met"]) == (NOT_MEASURED, "—")
    one_client = _row(table, "Raw EventStore.append vs pyeventsourcing, one-event saves, 1 client")
    assert (one_client["ours"], one_client["met"]) == (NOT_MEASURED, "—")


def test_a_benchmark_left_out_of_the_run_has_no_rows() -> None:
    only_the_peer = {"peer_eventsourcing": _documents()["peer_eventsourcing"]}

    table = rows(only_the_peer)

    assert {r["figure"].split(",")[0] for r in table} == {
        "Raw EventStore.append vs pyeventsourcing", "  … p50 / p99 per save"}
    assert not [r for r in rows(_documents()) if r["figure"].startswith("Personal-field")]


def test_a_rebuild_over_fewer_events_than_the_target_names_its_size_instead_of_a_verdict() -> None:
    documents = _documents() | {"rebuild": {"median_events_per_second": 80_000.0, "parameters": {"events": 20_000}}}

    rebuild = _row(rows(documents), "Projection rebuild")

    assert (rebuild["ours"], rebuild["met"]) == ("80,000/s", "n/a: 20,000 events")


def test_render_lays_out_machine_date_table_and_each_benchmarks_status() -> None:
    summary: dict[str, Any] = {
        "at": "2026-12-05T15:00:00+00:00", "mode": "full", "repeats": 3,
        "machine": {"cpus": 2, "python": "3.11.7", "postgresql": "15.18", "kafka": "4.1.1",
                    "system": "Linux", "load_average_at_start": [0.5, 0.4, 0.3]},
        "rows": rows(_documents()),
        "benchmarks": {"write_path": {"status": "measured", "wall_seconds": 75.2,
                                      "results_file": "bench/results/write_path-x.json"},
                       "rebuild": {"status": "not available", "reason": "bench.rebuild is not in this tree"}},
    }

    text = render(summary)
    lines = text.splitlines()

    assert lines[0].startswith("make bench, 2026-12-05T15:00:00+00:00 (full: medians of 3 repeat(s)")
    assert "2 cpus, Python 3.11.7, PostgreSQL 15.18, Kafka 4.1.1" in lines[1]
    header = next(line for line in lines if line.startswith("| figure"))
    assert [c.strip() for c in header.strip("|").split("|")] == [
        "figure", "ours", "baseline / peer", "ratio", "target", "met?"]
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + len(summary["rows"])
    assert len({len(line) for line in table}) == 1, "the columns line up"
    assert "  write_path: measured, 75 s  bench/results/write_path-x.json" in lines
    assert "  rebuild: not available  bench.rebuild is not in this tree" in lines


def test_the_runner_reads_the_document_a_benchmark_prints_after_its_log_lines() -> None:
    printed = 'starting\n{"level": "info"}\n{\n  "benchmark": "write_path",\n  "median": {"x": 1}\n}\n'

    assert parse_document(printed) == {"benchmark": "write_path", "median": {"x": 1}}
    with pytest.raises(ValueError, match="no JSON document"):
        parse_document('{"level": "info"}\n')


def test_make_bench_runs_every_benchmark_with_three_repeats_and_quick_with_one() -> None:
    assert {b.name for b in BENCHMARKS} == {
        "incidents_ingest", "write_path", "rebuild", "peer_eventsourcing", "privacy_codec", "alerts", "reports"}
    for benchmark in BENCHMARKS:
        full = benchmark.arguments(quick=False, repeats=3)
        assert full[-2:] == ["--repeats", "3"], benchmark.name
        assert benchmark.arguments(quick=True, repeats=3)[-2:] == ["--repeats", "1"], benchmark.name


def test_the_summary_names_the_file_of_this_runs_document_not_another_helpers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(run, "RESULTS", tmp_path)
    monkeypatch.setattr(run, "ROOT", tmp_path.parent)
    ours = tmp_path / "write_path-20261205T143305Z.json"
    ours.write_text('{"benchmark": "write_path", "at": "2026-12-05T14:33:05"}')
    (tmp_path / "write_path-20261205T143514Z.json").write_text(
        '{"benchmark": "write_path", "at": "2026-12-05T14:35:14"}')  # someone else's run, written later

    found = run.results_file("write_path", {"at": "2026-12-05T14:33:05"}, since=0)

    assert found == f"{tmp_path.name}/{ours.name}"
    assert run.results_file("write_path", {"at": "2026-12-05T15:00:00"}, since=0) is None


def test_a_summary_printed_again_takes_its_rows_from_the_files_it_names(tmp_path: Path) -> None:
    (tmp_path / "peer.json").write_text(json.dumps(_documents()["peer_eventsourcing"]))
    summary = {"rows": [], "benchmarks": {"peer_eventsourcing": {"status": "measured", "results_file": "peer.json"},
                                          "rebuild": {"status": "failed", "reason": "exit 1"}}}

    again = rerendered(summary, tmp_path)

    assert again["rows"] == rows({"peer_eventsourcing": _documents()["peer_eventsourcing"], "rebuild": None})


def test_the_alerts_benchmark_reads_against_the_bare_runner_and_states_its_p99() -> None:
    document = {"benchmark": "alerts", "parameters": {"events": 100_000, "rate": 100},
                "median_alerting_events_per_second": 1500.0, "median_baseline_events_per_second": 6000.0,
                "median_p99_ms": 250.0}
    judged, latency = rows({"alerts": document})
    assert (judged["ours"], judged["other"], judged["ratio"]) == ("1,500/s", "bare runner 6,000/s", "0.25x")
    assert "100,000 events" in judged["figure"]
    assert ("100/s" in latency["figure"], latency["ours"]) == (True, "250 ms")


def test_the_reports_benchmark_shows_each_projection_s_rebuild_and_each_report_s_time() -> None:
    """Issue 15: the reporting rebuilds and the reports from the read models, one row each; none when it failed."""
    document = {"benchmark": "reports", "parameters": {"events": 200_000},
                "median": {"reporting_facts_events_per_second": 1824.1,
                           "reporting_exclusion_reasons_events_per_second": 6859.0,
                           "la_annual_ms": 40.07, "strategy_tables_ms": 43.28}}
    shown = {r["figure"]: r["ours"] for r in rows({"reports": document})}
    assert shown == {"Rebuild of reporting_facts, 200,000 events (events/s)": "1,824/s",
                     "Rebuild of reporting_exclusion_reasons, 200,000 events (events/s)": "6,859/s",
                     "LA annual report from the read models": "40.1 ms",
                     "Exclusions strategy tables from the read models": "43.3 ms"}
    assert {r["ours"] for r in rows({"reports": None})} == {NOT_MEASURED}
