"""Static guarantees CI checks on every run: pinned, hashed dependencies and a clean security lint."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_locked_requirement_is_pinned_with_a_hash() -> None:
    text = (ROOT / "requirements.lock").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    requirements = [e for e in entries if e.strip() and not e.startswith("#")]
    assert len(requirements) > 50
    for entry in requirements:
        first = entry.splitlines()[0]
        assert re.match(r"^[A-Za-z0-9_.\-\[\]]+==\S+", first), f"not pinned: {first}"
        assert "--hash=sha256:" in entry, f"no hash: {first}"


@pytest.mark.integration  # runs a real program in a subprocess: not a unit test (ap_testing.levels)
def test_bandit_finds_nothing_unexplained() -> None:
    """Every suppression in the code carries its reason next to a `# nosec` marker."""
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-c", "pyproject.toml", "-r", "contracts", "runtime", "services",
         "-x", "*/tests/*", "-f", "txt"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for path in (ROOT / "contracts").rglob("*.py"), (ROOT / "runtime").rglob("*.py"), (ROOT / "services").rglob("*.py"):
        for file in path:
            for line in file.read_text().splitlines():
                if "# nosec" in line:
                    reason = re.search(r"# nosec(?: B\d+(?:,\s*B\d+)*)?\s*[-#]\s*(.+)$", line)
                    assert reason and len(reason.group(1).split()) >= 3, f"unexplained nosec in {file}: {line.strip()}"


@pytest.mark.integration  # runs a real program in a subprocess: not a unit test (ap_testing.levels)
def test_ruff_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout[-4000:]
