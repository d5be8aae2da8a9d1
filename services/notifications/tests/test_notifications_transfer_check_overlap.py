"""Two transfer checks at once (issue 11, more than one of everything): each overdue recorded once.

The check runs as a CronJob with ``concurrencyPolicy: Forbid``, but an operator's manual run
(``kubectl create job --from=cronjob/...``) can overlap the scheduled one. The guard is in the data:
the overdue record's command id is derived from the transfer alone, and each alert's from (cause,
rule, audience, recipient), so whichever run is second is answered with the first one's outcome.
Two check processes (``python -m ap_notifications.entrypoints.transfer_check``) start together over
the same unconfirmed transfers, one of them a day later (a manual run with ``--today``): both finish
cleanly; each transfer has one ``SafeguardingFileTransferOverdue``, each DSL one alert, and the
outbox one file per alert.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
import pytest_asyncio

from ap_contracts.envelope import Actor
from ap_notifications.domain.commands import OfferTransfer
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_testing.notifications.builders import NEW_SCHOOL, PROVISION
from ap_testing.notifications.checks import run_check_process, services_with_check_env
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

DSL_ACTOR = Actor(user_id="dsl@provision", organisation_id=PROVISION, roles=("dsl",))
TRANSFERS = 12


@pytest_asyncio.fixture(loop_scope="session")
async def checked(new_database: Callable[[str], Awaitable[str]], kafka_bootstrap: str,
                  tmp_path: Path) -> AsyncIterator[tuple[NotificationServices, dict[str, str], Path]]:
    """The service on its own databases, and the environment a check process needs to run on them."""
    outbox = tmp_path / "outbox"
    async with services_with_check_env(new_database, kafka_bootstrap, outbox, "overlap") as (services, env):
        yield services, env, outbox


async def test_two_checks_at_once_record_each_overdue_transfer_and_alert_once(
    checked: tuple[NotificationServices, dict[str, str], Path],
) -> None:
    services, env, outbox = checked
    offers = [OfferTransfer(transfer_id=uuid4(), pupil_ref=uuid4(), from_organisation_id=PROVISION,
                            to_organisation_id=NEW_SCHOOL, receiving_dsl_organisation_id=NEW_SCHOOL,
                            offered_at=datetime(2025, 3, 10, 10, tzinfo=UTC)) for _ in range(TRANSFERS)]
    for offer in offers:
        await services.transfers.offer(offer, DSL_ACTOR, PROVISION, uuid4())

    # Weeks past every due date, whatever the school calendar: the scheduled run and a manual one a day on.
    runs = await asyncio.gather(*(run_check_process("transfer_check", env, "--today", day)
                                  for day in ("2025-06-30", "2025-07-01")))
    assert [code for code, _ in runs] == [0, 0], runs

    stored = await read_everything_stored(services.store)
    overdue = Counter(str(e.payload["transfer_id"]) for e in stored
                      if e.event_type == "SafeguardingFileTransferOverdue")
    assert overdue == Counter({str(o.transfer_id): 1 for o in offers})
    sent = [e.payload for e in stored if e.event_type == "NotificationSent"
            and e.payload["rule_name"] == "safeguarding_file_transfer_overdue"]
    per_alert = Counter((str(p["cause_event_id"]), p["audience"], p["recipient_organisation_id"]) for p in sent)
    assert set(per_alert.values()) == {1} and len(per_alert) == 2 * TRANSFERS  # both DSLs of each transfer
    ids = {str(p["notification_id"]) for p in sent}
    assert ids <= {p.name.removesuffix(".json") for p in outbox.iterdir() if not p.name.startswith(".tmp-")}
