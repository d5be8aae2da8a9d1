"""Fixtures of the finance service's integration tests: a fresh database per test with the event store,
the read models and the access audit in it, real access checks, and tokens for each actor.

Projections are fed straight from the event store through the real ``ProjectionRunner`` batch path
(``World.project``), so these tests need no broker; the end-to-end test runs the relay and Kafka.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest_asyncio

from ap_contracts.envelope import Actor as EventActor
from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.organisations import OrganisationRegistered, TermDatesRecorded
from ap_contracts.events.pupil_vocabulary import ExclusionReason
from ap_contracts.events.school_exclusions import SuspensionIssued
from ap_finance.adapters.event_store import migrate_finance, stream_version
from ap_finance.application.commands import FinanceCommands
from ap_finance.application.queries import FinanceQueries
from ap_finance.entrypoints.api import create_app
from ap_finance.entrypoints.bootstrap import FinanceDeps
from ap_finance.entrypoints.handlers import finance_commands, finance_queries
from ap_finance.projections.directory import OrganisationDirectoryProjection
from ap_finance.projections.ledger import FinanceLedgerProjection
from ap_finance.projections.placements import PlacementCostsProjection
from ap_finance.projections.reintegrations import FinanceCalendarProjection, ReintegrationsProjection
from ap_runtime.access import (
    AccessGuard,
    AuditLog,
    Role,
    TokenIssuer,
    TokenVerifier,
    ensure_schema,
    generate_keypair,
)
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import Checkpoint, EventStore, NewEvent
from ap_runtime.kafka import encode_event
from ap_runtime.projection import ProjectionRunner
from ap_runtime.school_days.example import term_dates_bodies
from ap_testing.callers import TokenCaller

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.FINANCE)
VERIFIER = TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.FINANCE)

PROVISION = "pbp-test-north"
HOST = "school-test-host"
PARTNERSHIP = "np-test-north"
LA = "la-test-county"
HOME = "school-test-home"  # the home school of the placements recorded below
YEAR = "2025-26"
NEXT_YEAR = "2026-27"


class Actor(TokenCaller):
    __slots__ = ()
    issuer = ISSUER


FINANCE_OFFICER = Actor("la-fo-1", LA, OrgKind.LOCAL_AUTHORITY, Role.FINANCE_OFFICER)
HOST_FINANCE = Actor("host-fin-1", HOST, OrgKind.HOST_SCHOOL, Role.HOST_SCHOOL_FINANCE)
HOST_FINANCE_2 = Actor("host-fin-2", HOST, OrgKind.HOST_SCHOOL, Role.HOST_SCHOOL_FINANCE)
PARTNERSHIP_LEAD = Actor("np-lead-1", PARTNERSHIP, OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
OTHER_HOST_FINANCE = Actor("host-fin-9", "school-test-other", OrgKind.HOST_SCHOOL, Role.HOST_SCHOOL_FINANCE)
OTHER_PARTNERSHIP_LEAD = Actor("np-lead-9", "np-test-south", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
PROVISION_MANAGER = Actor("pbp-manager-1", PROVISION, OrgKind.PROVISION, Role.PROVISION_MANAGER)
PROVISION_STAFF = Actor("pbp-staff-1", PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)


@dataclass(slots=True)
class _Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


@dataclass
class World:
    """One finance service on a fresh database."""

    dsn: str
    pool: asyncpg.Pool
    store: EventStore
    access: AccessGuard
    commands: FinanceCommands
    queries: FinanceQueries
    runners: list[ProjectionRunner] = field(default_factory=list)
    checkpoint: Checkpoint = field(default_factory=Checkpoint)
    offset: int = 0

    async def version(self, provision_id: str = PROVISION, year: str = YEAR) -> int:
        return await stream_version(self.pool, provision_id, year)

    async def project(self, extra: EventStore | None = None) -> int:
        """Apply every event stored since the last call to the read models (the runner's batch path).

        Reads until the store's head: ``read_all`` holds back rows while an older transaction is open.
        """
        applied = await self._project_from(self.store, self.checkpoint, own=True)
        if extra is not None:
            applied += await self._project_from(extra, Checkpoint(), own=False)
        return applied

    async def _project_from(self, source: EventStore, start: Checkpoint, own: bool) -> int:
        applied, checkpoint, head = 0, start, await source.head()
        # A deadline, not a count of polls: under load an older transaction can hold the horizon back for
        # seconds (four seconds of polls flaked at load average 10); returning early costs nothing.
        deadline = asyncio.get_running_loop().time() + 60
        while asyncio.get_running_loop().time() < deadline:
            if checkpoint >= head:
                break
            batch = await source.read_all(checkpoint, 10_000)
            if not batch:
                await asyncio.sleep(0.02)
                continue
            checkpoint = Checkpoint(batch[-1].transaction_id, batch[-1].position)
            records = []
            for stored in batch:
                key, value, headers = encode_event(stored)
                self.offset += 1
                records.append(_Record("test", 0, self.offset, key, value, headers))
            for runner in self.runners:
                applied += await runner.apply_records(records)
        else:
            raise AssertionError("the event store's head was never readable")
        if own:
            self.checkpoint = checkpoint
        return applied


@pytest_asyncio.fixture(loop_scope="session")
async def world(new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[World]:
    dsn = await new_database("fin")
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
    await migrate_finance(pool, pool)
    audit = AuditLog(pool)
    async with pool.acquire() as conn:
        await ensure_schema(conn)
    store = EventStore(pool)
    access = AccessGuard(audit)
    runners = [ProjectionRunner(p, pool, "unused:9092") for p in (FinanceLedgerProjection(),
                                                                   PlacementCostsProjection(),
                                                                   OrganisationDirectoryProjection())]
    yield World(dsn, pool, store, access, finance_commands(store, access), finance_queries(store, pool, access),
                runners)
    await audit.aclose()
    await pool.close()


@pytest_asyncio.fixture(loop_scope="session")
async def api(world: World) -> AsyncIterator[httpx.AsyncClient]:
    deps = FinanceDeps(world.store, world.pool, VERIFIER, world.access)
    app = create_app(deps)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://finance.test") as client:
        yield client


def budget_path(suffix: str, year: str = YEAR, provision_id: str = PROVISION) -> str:
    return f"/v1/budgets/{provision_id}/{year}{suffix}"


def body(**fields: Any) -> dict[str, Any]:
    """A command body with a fresh command id (ids and dates as JSON strings)."""
    converted = {k: (str(v) if isinstance(v, UUID | date) else v) for k, v in fields.items()}
    return {"command_id": str(uuid4()), **converted}


async def post_ok(api: httpx.AsyncClient, suffix: str, actor: Actor, year: str = YEAR,
                  **fields: Any) -> dict[str, Any]:
    response = await api.post(budget_path(suffix, year), json=body(**fields), headers=actor.headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def standard_budget(api: httpx.AsyncClient, year: str = YEAR, carry_forward_pence: int = 0) -> None:
    """A budget of £100,000 DSG and £20,000 top-up, with staffing, resources, contingency and transport lines."""
    await post_ok(api, "/budget", FINANCE_OFFICER, year, budget_id=uuid4(), host_school_id=HOST,
                  partnership_id=PARTNERSHIP, dsg_allocation_pence=10_000_000, top_up_pence=2_000_000,
                  carry_forward_pence=carry_forward_pence)
    for category, source, pence in (("staffing", "dsg_allocation", 7_000_000),
                                     ("resources", "dsg_allocation", 1_500_000),
                                     ("contingency", "dsg_allocation", 500_000),
                                     ("transport", "top_up", 2_000_000)):
        await post_ok(api, "/lines", FINANCE_OFFICER, year, category=category, funding_source=source,
                      amount_pence=pence)


async def busy_budget(api: httpx.AsyncClient) -> None:
    """Spend, a commitment part-settled, a held £35k item with one signature, and a virement."""
    await standard_budget(api)
    for pence, category, source in ((123_456, "resources", "dsg_allocation"), (2_000_000, "staffing", "dsg_allocation"),
                                    (85_040, "transport", "top_up")):
        await post_ok(api, "/spend", HOST_FINANCE, spend_id=uuid4(), supplier="Supplier", category=category,
                      funding_source=source, amount_pence=pence, spent_on="2025-06-01", evidence_reference="INV")
    commitment = uuid4()
    await post_ok(api, "/commitments", HOST_FINANCE, commitment_id=commitment, supplier="EP service",
                  category="staffing", funding_source="dsg_allocation", amount_pence=600_000, raised_on="2025-05-01",
                  evidence_reference="PO-1")
    await post_ok(api, "/spend", HOST_FINANCE, spend_id=uuid4(), supplier="EP service", category="staffing",
                  funding_source="dsg_allocation", amount_pence=250_000, spent_on="2025-06-20",
                  evidence_reference="INV-EP", commitment_id=commitment)
    item = uuid4()
    await post_ok(api, "/spend", HOST_FINANCE, spend_id=item, supplier="Agency", category="staffing",
                  funding_source="dsg_allocation", amount_pence=3_500_000, spent_on="2025-07-15",
                  evidence_reference="INV-35K")
    await post_ok(api, f"/items/{item}/signatures", HOST_FINANCE)
    await post_ok(api, "/virements", HOST_FINANCE, virement_id=uuid4(), from_category="contingency",
                  to_category="resources", funding_source="dsg_allocation", amount_pence=200_000,
                  reason="More resources needed")


# ---- placement events, as the incidents service stores them (personal fields sealed) ---------------

PUPIL_NAME_MARKER = "Zebedee-Quartermaine"  # made up; must never appear in any finance output


def placement_started(pupil_ref: UUID, placement_id: UUID, start: date, provision_id: str = PROVISION) -> Any:
    from ap_contracts.events.placements import PlacementStarted
    from ap_contracts.events.pupil_vocabulary import KeyStage, Severity, TimetableKind

    return PlacementStarted(
        pupil_ref=pupil_ref, record_id=uuid4(), placement_id=placement_id, referral_id=uuid4(),
        provision_id=provision_id, home_school_id=HOME, commissioner_id=LA,
        partnership_id=PARTNERSHIP, start_date=start, planned_end_date=date(start.year + 1, 3, 31),
        key_stage=KeyStage.KS2, pupil_key_stage=KeyStage.KS2, outside_key_stage=False,
        timetable=TimetableKind.FULL_TIME, reduced_timetable_review_date=None,
        reintegration_plan=f"{PUPIL_NAME_MARKER} returns to class gradually",
        planned_review_date=date(start.year, 12, 1), exit_criteria=f"{PUPIL_NAME_MARKER} settled",
        incident_severity_threshold=Severity.SERIOUS, attendance_threshold_percent=90, rule_version="test-1",
    )


def placement_ended(pupil_ref: UUID, placement_id: UUID, end: date) -> Any:
    from ap_contracts.events.placements import PlacementEnded
    from ap_contracts.events.pupil_vocabulary import PlacementEndReason

    return PlacementEnded(
        pupil_ref=pupil_ref, record_id=uuid4(), placement_id=placement_id, end_date=end,
        reason=PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL, summary=f"{PUPIL_NAME_MARKER} went home",
    )


@pytest_asyncio.fixture(loop_scope="session")
async def incidents(new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[EventStore]:
    """An incidents event store sealing personal fields with real per-pupil keys."""
    from ap_runtime.eventstore import migrate
    from ap_runtime.privacy.codec import PersonalDataCodec
    from ap_runtime.privacy.keystore import KeyStore
    from ap_testing.privacy import random_ring

    dsn = await new_database("fin_inc")
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    await migrate(pool)
    keys = await KeyStore.open(dsn, random_ring()[0])
    yield EventStore(pool, PersonalDataCodec(keys))
    await keys.close()
    await pool.close()


INCIDENTS_ACTOR = EventActor(user_id="pbp-manager-1", organisation_id=PROVISION, roles=("provision_manager",))


async def append_incidents(incidents: EventStore, stream: str, events: Sequence[DomainEvent]) -> None:
    """Append events to an incidents stream at its current version, as the provision's manager records them."""
    version = await incidents.stream_version(stream)
    await incidents.append(stream, version, [NewEvent(e, INCIDENTS_ACTOR, PROVISION, uuid4(),
                                                      event_id=getattr(e, "record_id", None) or uuid4())
                                             for e in events])


async def record_placements(incidents: EventStore, periods: Sequence[tuple[date, date | None]]) -> list[UUID]:
    """Store one pupil stream per placement (start, optional end: reintegrated to the home school); returns the
    pupil refs used."""
    pupils = []
    for start, end in periods:
        pupil, placement = uuid4(), uuid4()
        events = [placement_started(pupil, placement, start)]
        if end is not None:
            events.append(placement_ended(pupil, placement, end))
        await append_incidents(incidents, f"pupil-{pupil}", events)
        pupils.append(pupil)
    return pupils


def suspension_issued(pupil: UUID, first_day: date) -> SuspensionIssued:
    """The home school suspends the pupil for one day (personal account sealed by the incidents store)."""
    return SuspensionIssued(pupil_ref=pupil, record_id=uuid4(), home_school_id=HOME, placement_id=None,
                            first_day=first_day, duration_half_days=2, academic_year="2025/26",
                            year_total_half_days=2, primary_reason=ExclusionReason.PHYSICAL_ASSAULT_PUPIL,
                            parents_informed=True, account="Pupil name here hit a peer", rule_version="test-1")


async def reintegration_world(api: httpx.AsyncClient, world: World, incidents: EventStore) -> None:
    """What rule ``reintegration.successful`` counts against: the busy budget's spend, the home school on the
    register with the LA's recorded term dates, and the rule's two read models among the world's runners."""
    await busy_budget(api)
    await append_incidents(incidents, f"organisation-{HOME}", [
        OrganisationRegistered(organisation_id=HOME, kind=OrgKind.HOME_SCHOOL, local_authority_id=LA)])
    await append_incidents(incidents, f"organisation-{LA}", [
        TermDatesRecorded.model_validate({**term, "organisation_id": LA, "local_authority_id": LA})
        for term in term_dates_bodies()])
    world.runners += [ProjectionRunner(p, world.pool, "unused:9092")
                      for p in (ReintegrationsProjection(), FinanceCalendarProjection())]
