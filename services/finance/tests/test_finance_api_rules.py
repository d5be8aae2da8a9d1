"""Each finance rule through the HTTP API: the rejection names its rule with the right status as an
RFC 9457 problem, and nothing is stored (the budget's stream version does not move)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import pytest

from .conftest import (
    FINANCE_OFFICER,
    HOST,
    HOST_FINANCE,
    HOST_FINANCE_2,
    NEXT_YEAR,
    OTHER_PARTNERSHIP_LEAD,
    PARTNERSHIP,
    PARTNERSHIP_LEAD,
    YEAR,
    Actor,
    World,
    body,
    budget_path,
    post_ok,
    standard_budget,
)

pytestmark = pytest.mark.integration

# The one problem format (issue 10): a refusal's type says its kind, ``rule`` names the rule.
TYPES_OF_STATUS = {403: {"reserved-to-another-party", "access-denied"}, 404: {"not-found"}, 409: {"conflict"},
                   422: {"rule-broken"}}


async def rejected(api: httpx.AsyncClient, world: World, suffix: str, actor: Actor, status: int, rule: str,
                   year: str = YEAR, **fields: Any) -> dict[str, Any]:
    """Post a command that must be refused; check the problem document and that nothing was stored."""
    before = await world.version(year=year)
    response = await api.post(budget_path(suffix, year), json=body(**fields), headers=actor.headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["rule"] == rule
    assert problem["status"] == status
    assert problem["type"] in {f"urn:ap:problem:{slug}" for slug in TYPES_OF_STATUS[status]}, problem
    assert problem["instance"] == budget_path(suffix, year)
    assert problem["detail"]
    assert await world.version(year=year) == before
    return problem


async def close_year(api: httpx.AsyncClient) -> None:
    await post_ok(api, "/close", FINANCE_OFFICER, closed_on="2026-04-10")


async def test_spend_against_a_closed_year_is_refused(api: httpx.AsyncClient, world: World) -> None:
    await standard_budget(api)
    await close_year(api)
    await rejected(api, world, "/spend", HOST_FINANCE, 409, "financial_year.closed_to_entries", spend_id=uuid4(),
                   supplier="Stationer", category="resources", funding_source="dsg_allocation",
                   amount_pence=1_000, spent_on="2026-03-01", evidence_reference="INV-1")


async def test_item_over_30k_needs_two_distinct_signatures(api: httpx.AsyncClient, world: World) -> None:
    await standard_budget(api)
    item = uuid4()
    held = await post_ok(api, "/spend", HOST_FINANCE, spend_id=item, supplier="Agency", category="staffing",
                         funding_source="dsg_allocation", amount_pence=3_500_000, spent_on="2025-07-15",
                         evidence_reference="INV-35K")
    assert held["event_types"] == ["ItemSignaturesRequested"]
    first = await post_ok(api, f"/items/{item}/signatures", HOST_FINANCE)
    assert first["event_types"] == ["ItemSignatureAdded"]
    signatures = f"/items/{item}/signatures"
    # The same person cannot sign twice, not even for the other organisation.
    await rejected(api, world, signatures, HOST_FINANCE, 409, "signature.different_people")
    same_person_for_partnership = Actor(HOST_FINANCE.user_id, PARTNERSHIP, PARTNERSHIP_LEAD.org_kind,
                                        PARTNERSHIP_LEAD.role)
    await rejected(api, world, signatures, same_person_for_partnership, 409, "signature.different_people")
    # Two people of the host school are still one organisation's signatures.
    await rejected(api, world, signatures, HOST_FINANCE_2, 409, "signature.both_organisations")
    # Another Partnership's lead is refused by the access policy before any rule is tried.
    response = await api.post(budget_path(signatures), json=body(), headers=OTHER_PARTNERSHIP_LEAD.headers)
    assert response.status_code == 403
    assert response.json()["rule"] == "FIN-SIGN-2"
    second = await post_ok(api, signatures, PARTNERSHIP_LEAD)
    assert second["event_types"] == ["ItemSignatureAdded", "SpendRecorded"]
    events = await world.store.load(f"budget-pbp-test-north-{YEAR}")
    spend = events[-1]
    assert spend.signer_user_ids == (HOST_FINANCE.user_id, PARTNERSHIP_LEAD.user_id)  # type: ignore[attr-defined]


async def test_signer_identity_comes_from_the_token_not_the_body(api: httpx.AsyncClient, world: World) -> None:
    await standard_budget(api)
    item = uuid4()
    await post_ok(api, "/spend", HOST_FINANCE, spend_id=item, supplier="Agency", category="staffing",
                  funding_source="dsg_allocation", amount_pence=3_500_000, spent_on="2025-07-15",
                  evidence_reference="INV-35K")
    response = await api.post(budget_path(f"/items/{item}/signatures"),
                              json=body(signer_user_id="someone-else", signing_organisation="partnership"),
                              headers=HOST_FINANCE.headers)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"signer_user_id", "signing_organisation"}


async def test_allocation_whose_shares_do_not_sum_to_the_amount_is_refused(api: httpx.AsyncClient,
                                                                           world: World) -> None:
    await standard_budget(api)
    await close_year(api)
    schools = [{"school_id": s, "pupil_roll": 100, "deprivation_index": "0.2", "pupil_premium_count": 10,
                "free_school_meals_count": 10, "send_count": 5} for s in ("school-a", "school-b")]
    await rejected(api, world, "/surplus/allocations", PARTNERSHIP_LEAD, 422, "allocation.shares_sum",
                   allocation_id=uuid4(), method="equity_based", schools=schools, amount_pence=100_000,
                   proposed_shares=[{"school_id": "school-a", "amount_pence": 50_000},
                                    {"school_id": "school-b", "amount_pence": 49_999}])


async def test_clawback_above_the_available_balance_is_refused(api: httpx.AsyncClient, world: World) -> None:
    await standard_budget(api)
    await close_year(api)  # nothing spent: the surplus is the whole £120,000
    problem = await rejected(api, world, "/surplus/clawbacks", FINANCE_OFFICER, 422, "surplus.clawback_within_balance",
                             clawback_id=uuid4(), amount_pence=12_000_001, reason="Above the retention level")
    assert "£120,000.00" in problem["detail"]


async def test_virement_leaving_a_line_negative_is_requested_then_approved_by_another_person(
        api: httpx.AsyncClient, world: World) -> None:
    await standard_budget(api)
    await post_ok(api, "/spend", HOST_FINANCE, spend_id=uuid4(), supplier="Stationer", category="resources",
                  funding_source="dsg_allocation", amount_pence=1_200_000, spent_on="2025-05-01",
                  evidence_reference="INV-2")
    fields: dict[str, Any] = {"from_category": "resources", "to_category": "staffing",
                              "funding_source": "dsg_allocation", "amount_pence": 400_000,
                              "reason": "Cover a staffing gap"}
    # Issue 12: typing an approver's name unlocked it; the body has no such field any more.
    forged = await api.post(budget_path("/virements"), json=body(virement_id=uuid4(), approved_by="la-fo-1",
                                                                   **fields), headers=HOST_FINANCE.headers)
    assert forged.status_code == 422, forged.text
    assert "approved_by" in forged.text
    virement_id = uuid4()
    requested = await post_ok(api, "/virements", HOST_FINANCE, virement_id=virement_id, **fields)
    assert requested["event_types"] == ["VirementRequested"]
    await rejected(api, world, f"/virements/{virement_id}/approval", HOST_FINANCE, 403,
                   "virement.approver_not_requester")
    approved = await post_ok(api, f"/virements/{virement_id}/approval", PARTNERSHIP_LEAD)
    assert approved["event_types"] == ["VirementApproved", "VirementMade"]


async def test_carry_forward_into_next_year_must_match_what_this_year_recorded(api: httpx.AsyncClient,
                                                                              world: World) -> None:
    await standard_budget(api)
    await close_year(api)
    await post_ok(api, "/surplus/carry-forward", FINANCE_OFFICER, carry_forward_id=uuid4(), amount_pence=250_000)
    budget = {"budget_id": uuid4(), "host_school_id": HOST, "partnership_id": PARTNERSHIP,
              "dsg_allocation_pence": 10_000_000}
    await rejected(api, world, "/budget", FINANCE_OFFICER, 422, "carry_forward.matches_previous_year",
                   year=NEXT_YEAR, carry_forward_pence=250_001, **budget)
    await post_ok(api, "/budget", FINANCE_OFFICER, NEXT_YEAR, carry_forward_pence=250_000, **budget)
    # Once next year's budget is set, this year can carry nothing more into it.
    await rejected(api, world, "/surplus/carry-forward", FINANCE_OFFICER, 409, "carry_forward.before_next_budget",
                   carry_forward_id=uuid4(), amount_pence=1_000)
