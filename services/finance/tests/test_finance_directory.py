"""The finance organisation directory (issue 12, "Names"): the register of organisations as finance reads it.

Built from the incidents service's ``OrganisationRegistered`` events (``finance_directory`` projection);
the ledger and the reports show each organisation's registered display name beside its id, a later
registration replaces the name, and an organisation registered without a name (or not registered at
all) reads as null rather than as a made-up name.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import httpx
import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.eventstore import EventStore

from .conftest import (
    FINANCE_OFFICER,
    HOST,
    LA,
    PARTNERSHIP,
    PARTNERSHIP_LEAD,
    PROVISION,
    World,
    budget_path,
    post_ok,
    record_placements,
    standard_budget,
)
from .test_finance_workbook import register

pytestmark = pytest.mark.integration


async def read(api: httpx.AsyncClient, path: str) -> dict[str, Any]:
    response = await api.get(budget_path(path), headers=FINANCE_OFFICER.headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_the_ledger_and_reports_name_the_budget_s_organisations_from_the_register(
    api: httpx.AsyncClient, world: World, incidents: EventStore
) -> None:
    await standard_budget(api)
    await register(incidents, LA, OrgKind.LOCAL_AUTHORITY, "Test County Council")
    await register(incidents, HOST, OrgKind.HOST_SCHOOL, "First name", local_authority_id=LA)
    await register(incidents, HOST, OrgKind.HOST_SCHOOL, "Hillside Academy", version=1, local_authority_id=LA)
    await register(incidents, PARTNERSHIP, OrgKind.PARTNERSHIP, None, local_authority_id=LA)
    await record_placements(incidents, [(date(2025, 5, 1), None)])  # other incidents events stay out of it
    await world.project(extra=incidents)

    ledger = await read(api, "/ledger")
    assert (ledger["host_school_name"], ledger["partnership_name"], ledger["provision_name"]) == (
        "Hillside Academy", None, None)
    header = (await read(api, "/reports/governing-body-summary"))["header"]
    assert (header["host_school_id"], header["host_school_name"]) == (HOST, "Hillside Academy")
    assert header["partnership_name"] is None and header["provision_name"] is None
    async with world.pool.acquire() as conn:
        kept = await conn.fetch("SELECT organisation_id, kind, name, local_authority_id"
                                " FROM rm_finance_directory_g1.organisation_directory ORDER BY organisation_id")
    assert [tuple(r) for r in kept] == [(LA, "local_authority", "Test County Council", None),
                                        (PARTNERSHIP, "partnership", None, LA),
                                        (HOST, "host_school", "Hillside Academy", LA)]
    assert PROVISION not in {r["organisation_id"] for r in kept}


async def test_the_schools_of_an_allocation_are_named_and_an_unregistered_one_reads_as_null(
    api: httpx.AsyncClient, world: World, incidents: EventStore
) -> None:
    await standard_budget(api)
    await post_ok(api, "/close", FINANCE_OFFICER, closed_on="2026-04-10")
    schools = [{"school_id": s, "pupil_roll": 100, "deprivation_index": "0.2", "pupil_premium_count": 10,
                "free_school_meals_count": 10, "send_count": 5, "equity_weight": weight}
               for s, weight in (("school-a", "1"), ("school-b", "1"), ("school-c", "0"))]
    await post_ok(api, "/surplus/allocations", PARTNERSHIP_LEAD, allocation_id=uuid4(), method="equity_based",
                  schools=schools, amount_pence=100_000)
    for school, name in (("school-a", "Alder Primary School"), ("school-c", "Cedar Infants")):
        await register(incidents, school, OrgKind.HOME_SCHOOL, name, local_authority_id=LA, partnership_id=PARTNERSHIP)
    await world.project(extra=incidents)

    shares = {s["school_id"]: s for s in (await read(api, "/ledger"))["allocations"]}
    assert shares["school-a"]["school_name"] == "Alder Primary School"
    assert shares["school-b"]["school_name"] is None
    report = await read(api, "/reports/governing-body-summary")
    assert {a["school_id"]: a["school_name"] for a in report["allocations"]} == {
        "school-a": "Alder Primary School", "school-b": None}
    # A Partnership school whose share is nil is still named in the allocation's parts.
    parts = (await read(api, "/reports/quarterly-return?quarter=4"))["allocation_parts"]
    assert {(p["school_id"], p["school_name"], p["amount_pence"]) for p in parts} == {
        ("school-a", "Alder Primary School", 50_000), ("school-b", None, 50_000), ("school-c", "Cedar Infants", 0)}
