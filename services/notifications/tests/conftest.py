"""Fixtures of the notifications tests: event builders, and the service on a fresh real database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.entrypoints.bootstrap import NotificationServices, open_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_testing.notifications.builders import Events
from ap_testing.privacy import random_ring


@pytest.fixture
def ev() -> Events:
    return Events()


@pytest_asyncio.fixture(loop_scope="session")
async def notif(new_database: Callable[[str], Awaitable[str]], kafka_bootstrap: str,
                tmp_path: Path) -> AsyncIterator[NotificationServices]:
    """The notifications service on its own database, a real key store and a file outbox."""
    keys = await KeyStore.open(await new_database("notif_keys"), random_ring()[0], cache_ttl_seconds=0)
    settings = NotificationSettings(dsn=await new_database("notif"), kafka_bootstrap=kafka_bootstrap,
                                    outbox_dir=tmp_path / "outbox")
    services = await open_services(settings, codec=PersonalDataCodec(keys), delivery=FileOutbox(settings.outbox_dir))
    yield services
    await services.close()
    await keys.close()


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"
