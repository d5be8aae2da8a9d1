"""Issue 12, a scripted year through the finance HTTP API against the real servers, as the people meet it.

Three funding sources (DSG, top-up, a carry-forward from before the platform); a virement that would leave a
line short, requested by the host school's finance officer and approved by the Partnership's lead; an
overspend refused, requested with a reason and approved by the budget holder's second officer, then
recorded; a £42,000 commitment that the Partnership's lead finds through "awaiting my signature" and signs;
the year closed and its surplus shared 50/30/20 (needs/equity/strategic) across five schools, every part read
back from the reply and from ``/allocations`` and checked to the penny against a computation made here,
independently of the domain's code (exact fractions, Hamilton's largest remainder as the rule book states).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any
from uuid import uuid4

import httpx
import pytest

from .conftest import (
    FINANCE_OFFICER,
    HOST,
    HOST_FINANCE,
    HOST_FINANCE_2,
    PARTNERSHIP,
    PARTNERSHIP_LEAD,
    body,
    budget_path,
    post_ok,
)

pytestmark = pytest.mark.integration

SCHOOLS: list[dict[str, Any]] = [
    {"school_id": "school-ash", "pupil_roll": 412, "deprivation_index": "0.31", "pupil_premium_count": 97,
     "free_school_meals_count": 88, "send_count": 41},
    {"school_id": "school-birch", "pupil_roll": 198, "deprivation_index": "0.12", "pupil_premium_count": 23,
     "free_school_meals_count": 19, "send_count": 17},
    {"school_id": "school-cedar", "pupil_roll": 305, "deprivation_index": "0.27", "pupil_premium_count": 71,
     "free_school_meals_count": 64, "send_count": 29},
    {"school_id": "school-damson", "pupil_roll": 87, "deprivation_index": "0.44", "pupil_premium_count": 31,
     "free_school_meals_count": 30, "send_count": 9},
    {"school_id": "school-elder", "pupil_roll": 256, "deprivation_index": "0.08", "pupil_premium_count": 12,
     "free_school_meals_count": 10, "send_count": 22},
]
WEIGHTS = {"pupil_roll": "1", "deprivation_index": "2", "pupil_premium": "1.5", "free_school_meals": "0.5",
           "send": "3"}
INPUT_OF = {"pupil_roll": "pupil_roll", "deprivation_index": "deprivation_index",
            "pupil_premium": "pupil_premium_count", "free_school_meals": "free_school_meals_count",
            "send": "send_count"}
PROPORTIONS = {"needs_based": "50", "equity_based": "30", "strategic_plan": "20"}


def hamilton(total: int, weights: dict[str, Fraction]) -> dict[str, int]:
    """The rule book's rounding, written again here: floors, then the leftover pence to the largest
    remainders, ties by key."""
    whole = sum(weights.values())
    exact = {key: Fraction(total) * weight / whole for key, weight in weights.items()}
    floors = {key: int(value) for key, value in exact.items()}
    leftover = total - sum(floors.values())
    for key in sorted(exact, key=lambda k: (floors[k] - exact[k], k))[:leftover]:
        floors[key] += 1
    return floors


def expected_allocation(total: int) -> dict[str, dict[str, int]]:
    """Per method, each school's share of that method's part."""
    parts = hamilton(total, {method: Fraction(p) for method, p in PROPORTIONS.items()})
    scores = {s["school_id"]: Fraction(0) for s in SCHOOLS}
    for criterion, weight in WEIGHTS.items():
        column = INPUT_OF[criterion]
        across = sum(Fraction(s[column]) for s in SCHOOLS)
        for school in SCHOOLS:
            scores[school["school_id"]] += Fraction(weight) * Fraction(school[column]) / across
    return {
        "needs_based": hamilton(parts["needs_based"], scores),
        "equity_based": hamilton(parts["equity_based"], {s["school_id"]: Fraction(1) for s in SCHOOLS}),
        "strategic_plan": {HOST: parts["strategic_plan"]},
    }


async def get(api: httpx.AsyncClient, path: str, actor: Any) -> Any:
    response = await api.get(path, headers=actor.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_year_through_the_api(api: httpx.AsyncClient) -> None:
    # The LA's finance officer sets the budget: three sources, lines from each.
    await post_ok(api, "/budget", FINANCE_OFFICER, budget_id=uuid4(), host_school_id=HOST,
                  partnership_id=PARTNERSHIP, dsg_allocation_pence=24_000_000, top_up_pence=3_500_000,
                  carry_forward_pence=1_250_000)
    for category, source, pence in (("staffing", "dsg_allocation", 18_000_000),
                                     ("resources", "dsg_allocation", 1_500_000),
                                     ("external_services", "dsg_allocation", 4_500_000),
                                     ("transport", "top_up", 1_000_000), ("training_cpd", "top_up", 2_500_000),
                                     ("premises", "carry_forward", 1_250_000)):
        await post_ok(api, "/lines", FINANCE_OFFICER, category=category, funding_source=source, amount_pence=pence)
    [budget] = (await get(api, "/v1/budgets", HOST_FINANCE))["items"]
    assert budget["funding_pence"] == {"dsg_allocation": 24_000_000, "top_up": 3_500_000,
                                       "carry_forward": 1_250_000}

    # Spend through the year; resources runs short and a virement is asked for and approved by the Partnership.
    await post_ok(api, "/spend", HOST_FINANCE, spend_id=uuid4(), supplier="Classroom kit", category="resources",
                  funding_source="dsg_allocation", amount_pence=1_400_000, spent_on="2025-06-12",
                  evidence_reference="INV-KIT-1")
    virement = uuid4()
    asked = await post_ok(api, "/virements", HOST_FINANCE, virement_id=virement, from_category="resources",
                          to_category="staffing", funding_source="dsg_allocation", amount_pence=300_000,
                          reason="Cover for a long-term absence")
    assert asked["created"] == {"virement_id": str(virement), "state": "awaiting_approval"}
    made = await post_ok(api, f"/virements/{virement}/approval", PARTNERSHIP_LEAD)
    assert made["created"]["state"] == "made"

    # Transport overspends: refused, asked for with a reason, approved by the other host officer, recorded.
    trips: dict[str, Any] = {"supplier": "Coach hire", "category": "transport", "funding_source": "top_up",
                             "amount_pence": 1_150_000, "spent_on": "2025-10-03", "evidence_reference": "INV-C-7"}
    refused = await api.post(budget_path("/spend"), json=body(spend_id=uuid4(), **trips), headers=HOST_FINANCE.headers)
    assert (refused.status_code, refused.json()["rule"]) == (422, "budget_control.spend_within_line")
    overspend = uuid4()
    await post_ok(api, "/overspends", HOST_FINANCE, overspend_id=overspend, category="transport",
                  funding_source="top_up", amount_pence=150_000, reason="Extra trips to the farm school")
    await post_ok(api, f"/overspends/{overspend}/approval", HOST_FINANCE_2)
    assert (await post_ok(api, "/spend", HOST_FINANCE, spend_id=uuid4(), **trips))["created"]["state"] == "recorded"

    # A £42,000 commitment: the host signs; the Partnership's lead finds it waiting and signs it.
    commitment = uuid4()
    await post_ok(api, "/commitments", HOST_FINANCE, commitment_id=commitment, supplier="Therapy Partners",
                  category="external_services", funding_source="dsg_allocation", amount_pence=4_200_000,
                  raised_on="2025-09-01", evidence_reference="PO-TP-2025")
    await post_ok(api, f"/items/{commitment}/signatures", HOST_FINANCE)
    [waiting] = (await get(api, "/v1/budgets/awaiting-my-signature", PARTNERSHIP_LEAD))["items"]
    assert (waiting["supplier"], waiting["evidence_reference"], waiting["amount_pence"]) == (
        "Therapy Partners", "PO-TP-2025", 4_200_000)
    signed = await post_ok(api, f"/items/{waiting['item_id']}/signatures", PARTNERSHIP_LEAD)
    assert signed["created"] == {"item_id": str(commitment), "state": "open"}
    await post_ok(api, "/spend", HOST_FINANCE, spend_id=uuid4(), supplier="Therapy Partners",
                  category="external_services", funding_source="dsg_allocation", amount_pence=4_200_000,
                  spent_on="2026-02-27", evidence_reference="INV-TP-1", commitment_id=commitment)
    lines = {(r["category"], r["funding_source"]): r for r in (await get(api, budget_path("/lines"), HOST_FINANCE))[
        "items"]}
    assert lines[("transport", "top_up")]["remaining_pence"] == -150_000
    assert lines[("transport", "top_up")]["overspend_approved_pence"] == 150_000
    assert lines[("staffing", "dsg_allocation")]["revised_pence"] == 18_300_000

    # Close; spend was 1,400,000 + 1,150,000 + 4,200,000 of 28,750,000: the surplus is 22,000,000.
    await post_ok(api, "/close", FINANCE_OFFICER, closed_on="2026-04-10")
    allocation_id = uuid4()
    allocated = await post_ok(api, "/surplus/allocations", PARTNERSHIP_LEAD, allocation_id=allocation_id,
                              method="combination", proportions=PROPORTIONS, schools=SCHOOLS,
                              needs_weights=WEIGHTS, amount_pence=9_999_997)
    expected = expected_allocation(9_999_997)
    [listed] = (await get(api, budget_path("/allocations"), PARTNERSHIP_LEAD))["items"]
    for read_back in (allocated["allocation"], listed):
        assert read_back["method"] == "combination"
        assert read_back["proportions"] == PROPORTIONS
        assert read_back["needs_weights"] == WEIGHTS
        parts = {part["method"]: part for part in read_back["parts"]}
        assert {m: p["amount_pence"] for m, p in parts.items()} == {m: sum(s.values()) for m, s in expected.items()}
        assert sum(p["amount_pence"] for p in parts.values()) == 9_999_997
        assert {m: Fraction(p["proportion"]) for m, p in parts.items()} == {
            "needs_based": Fraction(1, 2), "equity_based": Fraction(3, 10), "strategic_plan": Fraction(1, 5)}
        for method, shares in expected.items():
            got = {s["school_id"]: s["amount_pence"] for s in parts[method]["shares"]}
            assert {k: v for k, v in got.items() if v or k in shares} == shares, method
        totals = {s["school_id"]: s["amount_pence"] for s in read_back["shares"]}
        for school in {*totals}:
            assert totals[school] == sum(shares.get(school, 0) for shares in expected.values())
        assert sum(totals.values()) == 9_999_997
        assert "largest remainder" in read_back["rounding"].replace("remainders", "remainder")
