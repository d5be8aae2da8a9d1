"""The incidents projection process runs with no key material (issue 9 follow-up, keys only where needed).

Rule served: master keys and the key store are given only to the processes that encrypt or decrypt personal
fields. The read models keep personal fields sealed, as the events carry them (the API opens them at read),
so ``python -m ap_incidents.entrypoints.projections`` needs neither the master keys nor the key store's
database role; ``docker-compose.yml`` and ``deploy/k8s/30-incidents.yaml`` give it none
(``tests/test_infra_compose.py``, ``tests/test_deploy_k8s.py``). Here the real process runs on exactly the
environment it is given there, minus any key, and builds both read models.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from ap_runtime.projection import read_model

from .conftest import ApiStory, ServiceUnderTest
from .read_model_search import tables_holding

pytestmark = pytest.mark.integration

PROJECTIONS = ("incidents_behaviour_log", "incidents_placement_register")
# What the process gets besides the servers: its topic, its read model database, the log level.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV", "DATABASE_URL")


def _keyless_environment(read_dsn: str, topic: str, bootstrap: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if name in PASSED_THROUGH or name.startswith(("AP_KAFKA_", "KAFKA_"))}
    env |= {"AP_INCIDENTS_READ_DSN": read_dsn, "AP_INCIDENTS_EVENTS_TOPIC": topic,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "AP_LOG_LEVEL": "WARNING"}
    held = sorted(name for name in env if "KEY" in name or name.startswith("AP_DSN_") or "AP_KEYS" in name)
    assert not held, f"the projection process is to run with no key material, yet holds {held}"
    return env


async def _processed(pool: asyncpg.Pool, name: str) -> int:
    try:
        async with read_model(pool, name) as conn:
            return int(await conn.fetchval("SELECT count(*) FROM processed_events"))
    except (LookupError, asyncpg.UndefinedTableError):
        return 0


async def test_the_projection_process_builds_its_read_models_with_no_key_material(
        api_story: ApiStory, service: ServiceUnderTest, new_database: Callable[[str], Any], tmp_path: Path) -> None:
    tag = uuid4().hex[:10]
    await api_story.ready_to_place(display_name=f"Keyless Reader {tag}")
    await api_story.ok(api_story.cmd.start_placement(), "commissioner")
    await api_story.incident(description=f"Threw a chair {tag}")
    await service.relay_to_head()
    total = int(await service.deps.events_pool.fetchval("SELECT count(*) FROM events"))

    read_dsn = await new_database("incidents_keyless_read")
    env = _keyless_environment(read_dsn, service.events_topic, service.bootstrap)
    log = (tmp_path / "projections.log").open("wb")
    process = await asyncio.create_subprocess_exec(  # nosec B603 - our own module, fixed argv
        sys.executable, "-m", "ap_incidents.entrypoints.projections", env=env, stdout=log,
        stderr=asyncio.subprocess.STDOUT)
    pool = await asyncpg.create_pool(read_dsn, min_size=1, max_size=2)
    try:
        deadline = time.monotonic() + 90
        while min([await _processed(pool, name) for name in PROJECTIONS]) < total:
            output = (tmp_path / "projections.log").read_text(errors="replace")
            assert process.returncode is None, f"the projection process exited ({process.returncode}):\n{output}"
            assert time.monotonic() < deadline, f"read models did not reach {total} events:\n{output}"
            await asyncio.sleep(0.2)
        async with read_model(pool, "incidents_behaviour_log") as conn:
            rows = await conn.fetch("SELECT event_type, personal FROM behaviour_log WHERE pupil_ref = $1",
                                    api_story.pupil_ref)
        assert "IncidentRecorded" in {row["event_type"] for row in rows}
        assert any(row["personal"] for row in rows), "the personal fields are kept, sealed"
        assert await tables_holding(pool, [tag]) == {}  # and nowhere in clear
    finally:
        await pool.close()
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()
        log.close()
