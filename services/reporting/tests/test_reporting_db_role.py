"""The reporting pipeline does its normal work with each database reached through its own role.

Rule served: issue 9 "Audit, keys and roles": the reporting projection and API connect as
``ap_reporting`` (its own database only), the access audit as the append-only ``ap_audit`` role;
the incidents event store and the keys they read from are reached as ``ap_incidents`` and
``ap_keys`` (roles from ``ap_runtime.pg_roles``, as the deploy scripts make them). This module's
``reporting`` replaces the pipeline module's; the report tests imported below run unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from uuid import uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_reporting.entrypoints.api import ApiDeps, create_app
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.access import AccessGuard, AuditLog, TokenVerifier, open_audit_pool
from ap_runtime.access.keys import load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import EventStore, migrate
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.projection import ProjectionRunner
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay
from ap_testing.privacy import random_ring
from ap_testing.reporting.events import Pupil
from ap_testing.reporting.pipeline import append_each

from .test_reporting_pipeline import ACTOR, KEYS, story
from .test_reporting_pipeline import (
    test_each_report_is_only_for_its_audience as test_role_serves_each_report_to_its_audience_only,
)
from .test_reporting_pipeline import (
    test_the_partnership_report_is_suppressed_consistent_and_anonymous as test_role_builds_the_partnership_report,
)

pytestmark = pytest.mark.integration

__all__ = ["test_role_builds_the_partnership_report", "test_role_serves_each_report_to_its_audience_only"]
ROLE_POOLS: list[asyncpg.Pool] = []


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def reporting(new_role_databases: Callable[..., Awaitable[dict[str, str]]],
                    new_topic: Callable[..., Awaitable[str]],
                    kafka_bootstrap: str) -> AsyncIterator[tuple[httpx.AsyncClient, list[Pupil]]]:
    dsns = await new_role_databases("rpt_role", "ap_incidents", "ap_keys", "ap_reporting", "ap_audit")
    keys = await KeyStore.open(dsns["ap_keys"], random_ring()[0], cache_ttl_seconds=0)
    incidents_pool = await asyncpg.create_pool(dsns["ap_incidents"], min_size=2, max_size=6)
    await migrate(incidents_pool)
    pool = await asyncpg.create_pool(dsns["ap_reporting"], min_size=2, max_size=8)
    audit_pool = await open_audit_pool(dsns["ap_audit"])
    ROLE_POOLS[:] = [pool, audit_pool]
    topic = await new_topic("rpt-role-incidents")
    pupils, events = story()
    await append_each(EventStore(incidents_pool, PersonalDataCodec(keys)), events, ACTOR)
    stop = asyncio.Event()
    relay = asyncio.create_task(Relay(incidents_pool, kafka_bootstrap, "rpt-relay", topic_override=topic).run(stop))
    runner = ProjectionRunner(ReportingFactsProjection(topics=(topic,)), pool, kafka_bootstrap,
                              group_id=f"rpt-{uuid4().hex}")
    app = build_app([runner], kafka_bootstrap)
    broker = app.broker
    assert broker is not None
    try:
        async with broker:
            await runner.start()
            await broker.start()
            deadline = asyncio.get_running_loop().time() + 90
            while runner.applied < len(events):
                assert asyncio.get_running_loop().time() < deadline, f"applied {runner.applied}/{len(events)}"
                await asyncio.sleep(0.2)
            await runner.stop()
    finally:
        stop.set()
        await relay
    deps = ApiDeps(pool, AccessGuard(AuditLog(audit_pool)), TokenVerifier(load_public_key(KEYS.public_pem),
                                                                    audience=ServiceAudience.REPORTING))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)), base_url="http://t") as client:
        yield client, pupils
    for closing in (pool, audit_pool, incidents_pool):
        await closing.close()
    await keys.close()


@pytest.mark.asyncio(loop_scope="session")
async def test_reporting_signs_in_as_its_roles_not_the_superuser(
    reporting: tuple[httpx.AsyncClient, list[Pupil]],
) -> None:
    for pool, kind in zip(ROLE_POOLS, ("ap_reporting", "ap_audit"), strict=True):
        row = await pool.fetchrow("SELECT current_user AS role, rolsuper FROM pg_roles WHERE rolname = current_user")
        assert row is not None and row["role"].endswith(f"_{kind}") and not row["rolsuper"], row
    assert await ROLE_POOLS[1].fetchval("SELECT count(*) FROM access_audit") > 0
