"""A command's token claim, catch-up read and append run on the keyed pool, planned once a session (issue 11).

PostgreSQL planned these statements afresh at every run, and planning the claim and catch-up read took longer than
running it: about half of PostgreSQL's CPU per HTTP command. With a ``keyed_statement_pool`` (``IncidentsDeps``'s
``keyed_pool``, which every process opened from its settings has) each is planned once a session, as index probes;
the answers are the ones the events pool gave.
"""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from ap_incidents.entrypoints.api import create_app
from ap_runtime.access.token_replay import TABLE
from ap_runtime.pg_pools import keyed_statement_pool

from .conftest import ApiStory, ServiceUnderTest

pytestmark = pytest.mark.integration

_PLANS = "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE $1"


async def test_a_commands_claim_read_and_append_are_planned_once_on_the_keyed_pool(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    keyed = await keyed_statement_pool(service.dsns["events"], min_size=1, max_size=1)
    deps = dataclasses.replace(service.deps, keyed_pool=keyed)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)), base_url="http://incidents")
    keyed_service = dataclasses.replace(service, deps=deps, client=client)
    try:
        for _ in range(3):
            response = await keyed_service.send(api_story.cmd.record_incident(), "provider_staff")
            assert response.status_code == 201, response.text
        async with keyed.acquire() as conn:
            claims = await conn.fetch(_PLANS, f"%INSERT INTO {TABLE}%JOIN events%")
            appends = await conn.fetch(_PLANS, "%INSERT INTO events%")
    finally:
        await client.aclose()
        await keyed.close()
    assert [(r["generic_plans"], r["custom_plans"]) for r in claims] == [(3, 0)]
    assert sum(r["generic_plans"] for r in appends) == 3 and all(r["custom_plans"] == 0 for r in appends)
    stored = await service.deps.application().store.load(api_story.stream)  # read on the events pool
    assert len(stored) == response.json()["last_version"]
