"""A relay process, leader or standby, touches its heartbeat file while it runs (issue 11, the
``deploy/`` bullet: the relays' Kubernetes liveness and readiness probes read it, ``ap_runtime.health``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from ap_runtime.health import check

from .conftest import Proc, wait_until

pytestmark = pytest.mark.integration


async def test_a_leading_and_a_standby_relay_process_both_keep_their_heartbeat_fresh(
    store_db: tuple[str, asyncpg.Pool], new_topic: Callable[[str], Any], kafka_bootstrap: str,
    processes: Callable[[list[str], dict[str, str]], Proc], tmp_path: Path,
) -> None:
    topic = await new_topic("relaybeat")
    dsn, _ = store_db
    args = ["-m", "ap_runtime.relay", "--service", "test", "--dsn", dsn, "--topic", topic]
    beats = [tmp_path / "leader" / "heartbeat", tmp_path / "standby" / "heartbeat"]
    relays = [processes(args, {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_LOG_LEVEL": "WARNING",
                               "AP_HEARTBEAT_FILE": str(beat)}) for beat in beats]
    await wait_until(lambda: all(beat.exists() for beat in beats) or not all(r.alive() for r in relays))
    assert all(r.alive() for r in relays)
    assert [check(beat, 30.0) for beat in beats] == [None, None]
