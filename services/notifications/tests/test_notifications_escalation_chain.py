"""Escalation of an unacknowledged urgent alert (issue 14) driven by a controllable clock, on real PostgreSQL.

The alert is dispatched at a fixed time (the dispatcher's clock); the periodic check
(``entrypoints/escalation_check.py``) is run at chosen times, in this process and as fresh processes (a
restart between steps). Urgent alert, no acknowledgement: step 1 at the deadline, step 2 one deadline later,
then the acknowledgement, and nothing more; every step recorded once and delivered once.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind
from ap_contracts.events.notifications import Audience, EscalationRole
from ap_notifications.application.acknowledge import acknowledge
from ap_notifications.domain.alerts import Alert, Priority
from ap_notifications.domain.commands import SetEscalationChain
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.digest_check import send_due
from ap_notifications.entrypoints.escalation_check import check_escalations
from ap_notifications.projections.alerting import AlertingProjection
from ap_runtime.access import Principal, Role
from ap_runtime.projection.store import ensure_registered
from ap_testing.notifications.builders import HOME_SCHOOL, PROVISION, Events, received
from ap_testing.notifications.checks import check_succeeds, services_with_check_env
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

SENT_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEADLINE = timedelta(minutes=30)  # the default escalation rule book's deadline for an urgent alert
R = EscalationRole


class Clock:
    """The dispatcher's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def head_of(organisation_id: str, kind: OrgKind = OrgKind.HOME_SCHOOL,
            role: Role = Role.HOME_SCHOOL_HEAD) -> Principal:
    return Principal(f"head@{organisation_id}", organisation_id, kind, frozenset({role}))


def urgent(rule: str, audience: Audience, recipient: str) -> Alert:
    return Alert(rule_name=rule, audience=audience, recipient_organisation_id=recipient, pupil_ref=uuid4(),
                 cause_event_id=uuid4(), cause_event_type="SafeguardingConcernRaised", template_id=rule,
                 priority=Priority.URGENT, link_path="/pupils/x/safeguarding/y")


Checked = tuple[NotificationServices, dict[str, str], Path]


@pytest_asyncio.fixture(loop_scope="session")
async def checked(new_database: Callable[[str], Awaitable[str]], kafka_bootstrap: str,
                  tmp_path: Path) -> AsyncIterator[Checked]:
    """The service on its own databases with a fixed clock, and the environment a check process needs."""
    outbox = tmp_path / "outbox"
    async with services_with_check_env(new_database, kafka_bootstrap, outbox, "escalate",
                                       clock=Clock(SENT_AT)) as (services, env):
        yield services, env, outbox


async def check_in_a_new_process(env: dict[str, str], now: datetime) -> str:
    return await check_succeeds("escalation_check", env, "--now", now.isoformat())


async def escalations_recorded(services: NotificationServices, notification_id: UUID) -> list[tuple[int, str]]:
    stored = await read_everything_stored(services.store)
    return [(e.payload["step"], e.payload["recipient_role"]) for e in stored
            if e.event_type == "AlertEscalated" and e.payload["notification_id"] == str(notification_id)]


def delivered(outbox: Path) -> dict[str, dict[str, object]]:
    """The outbox's messages by message id."""
    return {p.name.removesuffix(".json"): json.loads(p.read_text()) for p in outbox.iterdir()
            if not p.name.startswith(".tmp-")}


def written(outbox: Path) -> dict[str, int]:
    """Each message file's inode: the outbox writes a new file and renames it over the old one, so a message
    delivered a second time gets a new inode."""
    return {p.name: p.stat().st_ino for p in outbox.iterdir() if not p.name.startswith(".tmp-")}


def break_outbox(outbox: Path) -> Path:
    """The outbox cannot be written (its directory is a file): a delivery fails as a passing provider error."""
    aside = outbox.with_name("outbox-aside")
    outbox.rename(aside)
    outbox.write_text("not a directory")
    return aside


def mend_outbox(outbox: Path, aside: Path) -> None:
    outbox.unlink()
    aside.rename(outbox)


