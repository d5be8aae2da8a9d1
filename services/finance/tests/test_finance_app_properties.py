"""Property: any sequence of finance commands sent through the handlers to real PostgreSQL leaves a
ledger that reconciles to the penny and equals the domain's fold (rejected commands store nothing)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ap_finance.domain.commands import (
    AllocateSurplus,
    ApproveVirement,
    ClawBack,
    CloseYear,
    FinanceRequest,
    RaiseCommitment,
    RecordCarryForward,
    RecordSpend,
    ReleaseCommitment,
    RequestVirement,
    SetBudget,
    SetBudgetLine,
)
from ap_finance.domain.errors import FinanceRuleViolation

from .conftest import FINANCE_OFFICER, HOST, HOST_FINANCE, PARTNERSHIP, PARTNERSHIP_LEAD, YEAR, Actor, World

pytestmark = pytest.mark.integration

CATEGORIES = ("staffing", "resources", "transport")
amounts = st.integers(min_value=1, max_value=4_000_000)
step = st.one_of(
    st.tuples(st.just("spend"), st.sampled_from(CATEGORIES), amounts),
    st.tuples(st.just("commit"), st.sampled_from(CATEGORIES), amounts),
    st.tuples(st.just("release"), st.sampled_from(CATEGORIES), amounts),
    st.tuples(st.just("vire"), st.sampled_from(CATEGORIES), amounts),
    st.tuples(st.just("approve"), st.just(""), amounts),
    st.tuples(st.just("close"), st.just(""), st.just(0)),
    st.tuples(st.just("allocate"), st.just(""), amounts),
    st.tuples(st.just("clawback"), st.just(""), amounts),
    st.tuples(st.just("carry"), st.just(""), amounts),
)


def request_for(kind: str, category: str, pence: int, scope: dict[str, Any], commitments: list[Any]
                ) -> tuple[Actor, FinanceRequest]:
    common = {"command_id": uuid4(), **scope}
    line = {"category": category, "funding_source": "dsg_allocation"}
    if kind == "spend":
        return HOST_FINANCE, RecordSpend(**common, **line, spend_id=uuid4(), supplier="S", amount_pence=pence,
                                         spent_on="2025-06-01", evidence_reference="I")
    if kind == "commit":
        commitments.append(uuid4())
        return HOST_FINANCE, RaiseCommitment(**common, **line, commitment_id=commitments[-1], supplier="S",
                                             amount_pence=pence, raised_on="2025-06-01", evidence_reference="P")
    if kind == "release" and commitments:
        return HOST_FINANCE, ReleaseCommitment(**common, commitment_id=commitments[pence % len(commitments)],
                                               released_on="2025-07-01", reason="cancelled")
    if kind == "vire":
        target = CATEGORIES[(CATEGORIES.index(category) + 1) % len(CATEGORIES)]
        commitments.append(virement := uuid4())  # a virement id too: approving an unknown one is refused
        return HOST_FINANCE, RequestVirement(**common, virement_id=virement, from_category=category,
                                             to_category=target, funding_source="dsg_allocation",
                                             amount_pence=pence, reason="R")
    if kind == "approve" and commitments:
        # Approval is its own step, by another person (the Partnership lead); issue 12.
        return PARTNERSHIP_LEAD, ApproveVirement(**common, virement_id=commitments[pence % len(commitments)])
    if kind == "allocate":
        schools = [{"school_id": f"school-{n}", "pupil_roll": 100 + n, "deprivation_index": "0.2",
                    "pupil_premium_count": n, "free_school_meals_count": n, "send_count": n,
                    "equity_weight": str(n + 1)} for n in range(3)]
        return PARTNERSHIP_LEAD, AllocateSurplus(**common, allocation_id=uuid4(), method="equity_based",
                                                 schools=schools, amount_pence=pence)
    if kind == "clawback":
        return FINANCE_OFFICER, ClawBack(**common, clawback_id=uuid4(), amount_pence=pence, reason="R")
    if kind == "carry":
        return FINANCE_OFFICER, RecordCarryForward(**common, carry_forward_id=uuid4(), amount_pence=pence)
    return FINANCE_OFFICER, CloseYear(**common, closed_on="2026-04-10")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=14))
async def test_any_sequence_of_commands_keeps_the_ledger_reconciled(world: World,
                                                                    steps: list[tuple[str, str, int]]) -> None:
    scope = {"provision_id": f"pbp-prop-{uuid4().hex[:10]}", "financial_year": YEAR}
    await world.commands.handle(FINANCE_OFFICER.principal, SetBudget(
        command_id=uuid4(), **scope, budget_id=uuid4(), host_school_id=HOST, partnership_id=PARTNERSHIP,
        dsg_allocation_pence=12_000_000))
    for category in CATEGORIES:
        await world.commands.handle(FINANCE_OFFICER.principal, SetBudgetLine(
            command_id=uuid4(), **scope, category=category, funding_source="dsg_allocation", amount_pence=3_000_000))
    commitments: list[Any] = []
    for kind, category, pence in steps:
        actor, request = request_for(kind, category, pence, scope, commitments)
        before = await world.version(scope["provision_id"])
        try:
            await world.commands.handle(actor.principal, request)
        except FinanceRuleViolation:
            assert await world.version(scope["provision_id"]) == before
    await world.project()
    report = await world.queries.reconciliation(FINANCE_OFFICER.principal, scope["provision_id"], YEAR)
    assert report.ok, report.differences
    assert report.compared_with_event_stream
