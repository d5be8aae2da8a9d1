"""Issue 12, "an allocation shows only each school's total": every part of a surplus allocation read back
through the HTTP API from the ledger (``GET .../ledger``) and the reports' JSON and CSV (termly monitoring,
quarterly return, governing body summary), and checked to the penny against the computation made in
``test_finance_year_http`` independently of the domain's code: each method's part and its proportion as an
exact fraction, each school's share of each part, each school's needs score, the totals and the rounding
rule. The CSV labels each school's row by its registered name and id, not the id alone.
"""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from typing import Any
from uuid import uuid4

import httpx
import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.eventstore import EventStore

from .conftest import FINANCE_OFFICER, HOST, LA, PARTNERSHIP, PARTNERSHIP_LEAD, World, budget_path, post_ok
from .conftest import standard_budget as a_budget
from .test_finance_workbook import register
from .test_finance_year_http import INPUT_OF, PROPORTIONS, SCHOOLS, WEIGHTS, expected_allocation

pytestmark = pytest.mark.integration

TOTAL = 9_999_997
NAMES = {"school-ash": "Ash Grove Primary", "school-cedar": "Cedar Infants"}
REPORTS = ("/reports/quarterly-return?quarter=4", "/reports/termly-monitoring?term=spring",
           "/reports/governing-body-summary")


def expected_needs_scores() -> dict[str, Fraction]:
    """Each school's needs score, as the rule book states it: weight x input / the input's total, summed."""
    scores = {s["school_id"]: Fraction(0) for s in SCHOOLS}
    for criterion, weight in WEIGHTS.items():
        across = sum(Fraction(s[INPUT_OF[criterion]]) for s in SCHOOLS)
        for school in SCHOOLS:
            scores[school["school_id"]] += Fraction(weight) * Fraction(school[INPUT_OF[criterion]]) / across
    return scores


def label(school: str) -> str:
    return f"{NAMES[school]} ({school})" if school in NAMES else f"{school} (no name on the register)"


async def read(api: httpx.AsyncClient, path: str) -> httpx.Response:
    response = await api.get(budget_path(path), headers=FINANCE_OFFICER.headers)
    assert response.status_code == 200, response.text
    return response


async def allocated_year(api: httpx.AsyncClient, world: World, incidents: EventStore) -> None:
    await a_budget(api)
    await post_ok(api, "/close", FINANCE_OFFICER, closed_on="2026-04-10")
    await post_ok(api, "/surplus/allocations", PARTNERSHIP_LEAD, allocation_id=uuid4(), method="combination",
                  proportions=PROPORTIONS, schools=SCHOOLS, needs_weights=WEIGHTS, amount_pence=TOTAL,
                  consultation_reference="NP-FORUM-MARCH")
    for school, name in NAMES.items():
        await register(incidents, school, OrgKind.HOME_SCHOOL, name, local_authority_id=LA,
                       partnership_id=PARTNERSHIP)
    await world.project(extra=incidents)


async def test_the_ledger_shows_every_part_of_the_allocation(api: httpx.AsyncClient, world: World,
                                                             incidents: EventStore) -> None:
    await allocated_year(api, world, incidents)
    expected = expected_allocation(TOTAL)
    ledger = (await read(api, "/ledger")).json()
    [full] = ledger["allocations_in_full"]
    assert (full["method"], full["amount_pence"], full["proportions"]) == ("combination", TOTAL, PROPORTIONS)
    assert full["needs_weights"] == WEIGHTS and full["consultation_reference"] == "NP-FORUM-MARCH"
    parts = {part["method"]: part for part in full["parts"]}
    assert {m: Fraction(p["proportion"]) for m, p in parts.items()} == {
        "needs_based": Fraction(1, 2), "equity_based": Fraction(3, 10), "strategic_plan": Fraction(1, 5)}
    for method, shares in expected.items():
        assert parts[method]["amount_pence"] == sum(shares.values()), method
        got = {s["school_id"]: s["amount_pence"] for s in parts[method]["shares"]}
        assert {k: v for k, v in got.items() if v or k in shares} == shares, method
    assert {s["school_id"]: Fraction(s["score"]) for s in full["needs_scores"]} == expected_needs_scores()
    # The allocation's shares are the ledger's own shares, and both are the parts added up.
    totals = {s["school_id"]: s["amount_pence"] for s in full["shares"]}
    assert totals == {s["school_id"]: s["amount_pence"] for s in ledger["allocations"]}
    assert totals == {school: sum(e.get(school, 0) for e in expected.values()) for school in totals}
    assert "largest remainder" in full["rounding"].replace("remainders", "remainder")


