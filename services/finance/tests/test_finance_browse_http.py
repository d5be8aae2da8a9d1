"""Issue 12 over HTTP against the real servers: browsing budgets (who may list what), "awaiting my signature",
and approval as its own step (who may approve; never the requester; a forged body field grants nothing)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from .conftest import (
    FINANCE_OFFICER,
    HOST,
    HOST_FINANCE,
    HOST_FINANCE_2,
    OTHER_HOST_FINANCE,
    OTHER_PARTNERSHIP_LEAD,
    PARTNERSHIP,
    PARTNERSHIP_LEAD,
    PROVISION,
    PROVISION_STAFF,
    YEAR,
    Actor,
    body,
    budget_path,
    post_ok,
    standard_budget,
)

pytestmark = pytest.mark.integration

SOUTH = "pbp-test-south"


async def south_budget(api: httpx.AsyncClient) -> None:
    """Another provision's budget: another host school and Partnership."""
    response = await api.post(budget_path("/budget", YEAR, SOUTH), headers=FINANCE_OFFICER.headers, json=body(
        budget_id=uuid4(), host_school_id=OTHER_HOST_FINANCE.organisation_id,
        partnership_id=OTHER_PARTNERSHIP_LEAD.organisation_id, dsg_allocation_pence=5_000_000))
    assert response.status_code == 200, response.text


async def get_json(api: httpx.AsyncClient, path: str, actor: Actor, status: int = 200) -> Any:
    response = await api.get(path, headers=actor.headers)
    assert response.status_code == status, response.text
    return response.json()


async def post_status(api: httpx.AsyncClient, suffix: str, actor: Actor, status: int, **fields: Any) -> Any:
    response = await api.post(budget_path(suffix), json=body(**fields), headers=actor.headers)
    assert response.status_code == status, response.text
    return response.json()


def provisions(page: dict[str, Any]) -> list[str]:
    return [budget["provision_id"] for budget in page["items"]]


async def test_each_caller_lists_only_the_budgets_the_policy_lets_it_read(api: httpx.AsyncClient) -> None:
    await standard_budget(api)
    await south_budget(api)
    assert provisions(await get_json(api, "/v1/budgets", HOST_FINANCE)) == [PROVISION]
    assert provisions(await get_json(api, "/v1/budgets", PARTNERSHIP_LEAD)) == [PROVISION]
    assert provisions(await get_json(api, "/v1/budgets", OTHER_HOST_FINANCE)) == [SOUTH]
    assert provisions(await get_json(api, "/v1/budgets", OTHER_PARTNERSHIP_LEAD)) == [SOUTH]
    assert provisions(await get_json(api, "/v1/budgets", PROVISION_STAFF)) == []
    everything = await get_json(api, "/v1/budgets?limit=1", FINANCE_OFFICER)  # LA-wide (FIN-READ-4)
    assert (everything["total"], everything["next_offset"], provisions(everything)) == (2, 1, [PROVISION])
    following = await get_json(api, "/v1/budgets?offset=1&limit=1", FINANCE_OFFICER)
    assert (provisions(following), following["next_offset"]) == ([SOUTH], None)
    mine = (await get_json(api, "/v1/budgets", HOST_FINANCE))["items"][0]
    assert (mine["host_school_id"], mine["partnership_id"], mine["signature_threshold_pence"]) == (
        HOST, PARTNERSHIP, 3_000_000)
    # Another budget's officer, a Partnership elsewhere, provision staff: not one line of this budget.
    for outsider in (OTHER_HOST_FINANCE, OTHER_PARTNERSHIP_LEAD, PROVISION_STAFF):
        for suffix in ("", "/lines", "/commitments", "/spends", "/items", "/virements", "/overspends"):
            await get_json(api, budget_path(suffix), outsider, 403)


