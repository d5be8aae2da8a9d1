"""The one handler behind every interface: load, authorise, decide, append (the access check is audited).

Rules served: provision staff write only for their own provision, and every other party only
where the policy grants it (``ap_runtime.access``, each decision audited); the rules of the pupil
path, the staff register and the register of organisations (``domain``); nothing stored on a
refusal; a retried command (same ``command_id``) never records twice.

Each attempt decides on the very history it loaded and appends only if the stream is still at
that version; the access check judged that history's parties (the organisations answering for
the pupil). A concurrent write (another process) makes the append a no-op, and the next attempt
loads and decides again on the new history, checking access again when those parties changed, a
bounded number of times.

The access checks' audit entries are durable before the command answers (``ap_runtime.access.command_audit``): each
as it is written, or, with the audit on the event store's server, by the command's durable append or a flush.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from ap_contracts.envelope import utc_now
from ap_contracts.events.base import DomainEvent
from ap_incidents.application.access_view import PupilAccessView
from ap_incidents.application.calendar_loading import calendars_for, la_half_terms
from ap_incidents.application.callers import caller_from
from ap_incidents.application.catalogue import spec_for
from ap_incidents.application.claimed_load import load_claiming
from ap_incidents.application.errors import CommandIdReused, ConcurrentWritesPersist
from ap_incidents.application.resource_context import command_context, organisations_needed, provision_context
from ap_incidents.application.stream_folds import StreamFolds
from ap_incidents.domain import command_models as c
from ap_incidents.domain.caller import Caller
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.decide import decide
from ap_incidents.domain.identity import organisation_stream_id, provision_stream_id, pupil_stream_id
from ap_incidents.domain.organisations import (
    OrganisationDirectory,
    RegisteredOrganisation,
    decide_registration,
    decide_term_dates,
    evolve_organisation,
)
from ap_incidents.domain.rules import DEFAULT_RULES, RuleBook
from ap_incidents.domain.staff_register import StaffRegister, decide_register, evolve_register
from ap_incidents.domain.themes.privacy import ErasePupil
from ap_runtime.access import AccessGuard, PolicyStore, Principal, ResourceContext, default_policy_store
from ap_runtime.access.command_audit import CommandAudit
from ap_runtime.commands import CommandExecutor, CommandMeta, CommandOutcome
from ap_runtime.eventstore import EventStorePort
from ap_runtime.eventstore.claiming_tails import PendingClaim
from ap_runtime.privacy.keystore import KeyStore
from ap_runtime.school_days import NO_CALENDARS, SchoolCalendars

Clock = Callable[[], datetime]
# A command loses its append at most once to each command another process appends to the stream meanwhile, and
# the loser goes again one round trip behind the winner's next command, so against another process working through
# a queue of commands for the same pupil it loses once per command of that queue. At 10 attempts, two API
# instances each sending 12 marks for one pupil refused one mark with a 409 in 11-16 of 40 runs (a fresh-clone CI
# run failed so); at 30, none in 200. Each attempt is a few milliseconds of round trips.
_ATTEMPTS = 30


@dataclass(frozen=True, slots=True)
class _Target:
    """One attempt's view of the command: what the access check judges, and the decision to make once allowed."""

    resource: ResourceContext
    decide: Callable[[], Sequence[DomainEvent]]


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
        calendars: SchoolCalendars = NO_CALENDARS,
        command_audit: CommandAudit | None = None,
    ) -> None:
        """``command_audit``: how the checks are audited, each durably by default (``guard``'s)."""
        self._store = store
        self._executor = CommandExecutor(store)
        # One command at a time per stream in this process: concurrent requests for one pupil queue
        # here instead of racing; other processes are still caught by the stream's expected version.
        self._stream_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._folds = StreamFolds()
        self._guard = guard
        self._audit = command_audit or CommandAudit(guard)
        self._keystore = keystore
        self._rules = rules
        self._policy = policy or default_policy_store()
        self._clock = clock
        self._calendars = calendars

    async def handle(
        self, principal: Principal, command: c.Command, *, purpose: str | None = None,
        correlation_id: UUID | None = None, write_claim: PendingClaim | None = None,
    ) -> CommandOutcome:
        """Authorise and execute ``command``; raises ``AccessDenied``, a ``DomainError`` or returns the outcome.
        ``write_claim`` (the HTTP route's, the command topic's) is made with the first load, before anything is
        decided or audited: a token carrying another command raises ``TokenReplayed``."""
        stream = _stream_of(command)
        meta = CommandMeta(command_id=command.command_id, actor=principal.actor(),
                           organisation_id=principal.organisation_id, correlation_id=correlation_id or uuid4())
        authorised: ResourceContext | None = None
        # Leaving it, however, the checks' audit is durable before the answer (after the stream's lock is free).
        async with self._audit.checks() as checks, self._lock(stream):
            # The write token's verdict before anything else (even the policy's state: a replayed token learns
            # nothing). Under the stream's lock, which the claim does not need but costs nothing: the claim is one
            # autocommitted statement that waits on no lock of this process and keeps no row lock past itself, so
            # nothing can deadlock; a replay merely queues behind the stream's running command for its 401.
            history = await load_claiming(self._store, stream, write_claim)
            caller = caller_from(principal, self._policy.current())
            for attempt in range(_ATTEMPTS):
                if attempt:  # the stream moved since it was loaded: load what was appended since
                    history = await self._store.load(stream)
                target = await self._target(caller, command, history)
                if target.resource != authorised:  # the first attempt, or who answers for the pupil changed
                    await checks.check(principal, spec_for(command).action, target.resource, purpose=purpose,
                                       correlation_id=meta.correlation_id)  # audited, allowed or not
                    authorised = target.resource
                # Decide and append at the version loaded; a retried command gets its first answer.
                outcome = await self._executor.record_once(stream, meta, len(history), target.decide)
                if outcome is not None:  # None: the stream moved since it was loaded; go again on the new one
                    if not outcome.duplicate and outcome.event_ids:  # appended now, durably, after the checks
                        checks.covered()
                    return await self._settled(command, stream, outcome)
        raise ConcurrentWritesPersist(f"the record {stream!r} changed {_ATTEMPTS} times while the command was"
                                      " decided; nothing was written, retry")

    async def _target(self, caller: Caller, command: c.Command, history: Sequence[DomainEvent]) -> _Target:
        """The resource and the decision of ``command`` on ``history``, by the stream it writes to."""
        if isinstance(command, c.RegisterOrganisation):
            registered = _fold_organisation(history)
            return _Target(ResourceContext(organisation_id=command.organisation_id),
                           lambda: decide_registration(command, registered))
        if isinstance(command, c.RecordTermDates):
            registered = _fold_organisation(history)
            la_terms = await la_half_terms(self._store, registered, command.academic_year)
            return _Target(ResourceContext(organisation_id=command.organisation_id),
                           lambda: decide_term_dates(command, registered, la_terms))
        if isinstance(command, c.RecordStaffTraining | c.RevokeStaffTraining):
            register = _fold_register(command.provision_id, history)
            today = DecisionContext(caller=caller, now=self._clock()).today
            return _Target(provision_context(command.provision_id),
                           lambda: decide_register(command, register, caller, today, self._rules))
        if isinstance(command, c.PupilCommand):
            return await self._pupil_target(caller, command, history)
        raise TypeError(f"not an incidents command: {type(command).__name__}")

    async def _pupil_target(self, caller: Caller, command: c.PupilCommand,
                            history: Sequence[DomainEvent]) -> _Target:
        """A pupil command is judged on who answers for the pupil in ``history`` and decided on its record."""
        folded = self._folds.of(command.pupil_ref, history)
        organisations = await self.organisations(organisations_needed(folded.view, command))
        context = DecisionContext(caller=caller, now=self._clock(), rules=self._rules, organisations=organisations,
                                  staff_register=await self._register_for(folded.view, command),
                                  stream_version=len(history),
                                  calendars=await calendars_for(self._store, command, [
                                      *organisations.organisations, folded.view.home_school_id], self._calendars))
        return _Target(command_context(folded.view, command, organisations),
                       lambda: decide(command, folded.state, context))

    async def _settled(self, command: c.Command, stream: str, outcome: CommandOutcome) -> CommandOutcome:
        """The answer, after the I/O an erasure needs (also on its retry: destroying a key is idempotent)."""
        if outcome.stream_id != stream:
            raise CommandIdReused(f"command id {command.command_id} was already used for another record;"
                                  " choose a new one")
        if isinstance(command, ErasePupil):
            # After the event: a crash here leaves the record closed, and a retry destroys the key.
            await self._keystore.destroy(str(command.pupil_ref))
            self._forget(command.pupil_ref)
        return outcome

    def _lock(self, stream: str) -> asyncio.Lock:
        lock = self._stream_locks.get(stream)
        if lock is None:
            lock = asyncio.Lock()
            self._stream_locks[stream] = lock
        return lock

    # -- stored facts other parts of the service read ----------------------------------------------

    async def load_view(self, pupil_ref: UUID) -> PupilAccessView:
        """Who answers for the pupil now (do not modify: it is shared with later calls)."""
        history = await self._store.load(pupil_stream_id(pupil_ref))
        return self._folds.of(pupil_ref, history).view

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
        return _fold_register(provision_id, await self._store.load(provision_stream_id(provision_id)))

    async def organisations(self, organisation_ids: frozenset[str]) -> OrganisationDirectory:
        """The registered facts of ``organisation_ids`` (those not registered are simply absent)."""
        found = []
        for organisation_id in sorted(organisation_ids):
            registered = _fold_organisation(await self._store.load(organisation_stream_id(organisation_id)))
            if registered is not None:
                found.append(registered)
        return OrganisationDirectory.of(found)

    # -- caches of decrypted history ---------------------------------------------------------------

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


def _stream_of(command: c.Command) -> str:
    """The one stream a command writes to: a provision's staff register, an organisation's, or a pupil's."""
    if isinstance(command, c.RecordStaffTraining | c.RevokeStaffTraining):
        return provision_stream_id(command.provision_id)
    if isinstance(command, c.RegisterOrganisation | c.RecordTermDates):
        return organisation_stream_id(command.organisation_id)
    if isinstance(command, c.PupilCommand):
        return pupil_stream_id(command.pupil_ref)
    raise TypeError(f"not an incidents command: {type(command).__name__}")


def _fold_organisation(history: Sequence[DomainEvent]) -> RegisteredOrganisation | None:
    registered = None
    for event in history:
        registered = evolve_organisation(registered, event)
    return registered


def _fold_register(provision_id: str, history: Sequence[DomainEvent]) -> StaffRegister:
    register = StaffRegister(provision_id)
    for event in history:
        register = evolve_register(register, event)
    return register
