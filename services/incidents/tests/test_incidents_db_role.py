"""The incidents service does its normal work with each database reached through its own role.

Rule served: issue 9 "Audit, keys and roles": incidents connects to its event store and read models
as ``ap_incidents`` (its own database only), to the pupil keys as ``ap_keys`` and to the access audit
as the append-only ``ap_audit`` role, never as the superuser (roles from ``ap_runtime.pg_roles``, as
the deploy scripts make them). This module's ``service`` replaces the conftest's (same wiring, role
DSNs); the API and projection tests imported below run unchanged against it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio

from ap_incidents.projections import BehaviourLogProjection, PlacementRegisterProjection

from .conftest import RunningProjections, ServiceUnderTest, running_projections, serving_incidents
from .test_incidents_api_rules import (
    test_a_placement_needs_the_parent_consulted_first as test_role_refuses_a_placement_before_the_parent_is_consulted,
)
from .test_incidents_app_projections import (
    test_the_register_follows_a_reduced_timetable_and_its_withdrawn_review as test_role_builds_the_register,
)

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

__all__ = ["test_role_builds_the_register", "test_role_refuses_a_placement_before_the_parent_is_consulted"]


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def service(new_role_databases: Callable[..., Awaitable[dict[str, str]]], new_topic: Callable[..., Any],
                  kafka_bootstrap: str) -> AsyncIterator[ServiceUnderTest]:
    roles = await new_role_databases("inc_role", "ap_incidents", "ap_audit", "ap_keys")
    dsns = {"events": roles["ap_incidents"], "audit": roles["ap_audit"], "keys": roles["ap_keys"]}
    async with serving_incidents(dsns, await new_topic("incidents-role-events"), kafka_bootstrap) as under_test:
        yield under_test


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def projections(service: ServiceUnderTest) -> AsyncIterator[RunningProjections]:
    """The behaviour log and the placement register, on this module's service (its read pool: the incidents role)."""
    async with running_projections(service, (BehaviourLogProjection, PlacementRegisterProjection)) as running:
        yield running


async def test_incidents_signs_in_as_its_roles_not_the_superuser(service: ServiceUnderTest) -> None:
    pools = {"ap_incidents": service.deps.events_pool, "ap_audit": service.deps.audit_pool}
    for kind, pool in pools.items():
        row = await pool.fetchrow("SELECT current_user AS role, rolsuper FROM pg_roles WHERE rolname = current_user")
        assert row is not None and row["role"].endswith(f"_{kind}") and not row["rolsuper"], row
    assert await service.deps.audit_pool.fetchval("SELECT count(*) FROM access_audit") > 0
