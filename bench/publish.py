"""Where a benchmark's JSON document goes: ``bench/results/<name>-<UTC time>.json``, and standard output.

Every benchmark publishes its document the same way, so that ``bench.run`` finds the file a run wrote
(``run.results_file`` globs ``<name>-*.json``) and ``bench.report`` reads it.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def publish(name: str, result: dict[str, Any], started: float | None = None) -> Path:
    """Write ``result`` to a new file under ``RESULTS`` and print it; with ``started`` (a ``time.time()``
    taken before the run) the document first records the run's wall time in ``wall_seconds``."""
    if started is not None:
        result["wall_seconds"] = round(time.time() - started, 1)
    text = json.dumps(result, indent=2)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(text + "\n")
    print(text)
    return path
