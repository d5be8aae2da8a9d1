"""Issue 13 through the notifications API: a file offered over HTTP is due after 5 of the receiving
setting's school days, counted with its calendar (INSET days and bank holidays skipped), on real
PostgreSQL with real tokens and the real access policy.

The API stamps the offer with the current time, so the calendar here is built around today: the
receiving school's next three weekdays are its INSET days, and the expected deadline is counted
independently in the test (weekdays, minus those days and England's bank holidays).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import holidays
import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind
from ap_contracts.events.privacy import SafeguardingFileOffered
from ap_notifications.application.transfers import TransferService
from ap_notifications.entrypoints.api import ApiDeps, create_app
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.projections.alerting import AlertingProjection
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenIssuer, TokenVerifier, generate_keypair, open_audit_pool
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.projection.store import ensure_registered
from ap_runtime.school_days import (
    HalfTerm,
    Nation,
    SchoolCalendar,
    SchoolCalendars,
    SchoolOverride,
    Term,
    academic_year_of,
)
from ap_testing.notifications.builders import NEW_SCHOOL, PROVISION, Events, received
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.NOTIFICATIONS)
AREA = "la-test-calendar"


def provision_dsl() -> dict[str, str]:
    """A fresh token per request: a token carries one write."""
    minted = ISSUER.mint(user_id=f"user@{PROVISION}", organisation_id=PROVISION, org_kind=OrgKind.PROVISION,
                         roles=(Role.DSL,))
    return {"Authorization": f"Bearer {minted}"}


def weekdays_after(day: date) -> list[date]:
    found: list[date] = []
    while len(found) < 3:
        day += timedelta(days=1)
        if day.weekday() < 5:
            found.append(day)
    return found


def whole_year(label: str) -> HalfTerm:
    start = int(label[:4])
    # One span for the year: the INSET days and bank holidays are what this test crosses.
    return HalfTerm(label, Term.AUTUMN, 1, date(start, 9, 1), date(start + 1, 8, 31))


def calendar_around(today: date, inset: Sequence[date]) -> SchoolCalendars:
    this_year = academic_year_of(today)
    next_year = academic_year_of(date(int(this_year[:4]) + 1, 9, 1))
    calendar = SchoolCalendar(area_id=AREA, nation=Nation.ENGLAND,
                              half_terms=(whole_year(this_year), whole_year(next_year)),
                              schools={NEW_SCHOOL: SchoolOverride(non_teaching_days=frozenset(inset))})
    return SchoolCalendars(by_area={AREA: calendar}, area_of_school={NEW_SCHOOL: AREA})


def counted_independently(today: date, inset: Sequence[date], school_days: int) -> date:
    bank = holidays.country_holidays("GB", subdiv="ENG", years=(today.year, today.year + 1))
    day, left = today, school_days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in inset and day not in bank:
            left -= 1
    return day


@pytest_asyncio.fixture(loop_scope="session")
async def http(notif: NotificationServices, new_database: Callable[[str], Awaitable[str]],
               ev: Events) -> AsyncIterator[tuple[httpx.AsyncClient, list[date]]]:
    inset = weekdays_after(datetime.now(UTC).date())
    calendars = calendar_around(datetime.now(UTC).date(), inset)
    services = replace(notif, transfers=TransferService(notif.store, notif.executor, notif.dispatcher, notif.book,
                                                        calendars))
    alerting = AlertingProjection(services.dispatcher, services.transfers, services.book)
    schema = await ensure_registered(services.pool, alerting)
    async with services.pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {schema}, public")
        await alerting.apply(conn, received(ev.started()))
    audit_pool = await open_audit_pool(await new_database("notif_audit"))
    deps = ApiDeps(services, AccessGuard(AuditLog(audit_pool)),
                   TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.NOTIFICATIONS))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)), base_url="http://t") as client:
        yield client, inset
    await audit_pool.close()


async def test_an_offered_file_is_due_after_five_of_the_receiving_schools_days(
    http: tuple[httpx.AsyncClient, list[date]], notif: NotificationServices, ev: Events,
) -> None:
    client, inset = http
    body = {"transfer_id": str(uuid4()), "pupil_ref": str(ev.pupil_ref), "to_organisation_id": NEW_SCHOOL}
    offered = await client.post("/v1/safeguarding-transfers", json=body, headers=provision_dsl())
    assert offered.status_code == 201, offered.text
    today = datetime.now(UTC).date()  # the offer's day (a run across midnight UTC would be the next)
    assert date.fromisoformat(offered.json()["due_by"]) == counted_independently(today, inset, 5)
    stored = [e for e in await read_everything_stored(notif.store) if e.event_type == "SafeguardingFileOffered"]
    assert len(stored) == 1
    event = SafeguardingFileOffered.model_validate(stored[0].payload)
    assert (event.due_by_counted_with, event.rule_version) == (AREA, notif.book.version)