async def test_the_second_signatory_finds_the_commitment_awaiting_its_signature_and_signs_it(
        api: httpx.AsyncClient) -> None:
    await standard_budget(api)
    await south_budget(api)
    commitment = uuid4()
    raised = await post_ok(api, "/commitments", HOST_FINANCE, commitment_id=commitment, supplier="Build Co",
                           category="staffing", funding_source="dsg_allocation", amount_pence=4_000_000,
                           raised_on="2025-05-01", evidence_reference="PO-40K")
    assert raised["event_types"] == ["ItemSignaturesRequested"]
    # Spend against it now says it awaits signatures, and whose (issue 12: it was 404 "no commitment").
    early = await post_status(api, "/spend", HOST_FINANCE, 409, spend_id=uuid4(), supplier="Build Co",
                              category="staffing", funding_source="dsg_allocation", amount_pence=100_000,
                              spent_on="2025-05-02", evidence_reference="INV-1", commitment_id=commitment)
    assert early["rule"] == "commitment.signed_before_spend"
    assert "partnership and the host school" in early["detail"]
    await post_ok(api, f"/items/{commitment}/signatures", HOST_FINANCE)
    assert (await get_json(api, "/v1/budgets/awaiting-my-signature", HOST_FINANCE))["items"] == []
    assert (await get_json(api, "/v1/budgets/awaiting-my-signature", HOST_FINANCE_2))["items"] == []  # host signed
    assert (await get_json(api, "/v1/budgets/awaiting-my-signature", OTHER_PARTNERSHIP_LEAD))["items"] == []
    assert (await get_json(api, "/v1/budgets/awaiting-my-signature", FINANCE_OFFICER))["items"] == []
    [waiting] = (await get_json(api, "/v1/budgets/awaiting-my-signature", PARTNERSHIP_LEAD))["items"]
    assert (waiting["item_id"], waiting["supplier"], waiting["evidence_reference"], waiting["amount_pence"],
            waiting["provision_id"]) == (str(commitment), "Build Co", "PO-40K", 4_000_000, PROVISION)
    assert [(s["signing_organisation"], s["user_id"]) for s in waiting["signatures_given"]] == [
        ("host_school", HOST_FINANCE.user_id)]
    assert [(s["signing_organisation"], s["organisation_id"]) for s in waiting["signatures_awaited"]] == [
        ("partnership", PARTNERSHIP)]
    [listed] = (await get_json(api, budget_path("/commitments"), PARTNERSHIP_LEAD))["items"]
    assert (listed["state"], listed["supplier"]) == ("awaiting_signatures", "Build Co")
    signed = await post_ok(api, f"/items/{UUID(waiting['item_id'])}/signatures", PARTNERSHIP_LEAD)
    assert signed["event_types"] == ["ItemSignatureAdded", "CommitmentRaised"]
    assert (await get_json(api, "/v1/budgets/awaiting-my-signature", PARTNERSHIP_LEAD))["items"] == []
    [now] = (await get_json(api, budget_path("/commitments"), HOST_FINANCE))["items"]
    assert (now["state"], now["outstanding_pence"], now["signatures_awaited"]) == ("open", 4_000_000, [])


async def test_a_virement_needing_approval_is_approved_by_another_person_the_policy_allows(
        api: httpx.AsyncClient) -> None:
    await standard_budget(api)
    await post_ok(api, "/spend", HOST_FINANCE, spend_id=uuid4(), supplier="Stationer", category="resources",
                  funding_source="dsg_allocation", amount_pence=1_200_000, spent_on="2025-05-01",
                  evidence_reference="INV-2")
    virement = uuid4()
    await post_ok(api, "/virements", HOST_FINANCE, virement_id=virement, from_category="resources",
                  to_category="staffing", funding_source="dsg_allocation", amount_pence=400_000, reason="Cover")
    [requested] = (await get_json(api, budget_path("/virements"), PARTNERSHIP_LEAD))["items"]
    assert (requested["state"], requested["requested_by"]) == ("awaiting_approval", HOST_FINANCE.user_id)
    approval = f"/virements/{virement}/approval"
    for outsider in (OTHER_PARTNERSHIP_LEAD, OTHER_HOST_FINANCE, FINANCE_OFFICER, PROVISION_STAFF):
        denied = await post_status(api, approval, outsider, 403)
        assert denied["type"] == "urn:ap:problem:access-denied", denied
    own = await post_status(api, approval, HOST_FINANCE, 403)
    assert own["rule"] == "virement.approver_not_requester"
    # A body naming someone else as the approver is refused, not believed.
    forged = await post_status(api, approval, HOST_FINANCE, 422, approver_user_id=PARTNERSHIP_LEAD.user_id)
    assert "approver_user_id" in str(forged)
    made = await post_ok(api, approval, HOST_FINANCE_2)
    assert made["event_types"] == ["VirementApproved", "VirementMade"]
    [done] = (await get_json(api, budget_path("/virements"), HOST_FINANCE))["items"]
    assert (done["state"], done["approved_by"]) == ("made", HOST_FINANCE_2.user_id)
    lines = {(row["category"], row["funding_source"]): row
             for row in (await get_json(api, budget_path("/lines"), HOST_FINANCE))["items"]}
    resources = lines[("resources", "dsg_allocation")]
    assert (resources["budget_pence"], resources["virements_out_pence"], resources["revised_pence"],
            resources["spent_pence"], resources["remaining_pence"]) == (1_500_000, 400_000, 1_100_000, 1_200_000,
                                                                         -100_000)
    assert lines[("staffing", "dsg_allocation")]["virements_in_pence"] == 400_000


