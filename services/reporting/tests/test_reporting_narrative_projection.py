"""The annual narrative reaches reporting only as published (issue 15): commissioning's narrative stream (drafts,
approvals, a publication; a second partnership's drafts never published) goes through a real event store, the
relay and Kafka into the reporting commissioning projection, which keeps the published texts only; the
document built from them shows every approved text and nothing of the unpublished partnership."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from uuid import uuid4

import asyncpg
import pytest

from ap_contracts.envelope import Actor
from ap_contracts.events.commissioning_narrative import AnnualNarrativePublished
from ap_reporting.adapters.partnership_annual_document import AWAITING, partnership_annual_document
from ap_reporting.domain.annual_narrative import NARRATIVE_SECTIONS
from ap_reporting.domain.budget_summary import budget_summary
from ap_reporting.domain.partnership_annual import assemble_partnership_annual
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection, read_narrative
from ap_runtime.documents import render_html
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.projection import ProjectionRunner
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay
from ap_testing.reporting.narrative import narrative_events

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

LEAD, CHAIR = "lead-np-1", "chair-np-1"


async def test_only_the_published_narrative_reaches_reporting_with_every_approved_text(
    new_database: Callable[[str], Awaitable[str]], new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str,
) -> None:
    published = narrative_events("np-1", "2024/25", LEAD, CHAIR, lambda section: f"{section}: our year.")
    unpublished = narrative_events("np-2", "2024/25", LEAD, CHAIR, lambda section: f"{section}: UNPUBLISHED")[:-1]
    events_pool = await asyncpg.create_pool(await new_database("rpt_narr_events"), min_size=1, max_size=4)
    pool = await asyncpg.create_pool(await new_database("rpt_narr"), min_size=1, max_size=4)
    topic = await new_topic("rpt-narrative")
    await migrate(events_pool)
    actor = Actor(user_id=LEAD, organisation_id="np-1")
    store = EventStore(events_pool)
    for stream, events in (("narrative-np-1-2024-25", published), ("narrative-np-2-2024-25", unpublished)):
        await store.append(stream, 0, [NewEvent(e, actor, actor.organisation_id, uuid4()) for e in events])
    stop = asyncio.Event()
    relay = asyncio.create_task(Relay(events_pool, kafka_bootstrap, "rpt-narr-relay", topic_override=topic).run(stop))
    runner = ProjectionRunner(ReportingCommissioningFactsProjection(topics=(topic,)), pool, kafka_bootstrap,
                              group_id=f"ap.projection.reporting_commissioning-{uuid4().hex[:8]}")
    app = build_app([runner], kafka_bootstrap)
    try:
        await _apply_all(app, runner, len(published) + len(unpublished))
        ours, theirs = await read_narrative(pool, "np-1", "2024/25"), await read_narrative(pool, "np-2", "2024/25")
    finally:
        stop.set()
        await relay
        await pool.close()
        await events_pool.close()
    assert isinstance(published[-1], AnnualNarrativePublished)
    assert ours.published_by == LEAD and [s.section for s in ours.sections] == list(NARRATIVE_SECTIONS)
    assert theirs.sections == () and theirs.published_by is None
    figures = assemble_partnership_annual("np-1", "2024/25", [], [], sexes={})
    html = render_html(partnership_annual_document(figures, ours, budget_summary("np-1", "2024/25", [])))
    assert "Future Proofing: our year." in html and AWAITING not in html
    other = render_html(partnership_annual_document(assemble_partnership_annual("np-2", "2024/25", [], [], sexes={}),
                                                    theirs, budget_summary("np-2", "2024/25", [])))
    assert "UNPUBLISHED" not in other and "draft, not published" in other


async def _apply_all(app: object, runner: ProjectionRunner, total: int) -> None:
    broker = app.broker  # type: ignore[attr-defined]
    async with broker:
        await runner.start()
        await broker.start()
        deadline = asyncio.get_running_loop().time() + 90
        while runner.applied < total:
            assert asyncio.get_running_loop().time() < deadline, f"applied {runner.applied} of {total}"
            await asyncio.sleep(0.2)
        await runner.stop()
