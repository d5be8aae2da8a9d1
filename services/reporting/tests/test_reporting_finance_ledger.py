"""Finance's events reach the annual report's Budget Summary (issue 15): a partnership's budget (set, lines, a
virement, spend, a commitment part settled; another partnership's budget beside it) goes through a real event
store, the relay and Kafka into reporting's finance projection, and the report's Budget Summary shows finance's
ledger for it. Then more spend is recorded: the report as recorded by the moment before it is byte-identical to
the first reading, and rebuilding the read model into a new generation gives the same bytes, now and as then."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from uuid import uuid4

import asyncpg
import pytest
from pydantic import TypeAdapter

from ap_contracts.envelope import Actor
from ap_contracts.events.finance import BudgetCategory, FinanceEvent
from ap_reporting.adapters.partnership_annual_document import partnership_annual_document
from ap_reporting.domain.annual_narrative import AnnualNarrative
from ap_reporting.domain.budget_summary import BudgetLine, BudgetSummary, budget_summary
from ap_reporting.domain.partnership_annual import assemble_partnership_annual
from ap_reporting.projections.finance_ledger import ReportingFinanceProjection, read_finance_events
from ap_runtime.documents import render_html
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.projection import ProjectionRunner, active_schema
from ap_runtime.projection.rebuild import rebuild
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay
from ap_testing.reporting.finance_budget import partnership_budget, spend

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

YEAR = "2024/25"
ACTOR = Actor(user_id="finance-officer", organisation_id="la-county")


async def _report(pool: asyncpg.Pool, recorded_by: datetime | None = None) -> str:
    """The Budget Summary as the annual report's JSON carries it (pydantic's serialisation of its ``budget``
    field) and as its document prints it: what this read model feeds (the report's CSV holds the facts' tables)."""
    summary = budget_summary("np-1", YEAR, await read_finance_events(pool, recorded_by))
    figures = assemble_partnership_annual("np-1", YEAR, [], [], sexes={})
    document = render_html(partnership_annual_document(figures, AnnualNarrative("np-1", YEAR), summary))
    return TypeAdapter(BudgetSummary).dump_json(summary).decode() + "\n" + document


async def _append(store: EventStore, stream: str, version: int, events: list[FinanceEvent]) -> None:
    await store.append(stream, version, [NewEvent(e, ACTOR, ACTOR.organisation_id, uuid4()) for e in events])


async def _applied(runner: ProjectionRunner, total: int) -> None:
    deadline = asyncio.get_running_loop().time() + 90
    while runner.applied < total:
        assert asyncio.get_running_loop().time() < deadline, f"applied {runner.applied} of {total}"
        await asyncio.sleep(0.2)


async def _rebuilt(pool: asyncpg.Pool, kafka_bootstrap: str, topic: str) -> None:
    """The read model rebuilt from the topic's start into a new generation, which then serves."""
    async with pool.acquire() as conn:
        serving = await active_schema(conn, ReportingFinanceProjection.name)
    runner = ProjectionRunner(ReportingFinanceProjection(topics=(topic,)), pool, kafka_bootstrap,
                              group_id=f"rpt-fin-rebuild-{uuid4().hex}")
    await runner.start()
    try:
        assert await rebuild(runner, pool, kafka_bootstrap, show_progress=False) != serving
    finally:
        await runner.stop()


async def test_finance_s_events_reach_the_budget_summary_and_later_spend_leaves_a_past_report_unchanged(
    new_database: Callable[[str], Awaitable[str]], new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str,
) -> None:
    ours, theirs = partnership_budget("np-1"), partnership_budget("np-2")
    events_pool = await asyncpg.create_pool(await new_database("rpt_fin_events"), min_size=1, max_size=4)
    pool = await asyncpg.create_pool(await new_database("rpt_fin"), min_size=1, max_size=4)
    topic = await new_topic("rpt-finance")
    await migrate(events_pool)
    store = EventStore(events_pool)
    stream = f"budget-{ours[0].budget_id}"
    await _append(store, stream, 0, ours)
    await _append(store, f"budget-{theirs[0].budget_id}", 0, theirs)
    stop = asyncio.Event()
    relay = asyncio.create_task(Relay(events_pool, kafka_bootstrap, "rpt-fin-relay", topic_override=topic).run(stop))
    runner = ProjectionRunner(ReportingFinanceProjection(topics=(topic,)), pool, kafka_bootstrap,
                              group_id=f"ap.projection.reporting_finance-{uuid4().hex[:8]}")
    app = build_app([runner], kafka_bootstrap)
    try:
        async with app.broker:  # type: ignore[union-attr]
            await runner.start()
            await app.broker.start()  # type: ignore[union-attr]
            await _applied(runner, len(ours) + len(theirs))
            first = await _report(pool)
            between = await events_pool.fetchval("SELECT max(recorded_at) FROM events")
            await asyncio.sleep(0.05)
            later = spend(ours[0].model_dump(include={"budget_id", "provision_id", "financial_year"}),
                          BudgetCategory.STAFFING, 3_000_00)
            await _append(store, stream, len(ours), [later])
            await _applied(runner, len(ours) + len(theirs) + 1)
            now = await _report(pool)
            summary = budget_summary("np-1", YEAR, await read_finance_events(pool))
            assert summary.line("Staffing") == BudgetLine("Staffing", 61_000_00, 5_000_00, 0, 56_000_00)
            assert await _report(pool, between) == first and now != first
            assert "£59,000.00" in first and "£56,000.00" in now  # the Staffing line's remaining, then and now
            await runner.stop()
            await _rebuilt(pool, kafka_bootstrap, topic)
            assert await _report(pool) == now and await _report(pool, between) == first
    finally:
        stop.set()
        await relay
        await pool.close()
        await events_pool.close()
