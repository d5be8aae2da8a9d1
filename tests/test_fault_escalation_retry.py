"""An escalation step whose delivery failed is retried with the at-once backoff, exactly once across a SIGKILL.

Issue 14 guarantee: delivery retried with backoff and dead-lettered after a bound, escalation included; one
message per (rule, triggering event, recipient) across restart and escalation. Real PostgreSQL (the service's
databases), the real check processes (``python -m ap_notifications.entrypoints.escalation_check`` and
``digest_check``) delivering by SMTP to a local relay, and a controllable clock (``--now``):

1. an urgent alert to the home school is delivered at once (to the test's file outbox); the relay is down;
2. the escalation check, past the deadline, records step 1 (the deputy DSL) and fails to deliver it: recorded
   ``NotificationDeliveryFailed`` with ``will_retry=true`` and held for the periodic check;
3. when the first backoff step is over the digest check takes the step and connects to a relay that never
   answers; it is SIGKILLed in the middle of the conversation;
4. the relay is back; neither the escalation check nor a digest check before the next backoff step sends it;
   the check after it delivers the step: handed to SMTP exactly once, recorded delivered, nothing held.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.notifications import Audience, EscalationRole
from ap_notifications.domain.alerts import Alert, Priority
from ap_notifications.domain.commands import SetEscalationChain
from ap_notifications.domain.escalation import escalation_message_id
from ap_notifications.domain.notification import notification_id_for
from ap_runtime.access import Principal, Role
from ap_testing.notifications.builders import HOME_SCHOOL
from ap_testing.notifications.checks import services_with_check_env
from ap_testing.smtp_server import LocalSmtpServer
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.fault  # a check process is SIGKILLed mid-send (ap_testing.levels)

SENT_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning: no quiet hours
DEADLINE = timedelta(minutes=30)  # the default escalation rule book's deadline for an urgent alert
DIRECTORY = {HOME_SCHOOL: {"default": "office@home-school.example", "deputy_dsl": "deputy-dsl@home-school.example"}}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class SilentRelay:
    """A relay that accepts connections and never answers: a sender waits in the middle of the conversation."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connected = asyncio.Event()
        self._server: asyncio.Server | None = None

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connected.set()
        await reader.read()  # until the sender is killed and its socket closes
        writer.close()

    async def __aenter__(self) -> SilentRelay:
        self._server = await asyncio.start_server(self._session, "127.0.0.1", self.port, reuse_address=True)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


async def run_check(module: str, env: dict[str, str], now: datetime) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", f"ap_notifications.entrypoints.{module}", "--now", now.isoformat(),
        env={**os.environ, **env}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def check(module: str, env: dict[str, str], now: datetime) -> str:
    process = await run_check(module, env, now)
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, out.decode()
    return out.decode()


async def test_a_failed_escalation_step_is_retried_with_backoff_and_delivered_once_across_a_sigkill(
    new_database: Callable[[str], Awaitable[str]], kafka_bootstrap: str, tmp_path: Path,
) -> None:
    relay = await LocalSmtpServer().start()
    recipients = tmp_path / "recipients.json"
    recipients.write_text(json.dumps(DIRECTORY), encoding="utf-8")
    smtp_env = {"AP_NOTIFY_DELIVERY": "smtp", "AP_NOTIFY_SMTP_HOST": relay.host, "AP_NOTIFY_SMTP_PORT": str(relay.port),
                "AP_NOTIFY_RECIPIENTS_FILE": str(recipients)}
    async with services_with_check_env(new_database, kafka_bootstrap, tmp_path / "outbox", "escretry",
                                       extra_env=smtp_env, clock=Clock(SENT_AT)) as (services, env):
        head = Principal(f"head@{HOME_SCHOOL}", HOME_SCHOOL, OrgKind.HOME_SCHOOL, frozenset({Role.HOME_SCHOOL_HEAD}))
        await services.escalation.set_chain(
            SetEscalationChain(HOME_SCHOOL, (EscalationRole.DEPUTY_DSL, EscalationRole.HEAD), head.user_id),
            head, uuid4(), uuid4())
        alert = Alert(rule_name="physical_intervention", audience=Audience.HOME_SCHOOL,
                      recipient_organisation_id=HOME_SCHOOL, pupil_ref=uuid4(), cause_event_id=uuid4(),
                      cause_event_type="PhysicalInterventionRecorded", template_id="physical_intervention",
                      priority=Priority.URGENT, link_path="/pupils/x/incidents/y")
        # The alert itself goes at once (to this process's file outbox); the check processes send by SMTP.
        assert (await services.dispatcher.dispatch(alert, uuid4())).delivered_now
        nid = notification_id_for(alert.cause_event_id, alert.rule_name, alert.audience, HOME_SCHOOL)
        step_id = escalation_message_id(nid, 1, HOME_SCHOOL, EscalationRole.DEPUTY_DSL)
        await relay.stop()

        await check("escalation_check", env, SENT_AT + DEADLINE)
        stored = await read_everything_stored(services.store)
        assert [(e.payload["attempt"], e.payload["will_retry"]) for e in stored
                if e.event_type == "NotificationDeliveryFailed"] == [(1, True)]

        async with SilentRelay(relay.port) as silent:
            process = await run_check("digest_check", env, SENT_AT + DEADLINE + timedelta(minutes=1))
            await asyncio.wait_for(silent.connected.wait(), 60)
            process.send_signal(signal.SIGKILL)
            await process.wait()
            assert process.returncode == -signal.SIGKILL

        await relay.start()
        # The killed check's claim moved the step to its next backoff step (2 minutes): nothing goes before it,
        # and the escalation check leaves a held step to the periodic check.
        await check("escalation_check", env, SENT_AT + DEADLINE + timedelta(minutes=2))
        await check("digest_check", env, SENT_AT + DEADLINE + timedelta(minutes=2))
        assert relay.handed == []
        await check("digest_check", env, SENT_AT + DEADLINE + timedelta(minutes=3))
        await check("digest_check", env, SENT_AT + DEADLINE + timedelta(minutes=10))
        await check("escalation_check", env, SENT_AT + DEADLINE + timedelta(minutes=10))
        assert [(m.message_id, m.to) for m in relay.handed] == [(f"<{step_id}@ap-platform>",
                                                                 "deputy-dsl@home-school.example")]
        assert await services.dispatcher.delivered(step_id)
        assert await services.pool.fetchval("SELECT count(*) FROM notification_held") == 0
        stored = await read_everything_stored(services.store)
        assert [e.payload["step"] for e in stored if e.event_type == "AlertEscalated"] == [1]
    await relay.stop()
