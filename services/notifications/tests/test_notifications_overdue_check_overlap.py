"""Two overdue-work checks at once (issue 14; as the transfer check, issue 11): each step alerted once.

The scheduled ``python -m ap_notifications.entrypoints.overdue_check`` and an operator's manual run a day later
start together over placements whose reviews are long past: both finish cleanly, and each (item, due date, step,
recipient) has one ``NotificationSent`` and one outbox file, because each alert's id is derived from it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.projections.alerting import AlertingProjection
from ap_runtime.projection.store import ensure_registered
from ap_testing.notifications.builders import Events, home_school_registered, received
from ap_testing.notifications.checks import run_check_process, services_with_check_env
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

PLACEMENTS = 6


@pytest_asyncio.fixture(loop_scope="session")
async def checked(new_database: Callable[[str], Awaitable[str]], kafka_bootstrap: str,
                  tmp_path: Path) -> AsyncIterator[tuple[NotificationServices, dict[str, str], Path]]:
    outbox = tmp_path / "outbox"
    async with services_with_check_env(new_database, kafka_bootstrap, outbox, "overdue") as (services, env):
        yield services, env, outbox


async def test_two_checks_at_once_alert_each_owner_and_manager_once(
    checked: tuple[NotificationServices, dict[str, str], Path],
) -> None:
    services, env, outbox = checked
    projection = AlertingProjection(services.dispatcher, services.transfers, services.book)
    schema = await ensure_registered(services.pool, projection)
    events = [received(home_school_registered("la-home-county"))]
    events += [received(Events().started()) for _ in range(PLACEMENTS)]
    for event in events:
        async with services.pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {schema}, public")
            await projection.apply(conn, event)

    runs = await asyncio.gather(*(run_check_process("overdue_check", env, "--today", day)
                                  for day in ("2025-04-30", "2025-05-01")))
    assert [code for code, _ in runs] == [0, 0], runs

    stored = await read_everything_stored(services.store)
    sent = [e.payload for e in stored if e.event_type == "NotificationSent"]
    per_step = Counter((p["rule_name"], p["cause_event_id"], p["recipient_organisation_id"]) for p in sent)
    assert set(per_step.values()) == {1}
    assert Counter(rule for rule, _, _ in per_step) == Counter(
        {"placement_review_overdue": PLACEMENTS, "placement_review_overdue_to_manager": PLACEMENTS})
    files = {p.name.removesuffix(".json") for p in outbox.iterdir() if not p.name.startswith(".tmp-")}
    assert {str(p["notification_id"]) for p in sent} <= files
