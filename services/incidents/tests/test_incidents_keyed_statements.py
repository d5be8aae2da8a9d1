"""A command's token claim, catch-up read, append and access audit run on keyed pools, planned once a session.

Issue 11 (PostgreSQL CPU per command): PostgreSQL planned these statements afresh at every run, and planning the
claim and catch-up read took longer than running it. With ``keyed_statement_pool``s (``IncidentsDeps``'
``keyed_pool`` and ``keyed_audit_pool``, which every process opened from its settings has) each is planned once a
session, as index probes; what is stored is what the plain pools stored, and the audit chain verifies.
"""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from ap_incidents.entrypoints.api import create_app
from ap_runtime.access.audit_verify import verify as verify_chain
from ap_runtime.access.token_replay import TABLE
from ap_runtime.pg_pools import keyed_statement_pool

from .conftest import ApiStory, ServiceUnderTest

pytestmark = pytest.mark.integration

_PLANS = "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE $1"


async def test_a_commands_claim_read_append_and_audit_are_planned_once_on_keyed_pools(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    keyed = await keyed_statement_pool(service.dsns["events"], min_size=1, max_size=1)
    keyed_audit = await keyed_statement_pool(service.dsns["audit"], min_size=1, max_size=1)
    deps = dataclasses.replace(service.deps, keyed_pool=keyed, keyed_audit_pool=keyed_audit)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)), base_url="http://incidents")
    keyed_service = dataclasses.replace(service, deps=deps, client=client)
    try:
        for _ in range(3):
            response = await keyed_service.send(api_story.cmd.record_incident(), "provider_staff")
            assert response.status_code == 201, response.text
        async with keyed.acquire() as conn:
            claims = await conn.fetch(_PLANS, f"%INSERT INTO {TABLE}%JOIN events%")
            appends = await conn.fetch(_PLANS, "%INSERT INTO events%")
        async with keyed_audit.acquire() as conn:
            audits = await conn.fetch(_PLANS, "%INSERT INTO access_audit%")
    finally:
        await client.aclose()
        await keyed.close()
        await keyed_audit.close()
    assert [(r["generic_plans"], r["custom_plans"]) for r in claims] == [(3, 0)]
    assert sum(r["generic_plans"] for r in appends) == 3 and all(r["custom_plans"] == 0 for r in appends)
    assert sum(r["generic_plans"] for r in audits) == 3 and all(r["custom_plans"] == 0 for r in audits)
    assert (await verify_chain(service.deps.audit_pool)).ok
    stored = await service.deps.application().store.load(api_story.stream)  # read on the events pool
    assert len(stored) == response.json()["last_version"]