async def test_an_overspend_is_refused_then_approved_by_the_budget_holder_not_the_requester(
        api: httpx.AsyncClient) -> None:
    await standard_budget(api)
    spend: dict[str, Any] = {"supplier": "Coach hire", "category": "transport", "funding_source": "top_up",
                             "amount_pence": 2_050_000, "spent_on": "2025-09-01", "evidence_reference": "INV-T"}
    refused = await post_status(api, "/spend", HOST_FINANCE, 422, spend_id=uuid4(), **spend)
    assert refused["rule"] == "budget_control.spend_within_line"
    overspend = uuid4()
    await post_ok(api, "/overspends", HOST_FINANCE, overspend_id=overspend, category="transport",
                  funding_source="top_up", amount_pence=50_000, reason="Extra trips agreed by the Partnership")
    approval = f"/overspends/{overspend}/approval"
    assert (await post_status(api, approval, PARTNERSHIP_LEAD, 403))["type"] == "urn:ap:problem:access-denied"
    assert (await post_status(api, approval, HOST_FINANCE, 403))["rule"] == "overspend.approver_not_requester"
    assert (await post_ok(api, approval, HOST_FINANCE_2))["event_types"] == ["OverspendApproved"]
    assert (await post_ok(api, "/spend", HOST_FINANCE, spend_id=uuid4(), **spend))["event_types"] == [
        "SpendRecorded"]


async def test_only_both_organisations_together_change_the_signature_threshold(api: httpx.AsyncClient) -> None:
    await standard_budget(api)
    alone = await api.post(budget_path("/budget", "2026-27"), headers=FINANCE_OFFICER.headers, json=body(
        budget_id=uuid4(), host_school_id=HOST, partnership_id=PARTNERSHIP, dsg_allocation_pence=1,
        signature_threshold_pence=5_000_000))
    assert (alone.status_code, alone.json()["rule"]) == (403, "signature.threshold_agreed_by_both")
    denied = await post_status(api, "/signature-threshold", FINANCE_OFFICER, 403, threshold_pence=5_000_000)
    assert denied["type"] == "urn:ap:problem:access-denied"
    assert (await post_ok(api, "/signature-threshold", PARTNERSHIP_LEAD, threshold_pence=5_000_000))[
        "event_types"] == ["SignatureThresholdAgreed"]
    assert (await get_json(api, budget_path(""), HOST_FINANCE))["signature_threshold_pence"] == 3_000_000
    agreed = await post_ok(api, "/signature-threshold", HOST_FINANCE, threshold_pence=5_000_000)
    assert agreed["event_types"] == ["SignatureThresholdAgreed", "SignatureThresholdChanged"]
    assert (await get_json(api, budget_path(""), HOST_FINANCE))["signature_threshold_pence"] == 5_000_000


async def test_replies_say_what_was_created_its_state_and_any_warning(api: httpx.AsyncClient) -> None:
    await standard_budget(api)
    spend_id = uuid4()
    spent = await post_ok(api, "/spend", HOST_FINANCE, spend_id=spend_id, supplier="Stationer", category="resources",
                          funding_source="dsg_allocation", amount_pence=1_000_000, spent_on="2025-05-01",
                          evidence_reference="INV-R")
    assert (spent["created"], spent["warnings"]) == ({"spend_id": str(spend_id), "state": "recorded"}, [])
    commitment = uuid4()
    past = await post_ok(api, "/commitments", HOST_FINANCE, commitment_id=commitment, supplier="Kit Ltd",
                         category="resources", funding_source="dsg_allocation", amount_pence=600_000,
                         raised_on="2025-05-02", evidence_reference="PO-K")
    assert past["created"] == {"commitment_id": str(commitment), "state": "open"}
    assert past["event_types"] == ["CommitmentRaised", "LineOverrunWarned"]
    [warning] = past["warnings"]
    assert warning.startswith("budget_control.commitment_past_line_budget")
    again = await api.post(budget_path("/spend"), headers=HOST_FINANCE.headers, json=body(
        spend_id=spend_id, supplier="Stationer", category="resources", funding_source="dsg_allocation",
        amount_pence=1_000_000, spent_on="2025-05-01", evidence_reference="INV-R"))
    assert (again.status_code, again.json()["rule"]) == (409, "budget.item_id_unique")
    assert "already recorded" in again.json()["detail"] and "dated 2025-05-01" in again.json()["detail"]


async def test_the_openapi_document_lists_each_command_s_rule_ids(api: httpx.AsyncClient) -> None:
    document = (await api.get("/openapi.json")).json()
    spend = document["paths"]["/v1/budgets/{provision_id}/{financial_year}/spend"]["post"]
    assert spend["x-rule-ids"]["budget_control.spend_within_line"] == 422
    assert "`commitment.signed_before_spend` (409)" in spend["description"]
    approval = document["paths"]["/v1/budgets/{provision_id}/{financial_year}/virements/{virement_id}/approval"]
    assert "virement.approver_not_requester" in approval["post"]["x-rule-ids"]
    assert "/v1/budgets/awaiting-my-signature" in document["paths"]
