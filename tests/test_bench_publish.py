"""Every benchmark publishes its document one way (``bench.publish``), where ``make bench`` finds it.

Rule served: issue 11's table is built from the files the benchmarks write; issue 10, copies: the
writing of a benchmark's result is declared once instead of in each benchmark's command line.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bench import publish, run


def test_a_published_document_is_the_file_the_runner_finds_with_its_wall_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(publish, "RESULTS", tmp_path / "results")
    monkeypatch.setattr(run, "RESULTS", tmp_path / "results")
    monkeypatch.setattr(run, "ROOT", tmp_path)
    document = {"benchmark": "write_path", "at": "2026-12-05T14:33:05", "median": {"events_per_second": 9.5}}

    path = publish.publish("write_path", dict(document), started=time.time() - 2)

    written = json.loads(path.read_text())
    assert written["wall_seconds"] >= 2
    assert {k: v for k, v in written.items() if k != "wall_seconds"} == document
    assert run.results_file("write_path", document, since=0) == str(path.relative_to(tmp_path))
    assert json.loads(capsys.readouterr().out) == written


def test_without_a_start_the_document_is_published_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(publish, "RESULTS", tmp_path)
    document = {"benchmark": "privacy_codec", "at": "2026-12-05T14:33:05"}

    path = publish.publish("privacy_codec", dict(document))

    assert path.name.startswith("privacy_codec-") and path.suffix == ".json"
    assert json.loads(path.read_text()) == document
    capsys.readouterr()
