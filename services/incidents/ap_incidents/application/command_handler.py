"""The one handler behind every interface: resolve the caller, authorise, decide on the stream, append.

Rules served: provision staff write only for their own provision, and every other party only
where the policy grants it (``ap_runtime.access``, each decision audited); the pupil-path rules
(``domain.decide``); nothing stored on a refusal; a retried command (same ``command_id``) never
records twice; concurrent writes to one pupil's stream are detected and decided again on the new
history (``CommandExecutor``). Authorisation is re-checked when the history moved between the
access check and the decision in a way that changes who answers for the pupil.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime
from uuid import UUID, uuid4

from ap_contracts.envelope import utc_now
from ap_contracts.events.base import DomainEvent
from ap_incidents.application.access_view import PupilAccessView
from ap_incidents.application.callers import caller_from
from ap_incidents.application.catalogue import spec_for
from ap_incidents.application.erasure import ErasePupil, decide_erasure
from ap_incidents.application.errors import CommandIdReused, ConcurrentWritesPersist
from ap_incidents.application.legal_holds import LiftLegalHold, PlaceLegalHold, decide_legal_hold
from ap_incidents.application.resource_context import command_context, organisations_needed, provision_context
from ap_incidents.application.stream_folds import StreamFolds
from ap_incidents.application.subject_access_release import ReleaseSubjectAccessSafeguarding, decide_release
from ap_incidents.domain import commands as c
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.decide import decide
from ap_incidents.domain.identity import organisation_stream_id, provision_stream_id, pupil_stream_id
from ap_incidents.domain.organisations import OrganisationDirectory, decide_registration, evolve_organisation
from ap_incidents.domain.rules import DEFAULT_RULES, RuleBook
from ap_incidents.domain.staff_register import StaffRegister, decide_register, evolve_register
from ap_runtime.access import AccessGuard, PolicyStore, Principal, ResourceContext, default_policy_store
from ap_runtime.commands import CommandExecutor, CommandMeta, CommandOutcome, ConcurrencyRetriesExhausted
from ap_runtime.eventstore import EventStorePort
from ap_runtime.privacy.keystore import KeyStore

Clock = Callable[[], datetime]
_AUTHORISATION_ATTEMPTS = 3
_APPEND_ATTEMPTS = 10


class _PartiesChanged(Exception):
    """The organisations answering for the pupil changed after the access check: check again."""


class CommandHandler:
    def __init__(
        self,
        store: EventStorePort,
        guard: AccessGuard,
        keystore: KeyStore,
        *,
        rules: RuleBook = DEFAULT_RULES,
        policy: PolicyStore | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._executor = CommandExecutor(store, max_attempts=_APPEND_ATTEMPTS)
        # One command at a time per stream in this process: concurrent requests for one pupil queue
        # here instead of racing; other processes are still caught by the stream's expected version.
        self._stream_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._folds = StreamFolds()
        self._guard = guard
        self._keystore = keystore
        self._rules = rules
        self._policy = policy or default_policy_store()
        self._clock = clock

    async def load_view(self, pupil_ref: UUID) -> PupilAccessView:
        """Who answers for the pupil now (do not modify: it is shared with later calls)."""
        history = await self._store.load(pupil_stream_id(pupil_ref))
        return self._folds.of(pupil_ref, history).view

    async def handle(
        self, principal: Principal, command: c.Command, *, purpose: str | None = None,
        correlation_id: UUID | None = None,
    ) -> CommandOutcome:
        """Authorise and execute ``command``; raises ``AccessDenied``, a ``DomainError`` or returns the outcome."""
        correlation = correlation_id or uuid4()
        if isinstance(command, c.RecordStaffTraining | c.RevokeStaffTraining):
            async with self._lock(provision_stream_id(command.provision_id)):
                return await self._staff_register(principal, command, purpose, correlation)
        if isinstance(command, c.RegisterOrganisation):
            async with self._lock(organisation_stream_id(command.organisation_id)):
                return await self._register_organisation(principal, command, purpose, correlation)
        if isinstance(command, c.PupilCommand):
            async with self._lock(pupil_stream_id(command.pupil_ref)):
                return await self._pupil(principal, command, purpose, correlation)
        raise TypeError(f"not an incidents command: {type(command).__name__}")

    def _lock(self, stream: str) -> asyncio.Lock:
        lock = self._stream_locks.get(stream)
        if lock is None:
            lock = asyncio.Lock()
            self._stream_locks[stream] = lock
        return lock

    # -- a pupil's stream ----------------------------------------------------------------------------

    async def _pupil(self, principal: Principal, command: c.PupilCommand, purpose: str | None,
                     correlation: UUID) -> CommandOutcome:
        stream = pupil_stream_id(command.pupil_ref)
        action = spec_for(command).action
        for _ in range(_AUTHORISATION_ATTEMPTS):
            view = await self.load_view(command.pupil_ref)
            organisations = await self.organisations(organisations_needed(view, command))
            authorised = command_context(view, command, organisations)
            await self._guard.check(principal, action, authorised, purpose=purpose, correlation_id=correlation)
            decide_on = self._decider(principal, command, authorised, await self._register_for(view, command),
                                      organisations)
            try:
                outcome = await self._execute(stream, principal, command.command_id, correlation, decide_on)
            except _PartiesChanged:
                continue
            if isinstance(command, ErasePupil):
                # After the event: a crash here leaves the record closed, and a retry destroys the key.
                await self._keystore.destroy(str(command.pupil_ref))
                self._forget(command.pupil_ref)
            return outcome
        raise ConcurrentWritesPersist("the pupil's record kept changing hands while the command was checked; retry")

    def _decider(self, principal: Principal, command: c.PupilCommand, authorised: ResourceContext,
                 register: StaffRegister | None, organisations: OrganisationDirectory,
                 ) -> Callable[[Sequence[DomainEvent]], Sequence[DomainEvent]]:
        context = DecisionContext(caller=caller_from(principal, self._policy.current()), now=self._clock(),
                                  rules=self._rules, staff_register=register, organisations=organisations)

        def decide_on(history: Sequence[DomainEvent]) -> Sequence[DomainEvent]:
            folded = self._folds.of(command.pupil_ref, history)
            if command_context(folded.view, command, organisations) != authorised:
                raise _PartiesChanged
            state = folded.state
            if isinstance(command, ErasePupil):
                return decide_erasure(command, state, history)
            if isinstance(command, PlaceLegalHold | LiftLegalHold):
                return decide_legal_hold(command, state, history)
            if isinstance(command, ReleaseSubjectAccessSafeguarding):
                return decide_release(command, state, history)
            return decide(command, state, context)  # type: ignore[arg-type]  # PupilCommands minus privacy ones

        return decide_on

    def forget_pupil(self, pupil_ref: UUID) -> None:
        """Drop what this process holds about a pupil erased elsewhere (the key copy included)."""
        self._forget(pupil_ref)
        self._keystore.forget_cached(str(pupil_ref))

    def sweep_caches(self) -> None:
        """Drop cached decrypted history older than its maximum age, also when no command comes."""
        self._folds.sweep()
        sweep = getattr(self._store, "sweep", None)
        if sweep is not None:
            sweep()

    def _forget(self, pupil_ref: UUID) -> None:
        """Drop what this process holds decrypted about an erased pupil."""
        self._folds.forget(pupil_ref)
        forget = getattr(self._store, "forget", None)
        if forget is not None:
            forget(pupil_stream_id(pupil_ref))

    async def _register_for(self, view: PupilAccessView, command: c.PupilCommand) -> StaffRegister | None:
        """The staff register of the placement's provision, for the rules that need it (trained staff for
        force, staff witnesses for searches)."""
        if not isinstance(command, c.RecordPhysicalIntervention | c.RecordSearch):
            return None
        placement = view.placements.get(command.placement_id)
        if placement is None:
            return None
        return await self.staff_register(placement.provision_id)

    async def staff_register(self, provision_id: str) -> StaffRegister:
        register = StaffRegister(provision_id)
        for event in await self._store.load(provision_stream_id(provision_id)):
            register = evolve_register(register, event)
        return register

    async def organisations(self, organisation_ids: frozenset[str]) -> OrganisationDirectory:
        """The registered facts of ``organisation_ids`` (those not registered are simply absent)."""
        found = []
        for organisation_id in sorted(organisation_ids):
            registered = None
            for event in await self._store.load(organisation_stream_id(organisation_id)):
                registered = evolve_organisation(registered, event)
            if registered is not None:
                found.append(registered)
        return OrganisationDirectory.of(found)

    # -- the register of organisations ---------------------------------------------------------------

    async def _register_organisation(self, principal: Principal, command: c.RegisterOrganisation,
                                     purpose: str | None, correlation: UUID) -> CommandOutcome:
        await self._guard.check(principal, spec_for(command).action,
                                ResourceContext(organisation_id=command.organisation_id), purpose=purpose,
                                correlation_id=correlation)

        def decide_on(history: Sequence[DomainEvent]) -> Sequence[DomainEvent]:
            registered = None
            for event in history:
                registered = evolve_organisation(registered, event)
            return decide_registration(command, registered)

        return await self._execute(organisation_stream_id(command.organisation_id), principal, command.command_id,
                                   correlation, decide_on)

    # -- a provision's staff register ----------------------------------------------------------------

    async def _staff_register(self, principal: Principal, command: c.RecordStaffTraining | c.RevokeStaffTraining,
                              purpose: str | None, correlation: UUID) -> CommandOutcome:
        authorised = provision_context(command.provision_id)
        await self._guard.check(principal, spec_for(command).action, authorised, purpose=purpose,
                                correlation_id=correlation)
        caller = caller_from(principal, self._policy.current())
        today = DecisionContext(caller=caller, now=self._clock()).today

        def decide_on(history: Sequence[DomainEvent]) -> Sequence[DomainEvent]:
            register = StaffRegister(command.provision_id)
            for event in history:
                register = evolve_register(register, event)
            return decide_register(command, register, caller, today)

        return await self._execute(provision_stream_id(command.provision_id), principal, command.command_id,
                                   correlation, decide_on)

    # -- execution ---------------------------------------------------------------------------------

    async def _execute(self, stream: str, principal: Principal, command_id: UUID, correlation: UUID,
                       decide_on: Callable[[Sequence[DomainEvent]], Sequence[DomainEvent]]) -> CommandOutcome:
        meta = CommandMeta(command_id=command_id, actor=principal.actor(),
                           organisation_id=principal.organisation_id, correlation_id=correlation)
        try:
            outcome = await self._executor.execute(stream, meta, decide_on)
        except ConcurrencyRetriesExhausted as exhausted:
            raise ConcurrentWritesPersist(str(exhausted)) from exhausted
        if outcome.stream_id != stream:
            raise CommandIdReused(f"command id {command_id} was already used for another record; choose a new one")
        return outcome
