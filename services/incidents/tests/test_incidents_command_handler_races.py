"""The command handler when another process writes between its access check and its append, and erasure's I/O.

Each attempt decides on the history it loaded and appends only at that version; a write in between
(another process: a second handler on the same in-memory store) makes the next attempt load and
decide again, and check access again when the organisations answering for the pupil changed.
Erasure destroys the pupil's key after the event and drops what the process holds decrypted; a
legal hold refuses it and touches no key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from uuid import UUID, uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.pupil_vocabulary import PlacementEndReason
from ap_incidents.application.command_handler import CommandHandler
from ap_incidents.domain import command_models as c
from ap_incidents.domain.errors import PlacementAlreadyEnded
from ap_incidents.domain.identity import pupil_stream_id
from ap_incidents.domain.themes.privacy import ErasePupil, ErasureUnderLegalHold, LiftLegalHold, PlaceLegalHold
from ap_runtime.access import AccessDenied, Principal, ResourceContext, Role
from ap_runtime.access.guard import AccessGuard, Decision

from .conftest import HOME_SCHOOL, LOCAL_AUTHORITY, OTHER_SCHOOL, Commands
from .test_incidents_command_handler_memory import COMMISSIONING, HEAD, STAFF, NoKeys, World, who
from .test_incidents_command_handler_memory import world as world  # the fixture

DPO = who(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.DPO)
LA = who(LOCAL_AUTHORITY, OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)
PURPOSE = "legal_obligation: erasure request upheld"


class InterleavingGuard(AccessGuard):
    """The real guard; after the first check it allows, another process writes (``meanwhile``), once."""

    def __init__(self, world: World, meanwhile: Callable[[], Awaitable[object]]) -> None:
        super().__init__(world.audit)
        self._meanwhile: Callable[[], Awaitable[object]] | None = meanwhile

    async def check(self, principal: Principal, action: str, resource: ResourceContext,
                    **kw: object) -> Decision:
        decision = await super().check(principal, action, resource, **kw)  # type: ignore[arg-type]
        if self._meanwhile is not None:
            meanwhile, self._meanwhile = self._meanwhile, None
            await meanwhile()
        return decision


class KeysKept:
    """The key store as erasure uses it: which keys were destroyed and which cached copies dropped."""

    def __init__(self) -> None:
        self.destroyed: list[str] = []
        self.forgotten: list[str] = []

    async def destroy(self, subject: str) -> None:
        self.destroyed.append(subject)

    def forget_cached(self, subject: str) -> None:
        self.forgotten.append(subject)


def checks_of(world: World, correlation_id: UUID) -> list[tuple[str, str]]:
    return [(r.action, r.decision) for r in world.audit.records if r.correlation_id == correlation_id]


async def test_a_write_in_between_is_decided_again_on_the_new_history(world: World) -> None:
    cmd = await world.placed_pupil()
    stream = pupil_stream_id(cmd.pupil_ref)
    other_process = world.handler
    theirs, ours = cmd.record_incident(), cmd.record_incident()
    handler = CommandHandler(world.store, InterleavingGuard(world, lambda: other_process.handle(STAFF, theirs)),
                             NoKeys())  # type: ignore[arg-type]
    before = await world.store.stream_version(stream)
    correlation = uuid4()
    outcome = await handler.handle(STAFF, ours, correlation_id=correlation)
    stored = await world.store.read_stream(stream, after_version=before)
    assert [e.payload["incident_id"] for e in stored] == [str(theirs.incident_id), str(ours.incident_id)]
    assert outcome.first_version == before + 2
    # the parties answering for the pupil did not change: one access check, one audit record
    assert checks_of(world, correlation) == [("incidents.record_incident", "allowed")]


async def test_access_is_checked_again_when_the_pupil_changed_school_in_between(world: World) -> None:
    cmd = Commands(uuid4(), uuid4(), uuid4())
    await world.handler.handle(HEAD, cmd.register_pupil())
    transfer = uuid4()
    await world.handler.handle(HEAD, c.RequestPupilTransfer(
        command_id=uuid4(), pupil_ref=cmd.pupil_ref, transfer_id=transfer, to_school_id=OTHER_SCHOOL,
        requested_on=date(2025, 3, 3)))
    other_process = world.handler
    confirm = c.ConfirmPupilTransfer(command_id=uuid4(), pupil_ref=cmd.pupil_ref, transfer_id=transfer,
                                     effective_from=date(2025, 3, 4))
    handler = CommandHandler(world.store, InterleavingGuard(world, lambda: other_process.handle(LA, confirm)),
                             NoKeys())  # type: ignore[arg-type]
    stream = pupil_stream_id(cmd.pupil_ref)
    before = await world.store.stream_version(stream)
    update, correlation = c.UpdatePupilDetails(command_id=uuid4(), pupil_ref=cmd.pupil_ref,
                                               effective_from=date(2025, 3, 5), fsm_eligible=False), uuid4()
    with pytest.raises(AccessDenied, match="PUP-1"):
        await handler.handle(HEAD, update, correlation_id=correlation)
    assert checks_of(world, correlation) == [("incidents.update_pupil_details", "allowed"),
                                             ("incidents.update_pupil_details", "denied")]
    stored = await world.store.read_stream(stream, after_version=before)
    assert [e.event_type for e in stored] == ["PupilTransferConfirmed"]
    assert await world.store.recorded_command(update.command_id) is None


async def test_a_placement_ended_in_between_leaves_the_provision_nothing_to_record(world: World) -> None:
    cmd = await world.placed_pupil()
    stream = pupil_stream_id(cmd.pupil_ref)
    other_process = world.handler
    handler = CommandHandler(
        world.store, InterleavingGuard(world, lambda: other_process.handle(
            COMMISSIONING, cmd.end_placement(reason=PlacementEndReason.LEFT_AREA))),
        NoKeys())  # type: ignore[arg-type]
    before = await world.store.stream_version(stream)
    incident = cmd.record_incident()
    with pytest.raises(PlacementAlreadyEnded):  # decided again on the history with the placement ended
        await handler.handle(STAFF, incident)
    stored = await world.store.read_stream(stream, after_version=before)
    assert [e.event_type for e in stored] == ["PlacementEnded"]
    assert await world.store.recorded_command(incident.command_id) is None


async def erasure_world(world: World) -> tuple[CommandHandler, KeysKept, UUID]:
    keys = KeysKept()
    handler = CommandHandler(world.store, world.handler._guard, keys)  # type: ignore[arg-type]
    cmd = await world.placed_pupil()
    return handler, keys, cmd.pupil_ref


def erasure(pupil_ref: UUID) -> ErasePupil:
    return ErasePupil(command_id=uuid4(), pupil_ref=pupil_ref, reason="erasure_request_upheld",
                      legal_basis="UK GDPR Art. 17(1)(a)", requested_by="parent_or_carer")


async def test_erasure_destroys_the_key_after_the_event_and_drops_the_decrypted_history(world: World) -> None:
    handler, keys, pupil_ref = await erasure_world(world)
    await handler.load_view(pupil_ref)
    assert handler._folds.holds(pupil_ref)
    command = erasure(pupil_ref)
    first = await handler.handle(DPO, command, purpose=PURPOSE)
    stored = await world.store.read_stream(pupil_stream_id(pupil_ref))
    assert stored[-1].event_type == "PupilDataErased" and first.last_version == stored[-1].stream_version
    assert keys.destroyed == [str(pupil_ref)] and not handler._folds.holds(pupil_ref)
    again = await handler.handle(DPO, command, purpose=PURPOSE)  # a retry: recorded once, the key destroyed again
    assert again.duplicate and again.event_ids == first.event_ids
    assert keys.destroyed == [str(pupil_ref)] * 2
    assert len(await world.store.read_stream(pupil_stream_id(pupil_ref))) == len(stored)


async def test_a_legal_hold_refuses_erasure_and_no_key_is_touched(world: World) -> None:
    handler, keys, pupil_ref = await erasure_world(world)
    hold = uuid4()
    await handler.handle(DPO, PlaceLegalHold(command_id=uuid4(), pupil_ref=pupil_ref, hold_id=hold,
                                             authority_reference="PI-2025-014"), purpose=PURPOSE)
    with pytest.raises(ErasureUnderLegalHold, match=str(hold)):
        await handler.handle(DPO, erasure(pupil_ref), purpose=PURPOSE)
    assert keys.destroyed == []
    await handler.handle(DPO, LiftLegalHold(command_id=uuid4(), pupil_ref=pupil_ref, hold_id=hold,
                                            authority_reference="PI-2025-014"), purpose=PURPOSE)
    await handler.handle(DPO, erasure(pupil_ref), purpose=PURPOSE)
    assert keys.destroyed == [str(pupil_ref)]


async def test_another_provision_is_still_refused_on_a_retry_after_a_write_in_between(world: World) -> None:
    cmd = await world.placed_pupil()
    other_process = world.handler
    handler = CommandHandler(world.store, InterleavingGuard(world, lambda: other_process.handle(
        STAFF, cmd.record_incident())), NoKeys())  # type: ignore[arg-type]
    outsider = who("provision-south", OrgKind.PROVISION, Role.PROVISION_STAFF)
    with pytest.raises(AccessDenied):
        await handler.handle(outsider, cmd.record_incident())
