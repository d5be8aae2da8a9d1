"""The notifications service on its own databases, with the environment a check process (``overdue_check``,
``transfer_check``, ``escalation_check``, ``digest_check``) needs to run on the same databases.

The overdue, transfer, escalation and digest tests each built this by hand (keys, databases, outbox, environment),
and each ran its check process by hand too (``run_check_process``, ``check_succeeds``).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.entrypoints.bootstrap import NotificationServices, open_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_testing.privacy import master_keys_env, random_ring


@asynccontextmanager
async def services_with_check_env(new_database: Callable[[str], Awaitable[str]], kafka_bootstrap: str,
                                  outbox: Path, name: str, *, extra_env: Mapping[str, str] | None = None,
                                  **open_options: Any) -> AsyncIterator[tuple[NotificationServices, dict[str, str]]]:
    """Services delivering to ``outbox`` on databases ``<name>_keys`` and ``<name>_notif`` (``open_options`` go to
    ``open_services``: a clock, a schedule), and the environment of a check process on the same databases."""
    key_id = f"mk-{name}"
    ring, raw = random_ring(key_id)
    keys_dsn, dsn = await new_database(f"{name}_keys"), await new_database(f"{name}_notif")
    keys = await KeyStore.open(keys_dsn, ring, cache_ttl_seconds=0)
    settings = NotificationSettings(dsn=dsn, kafka_bootstrap=kafka_bootstrap, outbox_dir=outbox)
    services = await open_services(settings, codec=PersonalDataCodec(keys), delivery=FileOutbox(outbox),
                                   **open_options)
    env = {"AP_DSN_AP_NOTIFICATIONS": dsn, "AP_DSN_AP_KEYS": keys_dsn, "AP_KEY_CACHE_TTL_SECONDS": "0",
           "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_NOTIFY_OUTBOX_DIR": str(outbox), "AP_LOG_LEVEL": "WARNING",
           **master_keys_env(raw, key_id), **(extra_env or {})}
    try:
        yield services, env
    finally:
        await services.close()
        await keys.close()


async def run_check_process(check: str, env: Mapping[str, str], *arguments: str) -> tuple[int, str]:
    """A scheduled check as its CronJob runs it, in a process of its own (``python -m
    ap_notifications.entrypoints.<check> <arguments>``) on the environment ``env``: its exit code and output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", f"ap_notifications.entrypoints.{check}", *arguments,
        env={**os.environ, **env}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await process.communicate()
    return int(process.returncode or 0), out.decode()


async def check_succeeds(check: str, env: Mapping[str, str], *arguments: str) -> str:
    """``run_check_process`` that must finish cleanly; what it printed."""
    code, out = await run_check_process(check, env, *arguments)
    assert code == 0, out
    return out
