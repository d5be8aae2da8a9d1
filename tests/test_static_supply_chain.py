"""Static guarantees CI checks on every run: pinned, hashed dependencies and a clean security lint."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


RUNTIME_LOCK = "requirements.lock"
DEVELOPMENT_LOCK = "requirements-dev.lock"
# Security-linted like the shipped code: the test support and the demos moved out of the packages (issue 10).
LINTED = ("contracts", "runtime", "services", "testing", "demo")
# Development tools and test frameworks: the development lock has them, the runtime lock (the image) never.
DEVELOPMENT_ONLY = ("pytest", "pytest-asyncio", "hypothesis", "schemathesis", "testcontainers", "mypy", "ruff",
                    "bandit")


def locked(name: str) -> dict[str, str]:
    """Each requirement of a lock file, by normalised package name, to its whole entry (pin and hashes)."""
    entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / name).read_text())
    requirements = [e for e in entries if e.strip() and not e.startswith("#")]
    return {re.split(r"[=\[]", e, maxsplit=1)[0].lower().replace("_", "-"): e for e in requirements}


def pins(name: str) -> dict[str, str]:
    return {package: entry.splitlines()[0].split("==")[1].split()[0] for package, entry in locked(name).items()}


@pytest.mark.parametrize(("name", "at_least"), [(RUNTIME_LOCK, 30), (DEVELOPMENT_LOCK, 50)])
def test_every_locked_requirement_is_pinned_with_a_hash(name: str, at_least: int) -> None:
    requirements = locked(name)
    assert len(requirements) > at_least
    for entry in requirements.values():
        first = entry.splitlines()[0]
        assert re.match(r"^[A-Za-z0-9_.\-\[\]]+==\S+", first), f"not pinned: {first}"
        assert "--hash=sha256:" in entry, f"no hash: {first}"


def test_the_runtime_lock_holds_no_development_tool_and_the_development_lock_holds_them_all() -> None:
    runtime, development = locked(RUNTIME_LOCK), locked(DEVELOPMENT_LOCK)
    assert [tool for tool in DEVELOPMENT_ONLY if tool in runtime] == []
    assert [tool for tool in DEVELOPMENT_ONLY if tool not in development] == []


def test_both_locks_pin_every_shared_package_to_the_same_version_and_hashes() -> None:
    runtime, development = locked(RUNTIME_LOCK), locked(DEVELOPMENT_LOCK)
    assert set(runtime) <= set(development), "the development lock installs everything the runtime needs"
    hashes = {name: sorted(re.findall(r"--hash=sha256:[0-9a-f]{64}", entry)) for name, entry in runtime.items()}
    assert {name: pins(DEVELOPMENT_LOCK)[name] for name in runtime} == pins(RUNTIME_LOCK)
    assert {name: sorted(re.findall(r"--hash=sha256:[0-9a-f]{64}", development[name])) for name in runtime} == hashes


def test_the_image_installs_the_runtime_lock_only() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    installs = [line for line in dockerfile.splitlines() if "pip install" in line and "-r " in line]
    assert installs == ["RUN pip install --require-hashes --no-deps -r requirements.lock"]
    assert DEVELOPMENT_LOCK not in dockerfile


def test_make_install_installs_both_locks_by_hash() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert f"--require-hashes -r {RUNTIME_LOCK} -r {DEVELOPMENT_LOCK}" in makefile


def test_make_install_compiles_bytecode_as_the_image_does() -> None:
    """Installed libraries come with their bytecode, in the development environment as in the image.

    pip compiles what it installs (the image); uv does not unless told, and where PYTHONDONTWRITEBYTECODE is set
    nothing compiled at import is kept, so each process compiled its libraries again at every start (issue 11:
    0.7 s of CPU for each of a rebuild's catch-up workers before its first event).
    """
    uv = [line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("UV :=")]
    assert len(uv) == 1 and "--compile-bytecode" in uv[0].split(), uv
    assert "--no-compile" not in (ROOT / "deploy" / "Dockerfile").read_text()


@pytest.mark.integration  # runs a real program in a subprocess: not a unit test (ap_testing.levels)
def test_bandit_finds_nothing_unexplained() -> None:
    """Every suppression in the code carries its reason next to a `# nosec` marker."""
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-c", "pyproject.toml", "-r", *LINTED, "-x", "*/tests/*", "-f", "txt"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for file in (path for folder in LINTED for path in (ROOT / folder).rglob("*.py")):
        for line in file.read_text().splitlines():
            if "# nosec" in line:
                reason = re.search(r"# nosec(?: B\d+(?:,\s*B\d+)*)?\s*[-#]\s*(.+)$", line)
                assert reason and len(reason.group(1).split()) >= 3, f"unexplained nosec in {file}: {line.strip()}"


@pytest.mark.integration  # runs a real program in a subprocess: not a unit test (ap_testing.levels)
def test_ruff_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout[-4000:]
