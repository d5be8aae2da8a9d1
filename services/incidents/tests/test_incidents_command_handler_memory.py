"""The incidents command handler on the in-memory event store: authorise, decide, append, no server.

The same ``CommandHandler`` the API and the Kafka consumer run, wired to ``InMemoryEventStore``
(which keeps the PostgreSQL store's contract: ``runtime/tests/test_eventstore_contract.py``), the
real access policy and guard, and an audit sink kept in a list. Sealing personal fields is not
under test here (the privacy codec has its own tests), so the store keeps payloads as they are.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupil_vocabulary import TrainingKind
from ap_incidents.application.command_handler import CommandHandler
from ap_incidents.domain import command_models as c
from ap_incidents.domain.errors import PupilAlreadyRegistered
from ap_incidents.domain.identity import pupil_stream_id
from ap_runtime.access import AccessDenied, Principal, Role
from ap_runtime.access.audit_chain import GENESIS_HASH, AuditEntry, AuditRecord, chain
from ap_runtime.access.chain_keys import ChainKey
from ap_runtime.access.guard import AccessGuard
from ap_runtime.eventstore import InMemoryEventStore

from .conftest import (
    COMMISSIONER,
    HOME_SCHOOL,
    ON_STAFF,
    OTHER_PROVISION,
    PROVISION,
    REGISTRATIONS,
    Commands,
)

_KEY = ChainKey("unit-test", b"k" * 32)


class ListAuditSink:
    """``AuditSink`` in a list: every access decision the guard records, chained as the real log chains it."""

    def __init__(self) -> None:
        self.records: list[AuditRecord] = []

    async def record(self, entry: AuditEntry) -> AuditRecord:
        previous = self.records[-1].hash if self.records else GENESIS_HASH
        stored = chain(entry, len(self.records) + 1, previous, _KEY)
        self.records.append(stored)
        return stored


class ClearCodec:
    """``EventCodec`` keeping payloads as they are (sealing is the privacy codec's own test)."""

    async def seal(self, event: DomainEvent) -> dict[str, Any]:
        payload: dict[str, Any] = event.model_dump(mode="json")
        return payload

    async def reveal(self, event_type: str, schema_version: int, payload: dict[str, Any],
                     subject: str | None) -> dict[str, Any]:
        return payload


class NoKeys:
    """Stands for the key store, which only erasure touches: any use fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the key store was used ({name}) by a command that is not an erasure")


def who(organisation_id: str, kind: OrgKind, role: Role) -> Principal:
    return Principal(user_id=f"{role.value}@{organisation_id}", organisation_id=organisation_id, org_kind=kind,
                     roles=frozenset({role}))


ADMIN = who("platform-operator", OrgKind.PLATFORM, Role.PLATFORM_ADMIN)
HEAD = who(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)
HOME_STAFF = who(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_STAFF)
MANAGER = who(PROVISION, OrgKind.PROVISION, Role.PROVISION_MANAGER)
STAFF = who(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)
OTHER_STAFF = who(OTHER_PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)
COMMISSIONING = who(COMMISSIONER, OrgKind.COMMISSIONER, Role.COMMISSIONER)


def admission(cmd: Commands) -> tuple[tuple[c.Command, Principal], ...]:
    """The commands that place ``cmd``'s pupil, in order, each with the principal of this module's cast who sends it."""
    return ((cmd.register_pupil(), HEAD), (cmd.receive_referral(), HOME_STAFF), (cmd.consult_parent(), HOME_STAFF),
            (cmd.decide_eligibility(), MANAGER), (cmd.start_placement(), COMMISSIONING))


class World:
    """The handler on a fresh in-memory store, with the register of organisations and staff filled in."""

    def __init__(self) -> None:
        self.store = InMemoryEventStore(ClearCodec())
        self.audit = ListAuditSink()
        self.handler = CommandHandler(self.store, AccessGuard(self.audit), NoKeys())  # type: ignore[arg-type]

    async def registered(self) -> World:
        for org in REGISTRATIONS:
            await self.handler.handle(ADMIN, c.RegisterOrganisation(
                command_id=uuid4(), organisation_id=org.organisation_id, kind=org.kind,
                local_authority_id=org.local_authority_id, partnership_id=org.partnership_id,
                key_stages=tuple(sorted(org.key_stages))))
        for member in ON_STAFF:
            await self.handler.handle(MANAGER, c.RecordStaffTraining(
                command_id=uuid4(), provision_id=PROVISION, staff_id=member, training=TrainingKind.SAFEGUARDING,
                completed_on=date(2024, 9, 2)))
        return self

    async def placed_pupil(self) -> Commands:
        cmd = Commands(uuid4(), uuid4(), uuid4())
        for command, by in admission(cmd):
            await self.handler.handle(by, command)
        return cmd


@pytest.fixture
async def world() -> World:
    return await World().registered()


async def test_a_placed_pupils_incident_is_recorded_once_however_often_it_is_sent(world: World) -> None:
    cmd = await world.placed_pupil()
    stream = pupil_stream_id(cmd.pupil_ref)
    before = await world.store.stream_version(stream)
    incident = cmd.record_incident()
    first = await world.handler.handle(STAFF, incident)
    again = await world.handler.handle(STAFF, incident)
    assert not first.duplicate and again.duplicate and again.event_ids == first.event_ids
    assert await world.store.stream_version(stream) == before + len(first.event_ids)
    stored = await world.store.read_stream(stream, after_version=before)
    assert [e.event_type for e in stored] == ["IncidentRecorded"]
    assert stored[0].actor == STAFF.actor() and stored[0].organisation_id == PROVISION
    assert world.audit.records[-1].decision == "allowed"


async def test_another_provision_is_refused_audited_and_nothing_is_stored(world: World) -> None:
    cmd = await world.placed_pupil()
    stream = pupil_stream_id(cmd.pupil_ref)
    before = await world.store.stream_version(stream)
    with pytest.raises(AccessDenied):
        await world.handler.handle(OTHER_STAFF, cmd.record_incident())
    assert await world.store.stream_version(stream) == before
    denial = world.audit.records[-1]
    assert (denial.decision, denial.organisation_id, denial.pupil_ref) == ("denied", OTHER_PROVISION, cmd.pupil_ref)


async def test_a_rule_refusal_stores_nothing_and_records_no_command(world: World) -> None:
    cmd = await world.placed_pupil()
    stream = pupil_stream_id(cmd.pupil_ref)
    before = await world.store.stream_version(stream)
    again = cmd.register_pupil()  # the head may register pupils; this one is registered already
    with pytest.raises(PupilAlreadyRegistered):
        await world.handler.handle(HEAD, again)
    assert await world.store.stream_version(stream) == before
    assert await world.store.recorded_command(again.command_id) is None


async def test_concurrent_commands_for_one_pupil_are_all_recorded_in_some_order(world: World) -> None:
    cmd = await world.placed_pupil()
    stream = pupil_stream_id(cmd.pupil_ref)
    before = await world.store.stream_version(stream)
    incidents = [cmd.record_incident() for _ in range(6)]
    outcomes = await asyncio.gather(*(world.handler.handle(STAFF, i) for i in incidents))
    assert not any(o.duplicate for o in outcomes)
    stored = await world.store.read_stream(stream, after_version=before)
    assert sorted(e.payload["incident_id"] for e in stored) == sorted(str(i.incident_id) for i in incidents)
    assert [e.stream_version for e in stored] == list(range(before + 1, before + 7))
