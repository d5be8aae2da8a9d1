"""Scheduled check of urgent alerts nobody acknowledged: ``python -m ap_notifications.entrypoints.escalation_check``.

Records ``AlertEscalated`` for every notification past its deadline (``domain/escalation.py``) and sends the
step's message to the next role of the recipient organisation's chain. Run it every few minutes (a
Kubernetes CronJob): it is idempotent, so a second run, an overlapping run or a run after a restart records
and sends nothing twice. ``--now`` fixes the time (tests, catching up after an outage).
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from uuid import uuid4

from ap_notifications.adapters.escalation_index import StoreEscalationIndex
from ap_notifications.application.escalation import EscalationSent
from ap_notifications.entrypoints.bootstrap import NotificationServices, with_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_runtime.logging import configure_logging, get_logger

log = get_logger("ap.notifications.escalation_check")


async def check_escalations(services: NotificationServices, now: datetime) -> list[EscalationSent]:
    """The check itself, on open services, at the given time."""
    sent = await services.escalation.check(StoreEscalationIndex(services.pool), now, uuid4())
    for item in sent:
        log.warning("urgent alert escalated", notification_id=str(item.notification_id), step=item.step,
                    recipient_role=item.recipient_role, newly_recorded=item.newly_recorded,
                    delivered_now=item.delivered_now)
    return sent


async def run(now: datetime) -> int:
    return len(await with_services(lambda services: check_escalations(services, now)))


def aware_time(text: str) -> datetime:
    """``--now`` of a periodic check: an ISO 8601 time with its UTC offset."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"--now {text!r} needs a UTC offset, e.g. 2026-12-05T09:30:00+00:00")
    return moment


def main() -> None:
    parser = argparse.ArgumentParser(description="Escalate urgent alerts nobody acknowledged by their deadline.")
    parser.add_argument("--now", type=aware_time, default=None, help="ISO 8601 time with offset (default: now)")
    args = parser.parse_args()
    configure_logging(NotificationSettings.from_env().log_level)  # a bad value stops here, naming the variable
    escalated = asyncio.run(run(args.now or datetime.now(UTC)))
    print(f"{escalated} escalation step(s) recorded or delivered")


if __name__ == "__main__":
    main()
