"""Ledger and reconciliation through the API: balances that equal the domain's fold of the stream, a
reconciliation that proves it (and catches a tampered read model), and own-budgets-only access."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ap_contracts.envelope import OrgKind
from ap_finance.domain.evolve import fold
from ap_finance.projections.ledger import FinanceLedgerProjection
from ap_runtime.access import Role
from ap_runtime.projection.store import active_schema

from .conftest import (
    FINANCE_OFFICER,
    HOST_FINANCE,
    OTHER_HOST_FINANCE,
    OTHER_PARTNERSHIP_LEAD,
    PARTNERSHIP_LEAD,
    PROVISION_MANAGER,
    PROVISION_STAFF,
    YEAR,
    Actor,
    World,
    budget_path,
    busy_budget,
    standard_budget,
)

pytestmark = pytest.mark.integration

SCHOOLS_FORUM = Actor("forum-member-1", "forum-test", OrgKind.SCHOOLS_FORUM, Role.SCHOOLS_FORUM_MEMBER)


async def test_ledger_is_503_until_projected_then_equals_the_fold_of_the_stream(
    api: httpx.AsyncClient, world: World
) -> None:
    await busy_budget(api)
    waiting = await api.get(budget_path("/ledger"), headers=FINANCE_OFFICER.headers)
    assert waiting.status_code == 503
    assert waiting.headers["retry-after"] == "1"
    await world.project()
    ledger: dict[str, Any] = (await api.get(budget_path("/ledger"), headers=FINANCE_OFFICER.headers)).json()
    assert ledger["up_to_date"] is True
    state = fold(await world.store.load(f"budget-pbp-test-north-{YEAR}"))  # type: ignore[arg-type]
    assert ledger["total"] == {
        "budget_pence": state.funding_total_pence(),
        "actual_pence": state.actual_total_pence(),
        "committed_pence": state.committed_total_pence(),
        "remaining_pence": state.balance_pence(),
    }
    assert ledger["total"]["actual_pence"] == 123_456 + 2_000_000 + 85_040 + 250_000  # the £35k item waits
    assert ledger["total"]["committed_pence"] == 350_000
    for line in ledger["lines"]:
        if line["category"] == "unallocated":
            continue
        cell = (line["category"], line["funding_source"])
        assert line["budget_pence"] == state.line_budget_pence[cell]  # type: ignore[index]
        assert line["actual_pence"] == state.actual_pence.get(cell, 0)  # type: ignore[call-overload]
        assert line["remaining_pence"] == state.remaining_pence(cell)  # type: ignore[arg-type]
    resources = next(c for c in ledger["by_category"] if c["category"] == "resources")
    assert resources["budget_pence"] == 1_700_000


async def test_reconciliation_proves_the_ledger_and_catches_a_tampered_balance(
    api: httpx.AsyncClient, world: World
) -> None:
    await busy_budget(api)
    await world.project()
    report = (await api.get(budget_path("/reconciliation"), headers=FINANCE_OFFICER.headers)).json()
    assert report["ok"] is True, report["differences"]
    assert report["compared_with_event_stream"] is True
    assert report["transactions"] > 0
    async with world.pool.acquire() as conn:
        schema = await active_schema(conn, FinanceLedgerProjection.name)
        await conn.execute(f"UPDATE {schema}.line_balances SET actual_pence = actual_pence + 1"
                           " WHERE category = 'resources' AND funding_source = 'dsg_allocation'")
    report = (await api.get(budget_path("/reconciliation"), headers=FINANCE_OFFICER.headers)).json()
    assert report["ok"] is False
    checks = {d["check"] for d in report["differences"]}
    assert checks == {"balances_table_matches_entries", "ledger_matches_event_stream"}


async def test_redelivered_events_change_nothing(api: httpx.AsyncClient, world: World) -> None:
    await busy_budget(api)
    await world.project()
    before = (await api.get(budget_path("/ledger"), headers=FINANCE_OFFICER.headers)).json()
    world.checkpoint = type(world.checkpoint)()  # replay every event from the start
    assert await world.project() == 0
    assert (await api.get(budget_path("/ledger"), headers=FINANCE_OFFICER.headers)).json() == before


@pytest.mark.parametrize(
    ("actor", "ledger", "reports"),
    [
        (FINANCE_OFFICER, 200, 200),
        (HOST_FINANCE, 200, 200),
        (PARTNERSHIP_LEAD, 200, 200),
        (PROVISION_MANAGER, 200, 200),
        (SCHOOLS_FORUM, 403, 200),
        (OTHER_HOST_FINANCE, 403, 403),
        (OTHER_PARTNERSHIP_LEAD, 403, 403),
        (PROVISION_STAFF, 403, 403),
    ],
    ids=["la-finance", "host-finance", "np-lead", "provision-manager", "schools-forum", "other-host",
         "other-np", "provision-staff"],
)
async def test_readers_see_their_own_budgets_only(
    api: httpx.AsyncClient, world: World, actor: Actor, ledger: int, reports: int
) -> None:
    await standard_budget(api)
    await world.project()
    assert (await api.get(budget_path("/ledger"), headers=actor.headers)).status_code == ledger
    assert (await api.get(budget_path("/reconciliation"), headers=actor.headers)).status_code == ledger
    for path in ("/reports/quarterly-return?quarter=1", "/reports/termly-monitoring?term=summer",
                 "/reports/governing-body-summary"):
        assert (await api.get(budget_path(path), headers=actor.headers)).status_code == reports, path
