"""The notifications service does its normal work as its own least-privilege PostgreSQL roles.

Rule served: issue 9 "Audit, keys and roles": notifications connects as ``ap_notifications`` (owner
of its own database only) and reaches the pupil keys as the ``ap_keys`` role, never as the
superuser (roles from ``ap_runtime.pg_roles``, as the deploy scripts make them). This module's
``notif`` replaces the conftest's; the handler tests imported below run unchanged against it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.entrypoints.bootstrap import NotificationServices, open_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_testing.privacy import random_ring

from .test_notifications_handlers_pg import (
    test_a_failed_delivery_is_recorded_and_a_later_dispatch_delivers_it as test_role_retries_a_failed_delivery,
)
from .test_notifications_handlers_pg import (
    test_the_worker_keeps_thresholds_over_time_and_alerts_once_per_event as test_role_runs_the_alert_worker,
)

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

__all__ = ["test_role_retries_a_failed_delivery", "test_role_runs_the_alert_worker"]


@pytest_asyncio.fixture(loop_scope="session")
async def notif(new_role_databases: Callable[..., Awaitable[dict[str, str]]], kafka_bootstrap: str,
                tmp_path: Path) -> AsyncIterator[NotificationServices]:
    """The conftest's service, on databases reached only through their least-privilege roles."""
    dsns = await new_role_databases("notif_role", "ap_notifications", "ap_keys")
    keys = await KeyStore.open(dsns["ap_keys"], random_ring()[0], cache_ttl_seconds=0)
    settings = NotificationSettings(dsn=dsns["ap_notifications"], kafka_bootstrap=kafka_bootstrap,
                                    outbox_dir=tmp_path / "outbox")
    services = await open_services(settings, codec=PersonalDataCodec(keys), delivery=FileOutbox(settings.outbox_dir))
    yield services
    await services.close()
    await keys.close()


async def test_the_service_signs_in_as_its_role_not_the_superuser(notif: NotificationServices) -> None:
    row = await notif.pool.fetchrow("SELECT current_user AS role, rolsuper FROM pg_roles WHERE rolname = current_user")
    assert row is not None and row["role"].endswith("_ap_notifications") and not row["rolsuper"], row
