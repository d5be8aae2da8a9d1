"""Fixtures of the commissioning service's tests: a fresh database per test holding the event store and the
access audit, the real access policy and guard, tokens for each party, and an in-process HTTP client.

``World.today`` is the service's clock (tests move it); the agreements here run from 2026-09-01.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest_asyncio

from ap_commissioning.adapters.event_store import migrate_commissioning
from ap_commissioning.entrypoints.api import create_app
from ap_commissioning.entrypoints.bootstrap import CommissioningDeps
from ap_commissioning.projections.calendars import CommissioningCalendarProjection, stored_calendars
from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.organisations import TermDatesRecorded
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenIssuer, TokenVerifier, ensure_schema, generate_keypair
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import EventStore
from ap_runtime.projection.store import ensure_registered
from ap_runtime.school_days import EXAMPLE_DEMO_CALENDAR, SchoolCalendar
from ap_runtime.school_days.example import term_dates_bodies
from ap_testing.callers import TokenCaller
from ap_testing.notifications.builders import received

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.COMMISSIONING)
VERIFIER = TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.COMMISSIONING)

PROVISION = "pbp-bath-north"
COMMISSIONER = "np-bath"
OTHER_PROVISION = "pbp-keynsham"
OTHER_COMMISSIONER = "np-keynsham"


class Caller(TokenCaller):
    __slots__ = ()
    issuer = ISSUER


PROVIDER_MANAGER = Caller("pbp-manager-1", PROVISION, OrgKind.PROVISION, Role.PROVISION_MANAGER)
PROVIDER_STAFF = Caller("pbp-staff-1", PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)
COMMISSIONER_LEAD = Caller("np-lead-1", COMMISSIONER, OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
OTHER_PROVIDER_MANAGER = Caller("pbp-manager-9", OTHER_PROVISION, OrgKind.PROVISION, Role.PROVISION_MANAGER)
OTHER_COMMISSIONER_LEAD = Caller("np-lead-9", OTHER_COMMISSIONER, OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)


@dataclass
class World:
    pool: asyncpg.Pool
    store: EventStore
    api: httpx.AsyncClient
    today: date = date(2026, 9, 1)
    calls: list[str] = field(default_factory=list)

    def clock(self) -> datetime:
        return datetime.combine(self.today, time(10, 0), tzinfo=UTC)

    async def post(self, caller: Caller, path: str, **fields: Any) -> httpx.Response:
        return await self.api.post(path, json={"command_id": str(uuid4()), **fields}, headers=caller.headers)

    async def get(self, caller: Caller, path: str, **params: str) -> httpx.Response:
        return await self.api.get(path, params=params, headers=caller.headers)

    async def event_count(self) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM events"))


async def project_calendar_facts(pool: asyncpg.Pool, events: list[DomainEvent]) -> None:
    """Apply register events to the commissioning_calendars read model as its runner would."""
    projection = CommissioningCalendarProjection()
    schema = await ensure_registered(pool, projection)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {schema}, public")
        for event in events:
            await projection.apply(conn, received(event))


async def record_calendar(pool: asyncpg.Pool, calendar: SchoolCalendar) -> None:
    """The LA's term dates recorded (the tests' counts by hand use the example LA's dates)."""
    await project_calendar_facts(pool, [TermDatesRecorded.model_validate({**body, "local_authority_id": body[
        "organisation_id"]}) for body in term_dates_bodies(calendar)])


@pytest_asyncio.fixture(loop_scope="session")
async def world(new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[World]:
    dsn = await new_database("comm")
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=6)
    await migrate_commissioning(pool)
    async with pool.acquire() as conn:
        await ensure_schema(conn)
    audit = AuditLog(pool)
    holder: dict[str, World] = {}
    await record_calendar(pool, EXAMPLE_DEMO_CALENDAR)
    deps = CommissioningDeps(EventStore(pool), VERIFIER, AccessGuard(audit), clock=lambda: holder["w"].clock(),
                             calendars=stored_calendars(pool))
    app = create_app(deps)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://commissioning.test") as api:
        holder["w"] = World(pool, EventStore(pool), api)
        yield holder["w"]
    await audit.aclose()
    await pool.close()


def sla_path(suffix: str = "", provision_id: str = PROVISION, commissioner_id: str = COMMISSIONER) -> str:
    return f"/v1/slas/{provision_id}/{commissioner_id}{suffix}"


def terms(**changes: Any) -> dict[str, Any]:
    """Terms of a version in JSON: 8 primary places for the academic year 2026-27, alert below 85 %."""
    base: dict[str, Any] = {
        "places_by_phase": [{"phase": "primary", "places": 8}],
        "starts_on": "2026-09-01", "ends_on": "2027-08-31",
        "attendance_threshold_percent": 85,
        "reporting_duties": [{"duty": "Attendance, incidents and reintegrations", "frequency": "termly",
                              "report_to": "Neighbourhood Partnership board"}],
        "review_dates": ["2027-06-30"],
        "charges": [{"description": "Place funding", "amount_pence": 1_200_000, "basis": "per_place_per_year"}],
        "prose": {"vision_aims_mission": "Early support for pupils at risk of exclusion",
                  "termination": "Either party with one term's notice"},
    }
    return {**base, **changes}


async def agreed_version(world: World, version: int = 1, **term_changes: Any) -> None:
    """Draft ``version`` and have both parties sign it."""
    drafted = await world.post(COMMISSIONER_LEAD, sla_path("/versions"), version=version, terms=terms(**term_changes))
    assert drafted.status_code == 200, drafted.text
    for caller in (PROVIDER_MANAGER, COMMISSIONER_LEAD):
        signed = await world.post(caller, sla_path(f"/versions/{version}/signatures"))
        assert signed.status_code == 200, signed.text
