"""A rebuild's catch-up worker starts with the cyclic collector off (``ap_runtime.rebuild_worker``, issue 11):
importing the platform sets off no young or middle collection (with the collector on, about 180), and the
worker's command is ``ap projections catch-up``'s."""

from __future__ import annotations

import subprocess  # nosec B404 - runs this interpreter on a fixed script
import sys

import pytest

pytestmark = pytest.mark.integration

# The worker's entry, asked for its catch-up command's help; counts the collections its imports set off.
_STARTED = """
import gc, sys
from ap_runtime.rebuild_worker import main
collections = []
gc.callbacks.append(lambda phase, info: collections.append(info["generation"]) if phase == "start" else None)
sys.argv = ["rebuild_worker", "catch-up", "--help"]
try:
    main()
except SystemExit as exc:
    print("exit", exc.code)
young_or_middle = [g for g in collections if g < 2]
print("young or middle", len(young_or_middle), "imported", "ap_runtime.projection.runner" in sys.modules)
"""


def test_the_worker_imports_the_catch_up_command_without_a_collection() -> None:
    done = subprocess.run([sys.executable, "-c", _STARTED], capture_output=True, text=True, timeout=120,
                          check=False)  # nosec B603 - fixed argument list
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert "--until" in done.stdout and "--schema" in done.stdout  # the catch-up command's own options
    assert lines[-2:] == ["exit 0", "young or middle 0 imported True"]
