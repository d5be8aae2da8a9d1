"""The finance command handlers on real PostgreSQL: authorise first, identity from the token, the
carry-forward rule across two years' streams (including a race between them), and the envelope."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest

from ap_finance.domain.commands import (
    ClawBack,
    CloseYear,
    RecordCarryForward,
    RecordSpend,
    SetBudget,
    SetBudgetLine,
    SignItem,
)
from ap_finance.domain.errors import CarryForwardDoesNotMatchPreviousYear, FinanceRuleViolation, NextYearAlreadyBudgeted
from ap_runtime.access import AccessDenied, query

from .conftest import (
    FINANCE_OFFICER,
    HOST,
    HOST_FINANCE,
    NEXT_YEAR,
    OTHER_HOST_FINANCE,
    PARTNERSHIP,
    PARTNERSHIP_LEAD,
    PROVISION,
    YEAR,
    World,
)

pytestmark = pytest.mark.integration


def set_budget(year: str = YEAR, carry_forward_pence: int = 0, provision_id: str = PROVISION) -> SetBudget:
    return SetBudget(command_id=uuid4(), provision_id=provision_id, financial_year=year, budget_id=uuid4(),
                     host_school_id=HOST, partnership_id=PARTNERSHIP, dsg_allocation_pence=5_000_000,
                     carry_forward_pence=carry_forward_pence)


def spend(pence: int, spend_id: object = None) -> RecordSpend:
    return RecordSpend(command_id=uuid4(), provision_id=PROVISION, financial_year=YEAR,
                       spend_id=spend_id or uuid4(), supplier="Agency", category="staffing",
                       funding_source="dsg_allocation", amount_pence=pence, spent_on="2025-07-01",
                       evidence_reference="INV")


async def budget_with_staffing(world: World) -> None:
    await world.commands.handle(FINANCE_OFFICER.principal, set_budget())
    await world.commands.handle(FINANCE_OFFICER.principal, SetBudgetLine(
        command_id=uuid4(), provision_id=PROVISION, financial_year=YEAR, category="staffing",
        funding_source="dsg_allocation", amount_pence=5_000_000))


async def test_a_denied_caller_is_refused_before_anything_is_decided_and_is_audited(world: World) -> None:
    await budget_with_staffing(world)
    before = await world.version()
    with pytest.raises(AccessDenied):
        await world.commands.handle(OTHER_HOST_FINANCE.principal, spend(1_000))
    assert await world.version() == before
    [denial] = await query(world.pool, user=OTHER_HOST_FINANCE.user_id)
    assert (denial.decision, denial.action, denial.rule_id) == ("denied", "finance.record_spend", "FIN-HOST-1")


async def test_events_carry_the_caller_as_actor_and_the_host_school_as_organisation(world: World) -> None:
    await budget_with_staffing(world)
    result = await world.commands.handle(HOST_FINANCE.principal, spend(12_345))
    [stored] = await world.store.read_stream(result.stream_id, after_version=result.first_version - 1)
    assert stored.actor == HOST_FINANCE.principal.actor()
    assert stored.organisation_id == HOST
    assert stored.pii_subject is None


async def test_signatures_and_clawbacks_name_the_verified_caller(world: World) -> None:
    await budget_with_staffing(world)
    item = uuid4()
    await world.commands.handle(HOST_FINANCE.principal, spend(3_500_000, item))
    request = SignItem(command_id=uuid4(), provision_id=PROVISION, financial_year=YEAR, item_id=item)
    await world.commands.handle(HOST_FINANCE.principal, request)
    result = await world.commands.handle(PARTNERSHIP_LEAD.principal, request.model_copy(update={"command_id": uuid4()}))
    assert result.event_types == ("ItemSignatureAdded", "SpendRecorded")
    events = await world.store.load(result.stream_id)
    signed = [e for e in events if e.event_type == "ItemSignatureAdded"]
    assert [(e.signer_user_id, e.signer_organisation_id) for e in signed] == [  # type: ignore[attr-defined]
        (HOST_FINANCE.user_id, HOST), (PARTNERSHIP_LEAD.user_id, PARTNERSHIP)]
    await world.commands.handle(FINANCE_OFFICER.principal, CloseYear(
        command_id=uuid4(), provision_id=PROVISION, financial_year=YEAR, closed_on="2026-04-10"))
    claw = await world.commands.handle(FINANCE_OFFICER.principal, ClawBack(
        command_id=uuid4(), provision_id=PROVISION, financial_year=YEAR, clawback_id=uuid4(), amount_pence=1_000,
        reason="Retention level"))
    clawback = (await world.store.load(claw.stream_id))[-1]
    assert (clawback.authorised_by, clawback.local_authority_id) == (  # type: ignore[attr-defined]
        FINANCE_OFFICER.user_id, FINANCE_OFFICER.organisation_id)


async def test_a_first_year_on_the_platform_may_bring_any_opening_balance(world: World) -> None:
    result = await world.commands.handle(FINANCE_OFFICER.principal, set_budget(carry_forward_pence=777_777))
    assert result.event_types == ("BudgetSet",)


async def test_next_year_brings_forward_exactly_what_this_year_carried(world: World) -> None:
    await budget_with_staffing(world)
    await world.commands.handle(FINANCE_OFFICER.principal, CloseYear(
        command_id=uuid4(), provision_id=PROVISION, financial_year=YEAR, closed_on="2026-04-10"))
    with pytest.raises(CarryForwardDoesNotMatchPreviousYear):  # nothing carried yet
        await world.commands.handle(FINANCE_OFFICER.principal, set_budget(NEXT_YEAR, carry_forward_pence=1))
    for pence in (100_000, 23_456):
        await world.commands.handle(FINANCE_OFFICER.principal, RecordCarryForward(
            command_id=uuid4(), provision_id=PROVISION, financial_year=YEAR, carry_forward_id=uuid4(),
            amount_pence=pence))
    await world.commands.handle(FINANCE_OFFICER.principal, set_budget(NEXT_YEAR, carry_forward_pence=123_456))
    with pytest.raises(NextYearAlreadyBudgeted):
        await world.commands.handle(FINANCE_OFFICER.principal, RecordCarryForward(
            command_id=uuid4(), provision_id=PROVISION, financial_year=YEAR, carry_forward_id=uuid4(),
            amount_pence=1))


async def test_racing_carry_forward_and_next_budget_never_disagree(world: World) -> None:
    """£500 already carried; then a budget bringing £500 forward and a further £100 carry-forward race.
    Without the boundary lock both could pass and the years would disagree; with it exactly one does."""
    provisions = [f"pbp-race-{n}" for n in range(12)]

    def carry(provision: str, pence: int) -> RecordCarryForward:
        return RecordCarryForward(command_id=uuid4(), provision_id=provision, financial_year=YEAR,
                                  carry_forward_id=uuid4(), amount_pence=pence)

    async def attempt(command: SetBudget | RecordCarryForward) -> bool:
        try:
            await world.commands.handle(FINANCE_OFFICER.principal, command)
        except FinanceRuleViolation:
            return False
        return True

    for provision in provisions:
        await world.commands.handle(FINANCE_OFFICER.principal, set_budget(provision_id=provision))
        await world.commands.handle(FINANCE_OFFICER.principal, CloseYear(
            command_id=uuid4(), provision_id=provision, financial_year=YEAR, closed_on="2026-04-10"))
        await world.commands.handle(FINANCE_OFFICER.principal, carry(provision, 50_000))
    outcomes = await asyncio.gather(*(
        asyncio.gather(attempt(set_budget(NEXT_YEAR, 50_000, provision)), attempt(carry(provision, 10_000)))
        for provision in provisions
    ))
    for provision, (budgeted, carried_more) in zip(provisions, outcomes, strict=True):
        assert budgeted != carried_more
        this_year = await world.store.load(f"budget-{provision}-{YEAR}")
        recorded = sum(e.amount_pence for e in this_year  # type: ignore[attr-defined]
                       if e.event_type == "CarryForwardRecorded")
        next_year = await world.store.load(f"budget-{provision}-{NEXT_YEAR}")
        if budgeted:
            assert next_year[0].carry_forward_pence == recorded == 50_000  # type: ignore[attr-defined]
        else:
            assert (next_year, recorded) == ([], 60_000)
