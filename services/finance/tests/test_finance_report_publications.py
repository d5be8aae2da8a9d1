"""Publishing the quarterly return (issue 15, provenance and corrections): ``ReportPublished`` names what the
return was built from and can be checked against it; a re-issue after a back-dated spend lists each figure that
changed (old, new); only the host school's finance staff and the LA's finance officers publish; bad requests
are refused, saying what is wrong, and record nothing."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest

from ap_contracts.events.reports import ReportPublished
from ap_finance.application.publications import publication_stream_id
from ap_runtime.eventstore import EventStore

from .conftest import (
    FINANCE_OFFICER,
    HOST_FINANCE,
    OTHER_HOST_FINANCE,
    PARTNERSHIP_LEAD,
    PROVISION,
    PROVISION_MANAGER,
    YEAR,
    Actor,
    World,
    budget_path,
    busy_budget,
    post_ok,
)

pytestmark = pytest.mark.integration

PUBLISH = "/reports/quarterly-return/publications"
STREAM = publication_stream_id(PROVISION, YEAR, 1)


async def publish(api: httpx.AsyncClient, actor: Actor, **fields: Any) -> httpx.Response:
    return await api.post(budget_path(PUBLISH), json={"command_id": str(uuid4()), "quarter": 1, **fields},
                          headers=actor.headers)


async def editions(store: EventStore) -> list[ReportPublished]:
    return [e for e in await store.load(STREAM) if isinstance(e, ReportPublished)]


async def ready(api: httpx.AsyncClient, world: World) -> datetime:
    await busy_budget(api)
    await world.project()
    async with world.pool.acquire() as conn:
        moment: datetime = await conn.fetchval("SELECT max(recorded_at) FROM events")
    return moment


async def test_a_published_return_records_what_it_was_built_from(api: httpx.AsyncClient, world: World) -> None:
    moment = await ready(api, world)
    response = await publish(api, HOST_FINANCE, recorded_by=moment.isoformat())
    assert response.status_code == 201, response.text
    [published] = await editions(world.store)
    assert published.model_dump(mode="json") == response.json()
    assert (published.report_kind, published.report_version, published.edition) == ("quarterly_financial_return",
                                                                                     1, 1)
    assert published.recorded_by == moment and published.changes == ()
    assert published.rule_versions == {"budget_control": "budget-control-1"}
    [source] = published.sources
    assert (source.stream_id, source.stream_version) == (f"budget-{PROVISION}-{YEAR}", await world.version())
    # The digest is of the return as it can be fetched again, for the same quarter and moment.
    again = await api.get(budget_path(f"/reports/quarterly-return?quarter=1&recorded_by={moment.isoformat()}")
                          .replace("+", "%2B"), headers=FINANCE_OFFICER.headers)
    assert hashlib.sha256(again.content).hexdigest() == published.content_sha256


async def test_a_reissue_after_a_backdated_spend_says_which_figures_changed(
    api: httpx.AsyncClient, world: World
) -> None:
    await ready(api, world)
    assert (await publish(api, HOST_FINANCE)).status_code == 201
    await post_ok(api, "/spend", HOST_FINANCE, spend_id=uuid4(), supplier="Late invoice", category="resources",
                  funding_source="dsg_allocation", amount_pence=40_000, spent_on="2025-06-10",
                  evidence_reference="INV-LATE")
    await world.project()

    response = await publish(api, FINANCE_OFFICER)

    assert response.status_code == 201, response.text
    first, second = await editions(world.store)
    assert second.edition == 2 and second.sources[0].stream_version == first.sources[0].stream_version + 1
    changed = {c.figure: (c.old, c.new) for c in second.changes}
    assert changed["categories / resources / actual"] == ("123456", "163456")
    assert changed["total / total / actual"] == ("2458496", "2498496")
    assert all(not name.startswith(("header", "notes")) for name in changed)


async def test_without_a_moment_it_is_as_recorded_by_the_last_event_the_ledger_has(
    api: httpx.AsyncClient, world: World
) -> None:
    moment = await ready(api, world)
    response = await publish(api, HOST_FINANCE)
    assert response.status_code == 201, response.text
    # Not the clock's now: an event recorded but not yet projected would be in a rebuild "as recorded by now"
    # and not in what was published, so the digest could not be checked again.
    assert datetime.fromisoformat(response.json()["recorded_by"]) == moment


async def test_a_repeated_command_publishes_once(api: httpx.AsyncClient, world: World) -> None:
    await ready(api, world)
    command = {"command_id": str(uuid4()), "quarter": 1}
    first = await api.post(budget_path(PUBLISH), json=command, headers=HOST_FINANCE.headers)
    again = await api.post(budget_path(PUBLISH), json=command, headers=HOST_FINANCE.headers)
    assert first.status_code == 201, first.text
    assert again.json() == first.json()
    assert len(await editions(world.store)) == 1


@pytest.mark.parametrize("actor", [PARTNERSHIP_LEAD, OTHER_HOST_FINANCE, PROVISION_MANAGER],
                         ids=["partnership-lead", "other-host-school", "provision-manager"])
async def test_only_the_host_school_and_la_finance_publish(api: httpx.AsyncClient, world: World,
                                                           actor: Actor) -> None:
    await ready(api, world)
    response = await publish(api, actor)
    assert response.status_code == 403, response.text
    assert await editions(world.store) == []


@pytest.mark.parametrize(("fields", "named"), [
    ({"quarter": 5}, "quarter"),
    ({"recorded_by": "2025-06-30T23:59:59"}, "recorded_by"),
    ({"recorded_by": "not a moment"}, "recorded_by"),
    ({"report_kind": "annual"}, "report_kind"),
], ids=["quarter-5", "no-timezone", "not-a-moment", "unknown-field"])
async def test_a_bad_request_is_refused_naming_the_field_and_records_nothing(
    api: httpx.AsyncClient, world: World, fields: dict[str, Any], named: str
) -> None:
    await ready(api, world)
    response = await publish(api, HOST_FINANCE, **fields)
    assert response.status_code in (400, 422), response.text
    assert named in response.text
    assert await editions(world.store) == []


async def test_a_moment_before_the_budget_publishes_nothing(api: httpx.AsyncClient, world: World) -> None:
    await ready(api, world)
    response = await publish(api, HOST_FINANCE, recorded_by="2020-01-01T00:00:00Z")
    assert response.status_code == 404, response.text
    assert await editions(world.store) == []