async def test_an_unacknowledged_urgent_alert_climbs_the_chain_once_per_step_until_acknowledged(
    checked: Checked,
) -> None:
    services, env, outbox = checked
    # The senior leader is in the chain, but a safeguarding alert passes over anyone not a DSL or the head.
    await services.escalation.set_chain(
        SetEscalationChain(HOME_SCHOOL, (R.SENIOR_LEADER, R.DSL, R.DEPUTY_DSL, R.HEAD), "head@school"),
        head_of(HOME_SCHOOL), uuid4(), uuid4())
    alert = await services.dispatcher.dispatch(urgent("safeguarding_concern", Audience.HOME_SCHOOL, HOME_SCHOOL),
                                               uuid4())
    nid = alert.notification_id

    assert await check_escalations(services, SENT_AT + DEADLINE - timedelta(seconds=1)) == []
    step_1 = await check_escalations(services, SENT_AT + DEADLINE)
    assert [(s.step, s.recipient_role, s.newly_recorded, s.delivered_now) for s in step_1] == [
        (1, "dsl", True, True)]

    first_writes = written(outbox)
    assert len(first_writes) == 2  # the alert and step 1

    # The checker restarts (a new process) at the same moment and again before step 2 is due: nothing twice.
    await check_in_a_new_process(env, SENT_AT + DEADLINE)
    await check_in_a_new_process(env, SENT_AT + 2 * DEADLINE - timedelta(seconds=1))
    assert await escalations_recorded(services, nid) == [(1, "dsl")]

    await check_in_a_new_process(env, SENT_AT + 2 * DEADLINE)
    assert await escalations_recorded(services, nid) == [(1, "dsl"), (2, "deputy_dsl")]
    assert await check_escalations(services, SENT_AT + 2 * DEADLINE) == []  # the step the other process sent

    # The deputy DSL acknowledges before the head's step is due: the head is never told.
    await acknowledge(services.executor, nid, head_of(HOME_SCHOOL, role=Role.DSL),
                      SENT_AT + 2 * DEADLINE + timedelta(minutes=5), uuid4())
    assert await check_escalations(services, SENT_AT + 10 * DEADLINE) == []
    assert await escalations_recorded(services, nid) == [(1, "dsl"), (2, "deputy_dsl")]

    messages = delivered(outbox)
    steps = {str(m["recipient_role"]): m for m in messages.values() if m["cause_event_type"] == "AlertEscalated"}
    assert sorted(steps) == ["deputy_dsl", "dsl"]
    assert all(m["recipient_organisation_id"] == HOME_SCHOOL for m in steps.values())
    assert all(f"/notifications/{nid}" in str(m["body"]) for m in steps.values())
    assert len(messages) == 3  # the alert and its two steps
    final_writes = written(outbox)
    assert {name: final_writes[name] for name in first_writes} == first_writes, "a message was delivered again"


async def test_a_concern_with_immediate_risk_from_the_incidents_stream_escalates_and_a_lesser_one_does_not(
    notif: NotificationServices, ev: Events,
) -> None:
    # The priority the alert rules judged is recorded on NotificationSent, which is what the check reads: a
    # concern with immediate risk is urgent (escalates), one without is high (does not, by the default book).
    await notif.escalation.set_chain(SetEscalationChain(PROVISION, (R.DEPUTY_DSL, R.HEAD), "head@provision"),
                                     head_of(PROVISION, OrgKind.PROVISION, Role.PROVISION_MANAGER), uuid4(), uuid4())
    alerting = AlertingProjection(notif.dispatcher, notif.transfers, notif.book)
    schema = await ensure_registered(notif.pool, alerting)
    async with notif.pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {schema}, public")
        for event in (ev.started(), ev.concern(immediate_risk=True), ev.concern(immediate_risk=False)):
            await alerting.apply(conn, received(event))
    stored = await read_everything_stored(notif.store)
    dsl_alerts = {e.payload["priority"]: e.payload["notification_id"] for e in stored
                  if e.event_type == "NotificationSent" and e.payload["audience"] == "dsl"
                  and e.payload["recipient_organisation_id"] == PROVISION}
    assert sorted(dsl_alerts) == ["high", "urgent"]

    steps = await check_escalations(notif, datetime.now(UTC) + timedelta(minutes=31))
    assert [(str(s.notification_id), s.recipient_role) for s in steps] == [(dsl_alerts["urgent"], "deputy_dsl")]


