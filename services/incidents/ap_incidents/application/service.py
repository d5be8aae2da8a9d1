"""The incidents application: commands and queries behind one object, shared by every entry point."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from ap_contracts.envelope import utc_now
from ap_incidents.application.attendance_marks_query import read_attendance_marks
from ap_incidents.application.audit_query import AuditFilter, read_audit
from ap_incidents.application.behaviour_log_query import read_behaviour_log
from ap_incidents.application.calendar_loading import organisation_calendars
from ap_incidents.application.command_handler import Clock, CommandHandler
from ap_incidents.application.exclusions_awaiting_query import read_exclusions_awaiting
from ap_incidents.application.placement_register_query import read_placement_register
from ap_incidents.application.ports import IncidentsReadModels
from ap_incidents.application.staff_training_query import read_staff_training
from ap_incidents.application.subject_access_query import export_subject_access
from ap_incidents.application.term_dates_query import read_term_dates
from ap_incidents.domain.commands import Command
from ap_incidents.domain.context import SCHOOL_TIME_ZONE
from ap_incidents.domain.identity import organisation_stream_id
from ap_incidents.domain.rules import DEFAULT_RULES, RuleBook
from ap_runtime.access import AccessGuard, AuditUnavailable, PolicyStore, Principal, default_policy_store
from ap_runtime.access.command_audit import CommandAudit
from ap_runtime.commands import CommandOutcome
from ap_runtime.eventstore import EventStorePort
from ap_runtime.eventstore.claiming_tails import PendingClaim
from ap_runtime.privacy.codec import PersonalDataCodec
from ap_runtime.privacy.erasure_listener import ErasureListener
from ap_runtime.privacy.keystore import KeyStore
from ap_runtime.school_days import NO_CALENDARS, SchoolCalendars


class IncidentsApplication:
    def __init__(self, store: EventStorePort, codec: PersonalDataCodec, guard: AccessGuard, keystore: KeyStore,
                 read_models: IncidentsReadModels, *, rules: RuleBook = DEFAULT_RULES,
                 policy: PolicyStore | None = None, clock: Clock = utc_now,
                 calendars: SchoolCalendars = NO_CALENDARS, command_audit: CommandAudit | None = None) -> None:
        """``command_audit``: how commands' checks are audited (default: each durably, by ``guard``)."""
        self.store = store
        self._codec = codec
        self._guard = guard
        self._read_models = read_models
        self._policy = policy or default_policy_store()
        self._clock = clock
        self._rules = rules
        self._calendars = calendars
        self.commands = CommandHandler(store, guard, keystore, rules=rules, policy=self._policy, clock=clock,
                                       calendars=calendars, command_audit=command_audit)

    def erasure_listener(self, bootstrap: str, topics: Sequence[str]) -> ErasureListener:
        """Keeps this process's caches of decrypted history clear of pupils erased by any process
        (read from the event topics) and within their maximum age (the listener's tick)."""

        def forget(subject: str) -> None:
            try:
                pupil_ref = UUID(subject)
            except ValueError:
                return
            self.commands.forget_pupil(pupil_ref)

        return ErasureListener(bootstrap, topics, [forget], on_tick=self.commands.sweep_caches)

    async def execute(self, principal: Principal, command: Command, *, purpose: str | None = None,
                      correlation_id: UUID | None = None, write_claim: PendingClaim | None = None) -> CommandOutcome:
        return await self.commands.handle(principal, command, purpose=purpose, correlation_id=correlation_id,
                                          write_claim=write_claim)

    async def behaviour_log(self, principal: Principal, pupil_ref: UUID, *, safeguarding: bool = False,
                            purpose: str | None = None, break_glass: bool = False,
                            correlation_id: UUID | None = None, after_version: int = 0,
                            limit: int = 500) -> dict[str, Any]:
        view = await self.commands.load_view(pupil_ref)
        return await read_behaviour_log(self._guard, self._read_models.behaviour_log, self._codec, principal, view,
                                        safeguarding=safeguarding, purpose=purpose, break_glass=break_glass,
                                        correlation_id=correlation_id,
                                        after_version=after_version, limit=limit)

    async def placement_register(self, principal: Principal, *, status: str | None = None,
                                 provision_id: str | None = None, pupil_ref: UUID | None = None,
                                 limit: int = 200, correlation_id: UUID | None = None) -> dict[str, Any]:
        return await read_placement_register(self._guard, self._policy.current(), self._read_models.placement_register,
                                             self._codec, principal, status=status, provision_id=provision_id,
                                             pupil_ref=pupil_ref, limit=limit, correlation_id=correlation_id)

    async def staff_training(self, principal: Principal, provision_id: str, *, on: date | None = None,
                             correlation_id: UUID | None = None) -> dict[str, Any]:
        """Who at the provision is trained in what on ``on`` (default today, in England)."""
        day = on or self._clock().astimezone(SCHOOL_TIME_ZONE).date()
        return await read_staff_training(self._guard, principal, provision_id, day, self._rules,
                                         organisations=self.commands.organisations,
                                         register=self.commands.staff_register, correlation_id=correlation_id)

    async def exclusions_awaiting(self, principal: Principal, local_authority_id: str, *, on: date | None = None,
                                  correlation_id: UUID | None = None) -> dict[str, Any]:
        """The authority's exclusions awaiting the governing board on ``on`` (default today, in England)."""
        exclusions = self._read_models.exclusions_for_board
        if exclusions is None:
            raise TypeError("the exclusions-for-board read model is not wired")
        day = on or self._clock().astimezone(SCHOOL_TIME_ZONE).date()

        async def calendars(schools: Iterable[str]) -> SchoolCalendars:
            return await organisation_calendars(self.store, schools, self._calendars)

        return await read_exclusions_awaiting(self._guard, principal, local_authority_id, day, self._rules,
                                              exclusions=exclusions, calendars=calendars,
                                              correlation_id=correlation_id)

    async def attendance_marks(self, principal: Principal, provision_id: str, session_date: date, *,
                               correlation_id: UUID | None = None) -> dict[str, Any]:
        """The marks of ``session_date`` for each pupil placed at ``provision_id`` that day."""
        marks = self._read_models.attendance_marks
        if marks is None:
            raise TypeError("the attendance marks read model is not wired")
        return await read_attendance_marks(self._guard, marks, principal, provision_id, session_date,
                                           correlation_id=correlation_id)

    async def term_dates(self, principal: Principal, organisation_id: str, *,
                         correlation_id: UUID | None = None) -> dict[str, Any]:
        """The term dates ``organisation_id`` has recorded, each academic year's latest."""
        history = await self.store.load(organisation_stream_id(organisation_id))
        return await read_term_dates(self._guard, principal, organisation_id, history, correlation_id=correlation_id)

    async def subject_access(self, principal: Principal, pupil_ref: UUID, *, purpose: str | None,
                             correlation_id: UUID | None = None) -> dict[str, Any]:
        view = await self.commands.load_view(pupil_ref)
        return await export_subject_access(self._guard, self.store, self._codec, principal, view, purpose=purpose,
                                           correlation_id=correlation_id)

    async def audit(self, principal: Principal, wanted: AuditFilter, *, purpose: str | None,
                    correlation_id: UUID | None = None) -> dict[str, Any]:
        """Access audit records for a DPO: about one pupil, or of the DPO's own organisation's users."""
        audit = self._read_models.access_audit
        if audit is None:
            raise AuditUnavailable("no access audit database is configured for reading")
        view = None if wanted.pupil_ref is None else await self.commands.load_view(wanted.pupil_ref)
        return await read_audit(self._guard, audit, principal, view, wanted, purpose=purpose,
                                correlation_id=correlation_id)
