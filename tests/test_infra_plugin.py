"""The infrastructure plugin's own rules: integration skips fail the run, names are safe and unique."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ap_testing.infra import dsn_for_database, topic_name


def run_pytest(tmp_path: Path, source: str) -> tuple[int, str, dict[str, object]]:
    (tmp_path / "test_sample.py").write_text(source, encoding="utf-8")
    summary = tmp_path / "summary.json"
    env = os.environ | {"AP_TEST_SUMMARY_FILE": str(summary)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "ap_testing.infra",
            "-p",
            "no:cacheprovider",
            "-o",
            "markers=integration",
            "-q",
            str(tmp_path / "test_sample.py"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, json.loads(summary.read_text(encoding="utf-8"))


SAMPLE = """
import pytest

@pytest.mark.integration
def test_real():
    pass

@pytest.mark.integration
def test_broken():
    raise AssertionError("boom")

def test_unit_skip():
    pytest.skip("unit tests may skip")
"""


@pytest.mark.integration  # runs a real program in a subprocess: not a unit test (ap_testing.levels)
def test_counts_only_integration_tests_and_reports_them(tmp_path: Path) -> None:
    code, out, summary = run_pytest(tmp_path, SAMPLE)
    assert code == 1
    assert "integration tests: 1 passed, 1 failed, 0 skipped" in out
    assert summary == {"passed": 1, "failed": 1, "skipped": 0, "skipped_ids": []}


@pytest.mark.integration  # runs a real program in a subprocess: not a unit test (ap_testing.levels)
def test_a_skipped_integration_test_fails_an_otherwise_green_run(tmp_path: Path) -> None:
    code, out, summary = run_pytest(
        tmp_path,
        """
import pytest

@pytest.mark.integration
def test_real():
    pass

@pytest.mark.integration
def test_absent_server():
    pytest.skip("no server")

@pytest.mark.integration
@pytest.mark.xfail(reason="proves nothing")
def test_expected_failure():
    raise AssertionError
""",
    )
    assert code == 1
    assert "integration tests: 1 passed, 0 failed, 2 skipped" in out
    assert "SKIPPED (counts as a failure) test_sample.py::test_absent_server" in out
    assert summary["skipped"] == 2


@pytest.mark.integration  # runs a real program in a subprocess: not a unit test (ap_testing.levels)
def test_a_green_run_stays_green(tmp_path: Path) -> None:
    code, out, _ = run_pytest(tmp_path, "import pytest\n\n@pytest.mark.integration\ndef test_ok():\n    pass\n")
    assert code == 0
    assert "integration tests: 1 passed, 0 failed, 0 skipped" in out


def test_database_dsn_keeps_server_and_credentials() -> None:
    dsn = "postgresql://user:secret@db.local:5433/postgres?sslmode=disable"
    assert dsn_for_database(dsn, "test_x_1") == "postgresql://user:secret@db.local:5433/test_x_1?sslmode=disable"


def test_topic_names_are_sanitised() -> None:
    name = topic_name("Finance: Budget_Events!")
    assert name.startswith("test-finance-budget-events-")
    assert len(name) < 249