@pytest.mark.parametrize("report", REPORTS)
async def test_each_report_s_json_shows_every_part_of_the_allocation(
    api: httpx.AsyncClient, world: World, incidents: EventStore, report: str
) -> None:
    await allocated_year(api, world, incidents)
    expected = expected_allocation(TOTAL)
    shown = (await read(api, report)).json()
    [made] = shown["allocations_made"]
    assert (made["allocation"], made["method"], made["amount_pence"]) == (1, "combination", TOTAL)
    assert "largest remainder" in made["rounding"].replace("remainders", "remainder")
    amounts = {p["method"]: p for p in shown["allocation_part_amounts"]}
    assert {m: p["amount_pence"] for m, p in amounts.items()} == {m: sum(s.values()) for m, s in expected.items()}
    assert sum(p["amount_pence"] for p in amounts.values()) == TOTAL
    assert Fraction(amounts["equity_based"]["proportion"]) == Fraction(3, 10)
    for method, shares in expected.items():
        got = {p["school_id"]: p["amount_pence"] for p in shown["allocation_parts"] if p["method"] == method}
        assert {k: v for k, v in got.items() if v or k in shares} == shares, method
    named = {p["school_id"]: p["school_name"] for p in shown["allocation_parts"]}
    assert named["school-ash"] == "Ash Grove Primary" and named["school-birch"] is None
    assert {s["school_id"]: Fraction(s["score"]) for s in shown["allocation_needs_scores"]} == expected_needs_scores()


@pytest.mark.parametrize("report", REPORTS)
async def test_each_report_s_csv_labels_each_part_by_school_name_and_carries_it_to_the_penny(
    api: httpx.AsyncClient, world: World, incidents: EventStore, report: str
) -> None:
    await allocated_year(api, world, incidents)
    expected = expected_allocation(TOTAL)
    rows = list(csv.DictReader(io.StringIO((await read(api, f"{report}&format=csv"
                                                  if "?" in report else f"{report}?format=csv")).text)))
    parts: dict[str, Any] = {row["line"]: int(row["value"]) for row in rows
                             if row["section"] == "allocation_parts" and row["measure"] == "amount"}
    wanted = {f"allocation 1 {method} {label(school)}": pence
              for method, shares in expected.items() for school, pence in shares.items()}
    assert {k: v for k, v in parts.items() if v or k in wanted} == wanted
    amounts = {row["line"]: int(row["value"]) for row in rows
               if row["section"] == "allocation_part_amounts" and row["measure"] == "amount"}
    assert amounts == {f"allocation 1 {method}": sum(shares.values()) for method, shares in expected.items()}
    shares = {row["line"]: int(row["value"]) for row in rows
              if row["section"] == "allocations" and row["measure"] == "amount"}
    assert shares[label("school-ash")] == sum(e.get("school-ash", 0) for e in expected.values())
    assert shares[label(HOST)] == expected["strategic_plan"][HOST]
    scores = {row["line"]: Fraction(row["value"]) for row in rows
              if row["section"] == "allocation_needs_scores" and row["measure"] == "score"}
    assert scores == {f"allocation 1 {label(s)}": v for s, v in expected_needs_scores().items()}
