"""Overdue provider self-audits (issue 14) through the overdue-work check, on real PostgreSQL with a fixed ``today``
as its clock: the provision is told once the day after its audit's due date, across two runs, then the
commissioner that requested it; an audit done, or another provision's audit, never alerts this provision;
a rating replaced counts once; a due date the commissioner moved counts from the move on, on its own audit only."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_quality import (
    RagRating,
    SelfAuditDueDateChanged,
    SelfAuditRequested,
    SelfAuditStatementRated,
)
from ap_contracts.events.notifications import NotificationSent
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.overdue_check import check_overdue
from ap_notifications.projections.self_audits import SelfAuditsProjection
from ap_runtime.projection.store import ensure_registered
from ap_testing.notifications.builders import received
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

OURS, OTHER, COMMISSIONER, YEAR = "prov-north-ap", "prov-south-ap", "la-sa-county", "2026-27"
DUE = date(2027, 3, 31)
STATEMENTS = ("behaviour-01", "behaviour-02", "behaviour-03")
AFTER = DEFAULT_RULE_BOOK.overdue_manager_after_days


def stream(provider: str) -> str:
    return f"self-audit-{provider}-{COMMISSIONER}-{YEAR}"


def requested(provider: str, due_on: date | None = DUE, count: int | None = len(STATEMENTS)) -> SelfAuditRequested:
    return SelfAuditRequested(provider_id=provider, commissioner_id=COMMISSIONER, academic_year=YEAR,
                              template_version="behaviour-policies-2026.1", requested_by="officer-1", due_on=due_on,
                              statement_count=count)


def rated(provider: str, statement_id: str) -> SelfAuditStatementRated:
    return SelfAuditStatementRated(provider_id=provider, academic_year=YEAR, statement_id=statement_id,
                                   rating=RagRating.GREEN, evidence="policy read by all staff", rated_by="manager-1")


def moved(provider: str, due_on: date) -> SelfAuditDueDateChanged:
    return SelfAuditDueDateChanged(provider_id=provider, commissioner_id=COMMISSIONER, academic_year=YEAR,
                                   previous_due_on=DUE, due_on=due_on, reason="provider's inspection week",
                                   changed_by="officer-1")


async def feed(notif: NotificationServices, events: list[tuple[str, DomainEvent]]) -> None:
    """Each event on the stream it was recorded on, as the worker reads ``ap.commissioning.events``."""
    projection = SelfAuditsProjection()
    schema = await ensure_registered(notif.pool, projection)
    for stream_id, event in events:
        plain = received(event, event_id=uuid4())
        envelope = plain.envelope.model_copy(update={"stream_id": stream_id})
        async with notif.pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {schema}, public")
            await projection.apply(conn, type(plain)(envelope, plain.payload, plain.topic, 0, 0))


async def sent(notif: NotificationServices) -> list[tuple[str, str, str]]:
    stored = await read_everything_stored(notif.store)
    events = [NotificationSent.model_validate(e.payload) for e in stored if e.event_type == "NotificationSent"]
    return sorted((s.rule_name, s.audience.value, s.recipient_organisation_id) for s in events)


def delivered_texts(outbox: Path) -> list[str]:
    return [path.read_text() for path in outbox.glob("*.json")]


OWNER = ("self_audit_overdue", "provision", OURS)
MANAGER = ("self_audit_overdue_to_manager", "commissioner", COMMISSIONER)


async def test_an_overdue_audit_tells_the_provision_once_over_two_runs_then_the_commissioner(
    notif: NotificationServices,
) -> None:
    await feed(notif, [(stream(OURS), requested(OURS)), (stream(OURS), rated(OURS, STATEMENTS[0]))])
    assert await check_overdue(notif, DUE) == []  # on the day: it may still be finished
    first = await check_overdue(notif, DUE + timedelta(days=1))
    second = await check_overdue(notif, DUE + timedelta(days=1))
    assert [d.newly_recorded for d in first] == [True]
    assert [d.newly_recorded for d in second] == [False]
    assert await sent(notif) == [OWNER]
    await check_overdue(notif, DUE + timedelta(days=AFTER + 1))
    await check_overdue(notif, DUE + timedelta(days=AFTER + 2))
    assert await sent(notif) == sorted([OWNER, MANAGER])


async def test_an_audit_done_after_its_date_owes_nothing_more(notif: NotificationServices) -> None:
    await feed(notif, [(stream(OURS), requested(OURS))])
    await check_overdue(notif, DUE + timedelta(days=1))
    # every statement rated, one of them twice (a rating replaced counts once)
    await feed(notif, [(stream(OURS), rated(OURS, s)) for s in (*STATEMENTS, STATEMENTS[0])])
    assert await check_overdue(notif, DUE + timedelta(days=AFTER + 1)) == []
    assert await sent(notif) == [OWNER]


async def test_another_provisions_overdue_audit_never_alerts_this_provision(
    notif: NotificationServices, outbox: Path,
) -> None:
    """Hostile: our audit is done and the other provision's is overdue under the same commissioner and year; only
    the other provision and the commissioner are told, and every link names the other provision's audit."""
    await feed(notif, [(stream(OURS), requested(OURS)), (stream(OTHER), requested(OTHER)),
                       *((stream(OURS), rated(OURS, s)) for s in STATEMENTS), (stream(OTHER), rated(OTHER, "x"))])
    dispatched = [*await check_overdue(notif, DUE + timedelta(days=1)),
                  *await check_overdue(notif, DUE + timedelta(days=AFTER + 1))]
    assert await sent(notif) == sorted([("self_audit_overdue", "provision", OTHER), MANAGER])
    assert len(dispatched) == 3  # the other provision on both days, its commissioner on the second
    delivered = delivered_texts(outbox)
    assert len(delivered) == 2
    assert all(f"/self-audits/{OTHER}/{COMMISSIONER}/{YEAR}" in text and OURS not in text for text in delivered)


async def test_a_request_recorded_before_it_stated_its_date_and_count_is_never_alerted(
    notif: NotificationServices,
) -> None:
    await feed(notif, [(stream(OURS), requested(OURS, due_on=None)), (stream(OTHER), requested(OTHER, count=None))])
    assert await check_overdue(notif, date(2030, 1, 1)) == []


async def test_a_moved_due_date_is_the_one_the_check_counts_from(notif: NotificationServices) -> None:
    later = DUE + timedelta(days=30)
    await feed(notif, [(stream(OURS), requested(OURS)), (stream(OURS), moved(OURS, later))])
    assert await check_overdue(notif, DUE + timedelta(days=1)) == []  # the first date has gone
    assert await check_overdue(notif, later) == []
    assert [d.newly_recorded for d in await check_overdue(notif, later + timedelta(days=1))] == [True]
    assert await sent(notif) == [OWNER]


async def test_a_move_recorded_on_another_audits_stream_leaves_ours_alone(notif: NotificationServices) -> None:
    """Hostile: a change naming our provision but recorded on the other provision's audit does not move ours."""
    await feed(notif, [(stream(OURS), requested(OURS)), (stream(OTHER), moved(OURS, DUE + timedelta(days=30)))])
    assert await sent(notif) == []
    await check_overdue(notif, DUE + timedelta(days=1))
    assert await sent(notif) == [OWNER]