async def test_a_step_whose_delivery_failed_is_retried_with_backoff_by_the_periodic_check_and_delivered_once(
    checked: Checked,
) -> None:
    services, env, outbox = checked
    await services.escalation.set_chain(SetEscalationChain(HOME_SCHOOL, (R.DEPUTY_DSL, R.HEAD), "head@school"),
                                        head_of(HOME_SCHOOL), uuid4(), uuid4())
    nid = (await services.dispatcher.dispatch(urgent("physical_intervention", Audience.HOME_SCHOOL, HOME_SCHOOL),
                                              uuid4())).notification_id
    # The outbox cannot be written (its directory is a file): step 1 is recorded, its delivery fails.
    aside = break_outbox(outbox)
    failed = await check_escalations(services, SENT_AT + DEADLINE)
    assert [(s.step, s.newly_recorded, s.delivered_now) for s in failed] == [(1, True, False)]
    stored = await read_everything_stored(services.store)
    assert [(e.payload["failure"], e.payload["attempt"], e.payload["will_retry"]) for e in stored
            if e.event_type == "NotificationDeliveryFailed"] == [("provider_error", 1, True)]

    mend_outbox(outbox, aside)
    # The retry is the periodic check's, after the at-once backoff's first step (a minute): the escalation check
    # leaves it alone, and the digest check before the minute sends nothing.
    assert await check_escalations(services, SENT_AT + DEADLINE + timedelta(seconds=30)) == []
    assert await send_due(services, SENT_AT + DEADLINE + timedelta(seconds=30)) == []
    assert not [m for m in delivered(outbox).values() if m["cause_event_type"] == "AlertEscalated"]
    [released] = await send_due(services, SENT_AT + DEADLINE + timedelta(minutes=1))
    assert released.delivered_now
    await check_in_a_new_process(env, SENT_AT + DEADLINE + timedelta(minutes=5))
    assert await check_escalations(services, SENT_AT + DEADLINE + timedelta(minutes=10)) == []
    assert await send_due(services, SENT_AT + DEADLINE + timedelta(minutes=20)) == []
    steps = [m for m in delivered(outbox).values() if m["cause_event_type"] == "AlertEscalated"]
    assert [m["recipient_role"] for m in steps] == ["deputy_dsl"]
    assert await escalations_recorded(services, nid) == [(1, "deputy_dsl")]


async def test_a_step_not_delivered_by_its_deadline_is_given_up_for_the_next(checked: Checked) -> None:
    services, _, outbox = checked
    await services.escalation.set_chain(SetEscalationChain(HOME_SCHOOL, (R.DEPUTY_DSL, R.HEAD), "head@school"),
                                        head_of(HOME_SCHOOL), uuid4(), uuid4())
    await services.dispatcher.dispatch(urgent("physical_intervention", Audience.HOME_SCHOOL, HOME_SCHOOL), uuid4())
    aside = break_outbox(outbox)
    assert [s.delivered_now for s in await check_escalations(services, SENT_AT + DEADLINE)] == [False]
    mend_outbox(outbox, aside)
    # Step 1's deadline has passed: step 2 goes, and the deputy DSL's message is no longer sent late, neither by
    # the escalation check nor by the retry waiting for the periodic check (it is dropped).
    later = await check_escalations(services, SENT_AT + 2 * DEADLINE)
    assert [(s.step, s.recipient_role, s.delivered_now) for s in later] == [(2, "head", True)]
    assert await send_due(services, SENT_AT + 2 * DEADLINE + timedelta(minutes=1)) == []
    steps = [m for m in delivered(outbox).values() if m["cause_event_type"] == "AlertEscalated"]
    assert [m["recipient_role"] for m in steps] == ["head"]
    assert await services.pool.fetchval("SELECT count(*) FROM notification_held") == 0


async def test_an_acknowledgement_drops_a_step_waiting_for_its_retry(checked: Checked) -> None:
    services, _, outbox = checked
    await services.escalation.set_chain(SetEscalationChain(HOME_SCHOOL, (R.DEPUTY_DSL, R.HEAD), "head@school"),
                                        head_of(HOME_SCHOOL), uuid4(), uuid4())
    nid = (await services.dispatcher.dispatch(urgent("physical_intervention", Audience.HOME_SCHOOL, HOME_SCHOOL),
                                              uuid4())).notification_id
    aside = break_outbox(outbox)
    assert [s.delivered_now for s in await check_escalations(services, SENT_AT + DEADLINE)] == [False]
    mend_outbox(outbox, aside)
    await acknowledge(services.executor, nid, head_of(HOME_SCHOOL), SENT_AT + DEADLINE + timedelta(seconds=20),
                      uuid4())
    assert await send_due(services, SENT_AT + DEADLINE + timedelta(minutes=1)) == []
    assert not [m for m in delivered(outbox).values() if m["cause_event_type"] == "AlertEscalated"]
