"""The finance API's HTTP contract: authentication, access, validation, idempotency, health."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from .conftest import (
    FINANCE_OFFICER,
    HOST_FINANCE,
    OTHER_HOST_FINANCE,
    YEAR,
    World,
    body,
    budget_path,
    post_ok,
    standard_budget,
)

pytestmark = pytest.mark.integration

SPEND = {"supplier": "Stationer", "category": "resources", "funding_source": "dsg_allocation",
         "amount_pence": 12_345, "spent_on": "2025-05-01", "evidence_reference": "INV-1"}


async def test_no_token_is_401_problem(api: httpx.AsyncClient) -> None:
    response = await api.post(budget_path("/spend"), json=body(spend_id=uuid4(), **SPEND))
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["detail"] == "missing bearer token"


async def test_another_host_school_is_403_naming_the_policy_rule_and_stores_nothing(
    api: httpx.AsyncClient, world: World
) -> None:
    await standard_budget(api)
    before = await world.version()
    response = await api.post(budget_path("/spend"), json=body(spend_id=uuid4(), **SPEND),
                              headers=OTHER_HOST_FINANCE.headers)
    assert response.status_code == 403
    assert response.json()["rule"] == "FIN-HOST-1"
    assert await world.version() == before


async def test_unknown_budget_is_404_for_the_la_and_403_for_a_school(api: httpx.AsyncClient) -> None:
    response = await api.post(budget_path("/close"), json=body(closed_on="2026-04-10"),
                              headers=FINANCE_OFFICER.headers)
    assert response.status_code == 404
    assert response.json()["rule"] == "budget.exists"
    response = await api.post(budget_path("/spend"), json=body(spend_id=uuid4(), **SPEND),
                              headers=HOST_FINANCE.headers)
    assert response.status_code == 403  # a school learns nothing about budgets that are not its own


async def test_invalid_body_is_422_naming_each_field(api: httpx.AsyncClient, world: World) -> None:
    await standard_budget(api)
    bad = body(spend_id="not-a-uuid", supplier="", category="sweets", funding_source="dsg_allocation",
               amount_pence=12.5, spent_on="2025-05-01")
    response = await api.post(budget_path("/spend"), json=bad, headers=HOST_FINANCE.headers)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("invalid-request")
    fields = {error["field"] for error in problem["errors"]}
    assert fields == {"spend_id", "supplier", "category", "amount_pence", "evidence_reference"}
    assert "not-a-uuid" not in response.text  # the input is never echoed back


@pytest.mark.parametrize("payload", [b"{not json", b"[1, 2]"])
async def test_unreadable_body_is_422(api: httpx.AsyncClient, payload: bytes) -> None:
    response = await api.post(budget_path("/spend"), content=payload, headers={
        **HOST_FINANCE.headers, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "(body)"


async def test_path_fields_may_not_be_repeated_in_the_body(api: httpx.AsyncClient) -> None:
    response = await api.post(budget_path("/spend"), json=body(spend_id=uuid4(), provision_id="other", **SPEND),
                              headers=HOST_FINANCE.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "provision_id"


async def test_bad_financial_year_in_the_path_is_422(api: httpx.AsyncClient) -> None:
    response = await api.post(budget_path("/spend", year="2025-27"), json=body(spend_id=uuid4(), **SPEND),
                              headers=HOST_FINANCE.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "financial_year"
    response = await api.get(budget_path("/ledger", year="25-26"), headers=FINANCE_OFFICER.headers)
    assert response.status_code == 422


async def test_repeated_command_id_answers_200_with_the_same_body_and_records_once(
    api: httpx.AsyncClient, world: World
) -> None:
    await standard_budget(api)
    command = body(spend_id=uuid4(), **SPEND)
    first = await api.post(budget_path("/spend"), json=command, headers=HOST_FINANCE.headers)
    version = await world.version()
    again = await api.post(budget_path("/spend"), json=command, headers=HOST_FINANCE.headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert first.json()["event_types"] == ["SpendRecorded"]
    assert first.json()["last_version"] == version
    assert await world.version() == version


async def test_a_command_id_reused_for_another_budget_is_409(api: httpx.AsyncClient) -> None:
    await standard_budget(api)
    command = body(spend_id=uuid4(), **SPEND)
    await api.post(budget_path("/spend"), json=command, headers=HOST_FINANCE.headers)
    await post_ok(api, "/budget", FINANCE_OFFICER, "2026-27", budget_id=uuid4(), host_school_id="school-test-host",
                  partnership_id="np-test-north", dsg_allocation_pence=100)
    response = await api.post(budget_path("/close", year="2026-27"),
                              json={"command_id": command["command_id"], "closed_on": "2027-04-01"},
                              headers=FINANCE_OFFICER.headers)
    assert response.status_code == 409
    assert response.json()["rule"] == "budget_command.id_unique"


async def test_health_and_readiness(api: httpx.AsyncClient) -> None:
    assert (await api.get("/healthz")).json() == {"status": "ok"}
    ready = await api.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_openapi_documents_every_command_body(api: httpx.AsyncClient) -> None:
    document = (await api.get("/openapi.json")).json()
    spend = document["paths"][budget_path("/spend").replace("pbp-test-north", "{provision_id}")
                              .replace(YEAR, "{financial_year}")]["post"]
    schema = spend["requestBody"]["content"]["application/json"]["schema"]
    assert "amount_pence" in schema["properties"]
    assert "provision_id" not in schema["properties"]
