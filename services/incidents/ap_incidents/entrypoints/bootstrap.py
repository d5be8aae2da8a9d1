"""The incidents service's bootstrap: the databases, key store and token verifier one process needs.

``bootstrap(settings)`` opens them from the service's settings (``entrypoints.settings``); a test
builds ``IncidentsDeps`` itself with its own pools, rules, policy, clock or DSL notifier (the
replacements), and every entrypoint takes such a ``deps``. Rule served: issue 10, one bootstrap per
service that builds its dependencies from the settings and accepts replacements.

What it opens:
  DATABASE_URL / AP_DSN_AP_INCIDENTS   event store (database ``ap_incidents``)
  AP_INCIDENTS_READ_DSN                read models (default: the event store's database)
  AP_DSN_AP_AUDIT                      access audit (database ``ap_audit``)
  AP_DSN_AP_KEYS, AP_MASTER_KEYS, AP_ACTIVE_MASTER_KEY   pupil key store and master keys
  AP_TOKEN_PUBLIC_KEY                  verifies bearer tokens (audience ap-incidents)
  AP_AUDIT_CHAIN_KEY, KAFKA_BOOTSTRAP_SERVERS, AP_AUDIT_HEADS_TOPIC   keyed audit chain and its published head
  AP_CLOCK_FILE (with AP_DEPLOYMENT=test)   the time decisions are made at, from a file (``ap_runtime.clock``)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import asyncpg

from ap_contracts.envelope import utc_now
from ap_incidents.adapters.attendance_marks import PostgresAttendanceMarks
from ap_incidents.adapters.erased_record_codec import ErasedRecordTolerantCodec
from ap_incidents.adapters.exclusions_for_board import PostgresExclusionsForBoard
from ap_incidents.adapters.history_cache import HistoryCachingStore
from ap_incidents.adapters.read_models import PostgresAccessAudit, PostgresBehaviourLog, PostgresPlacementRegister
from ap_incidents.application.break_glass import BreakGlassRecorder
from ap_incidents.application.command_handler import Clock
from ap_incidents.application.ports import IncidentsReadModels
from ap_incidents.application.service import IncidentsApplication
from ap_incidents.domain.declarations import DECLARATIONS
from ap_incidents.domain.rules import DEFAULT_RULES, RuleBook
from ap_incidents.domain.theme import CommandDeclaration
from ap_incidents.entrypoints.settings import IncidentsSettings, incidents_settings
from ap_incidents.projections import READ_MODELS
from ap_runtime.access import AccessGuard, AuditLog, NotifyDsl, PolicyStore, TokenVerifier, open_audit_pool
from ap_runtime.access.audit import process_chain_id
from ap_runtime.access.audit_heads import AuditHeadPublisher
from ap_runtime.access.command_audit import CommandAudit, WalFlush, shared_wal_flush
from ap_runtime.access.policy import PACKAGED_POLICY, Policy, default_policy_store, load_policy
from ap_runtime.access.token_cache import CachingTokenVerifier
from ap_runtime.access.token_replay import WriteTokenLedger
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.clock import clock_from_settings
from ap_runtime.commands import migrate_commands
from ap_runtime.eventstore import EventStore, migrate
from ap_runtime.pg_pools import command_path_pool, keyed_statement_pool
from ap_runtime.privacy.codec import PersonalDataCodec
from ap_runtime.privacy.factory import keystore_from_env
from ap_runtime.privacy.keystore import KeyStore
from ap_runtime.projection.store import ensure_registered
from ap_runtime.school_days import NO_CALENDARS, SchoolCalendars
from ap_runtime.settings import database_dsn

EVENTS_DATABASE = "ap_incidents"


@dataclass
class IncidentsDeps:
    """Open connections of one process; ``close`` releases what ``bootstrap`` opened."""

    events_pool: asyncpg.Pool
    read_pool: asyncpg.Pool
    audit_pool: asyncpg.Pool
    keystore: KeyStore
    verifier: TokenVerifier
    rules: RuleBook = DEFAULT_RULES
    policy: PolicyStore | None = None
    notify_dsl: NotifyDsl | None = None
    clock: Clock = utc_now
    # Issue 13: calendars used where an area has recorded none (none in production: term dates are recorded
    # through the API, the demo's included; tests may configure one).
    calendars: SchoolCalendars = NO_CALENDARS
    owned_pools: list[asyncpg.Pool] = field(default_factory=list)
    head_publisher: AuditHeadPublisher | None = None
    read_models: IncidentsReadModels | None = None  # default: the PostgreSQL read models on the pools above
    # Set at start-up when the audit shares the event store's WAL (``command_audit``): commands' allowed checks
    # are then made durable by their append. None: every check's audit commits durably.
    audit_flush: WalFlush | None = None
    # The command path's claim and catch-up reads and its appends, planned once a session (``keyed_statement_pool``
    # on the event store's database, issue 11). None: they run on ``events_pool``.
    keyed_pool: asyncpg.Pool | None = None
    # The application's access-audit writes (its own chain's head and inserts, keyed by the chain), likewise on the
    # audit's database. None: on ``audit_pool``, where the audit's reads stay either way.
    keyed_audit_pool: asyncpg.Pool | None = None
    write_tokens: WriteTokenLedger = field(init=False)

    def __post_init__(self) -> None:
        # Tokens that carried a write command, in the event store's database: shared by every
        # incidents process (HTTP and Kafka) and kept across restarts.
        self.write_tokens = WriteTokenLedger(self.events_pool)

    @classmethod
    async def from_settings(cls, settings: IncidentsSettings) -> IncidentsDeps:
        """Open every connection the settings name (the caller closes them with ``close``)."""
        read_dsn = settings.read_dsn
        events_dsn = database_dsn(EVENTS_DATABASE)
        # Command-path pools: no reset round trip per release (their sessions keep no state).
        events = await command_path_pool(events_dsn, min_size=2, max_size=20)
        keyed = await keyed_statement_pool(events_dsn, min_size=2, max_size=10)
        # The read models share the event store's database unless the settings name another.
        read = await command_path_pool(read_dsn, min_size=1, max_size=10) if read_dsn else events
        audit = await open_audit_pool()
        keyed_audit = await open_audit_pool(min_size=1, max_size=4, keyed=True)
        keystore = await keystore_from_env()
        owned = [events, keyed, audit, keyed_audit] + ([read] if read is not events else [])
        publisher = AuditHeadPublisher.from_env(audit, "ap-incidents")
        await publisher.start()
        # Remembers verified tokens until they expire: one signature check per token, not per use.
        verifier = CachingTokenVerifier.from_settings(settings, ServiceAudience.INCIDENTS)
        return cls(events, read, audit, keystore, verifier, owned_pools=owned, head_publisher=publisher,
                   clock=clock_from_settings(settings), audit_flush=await shared_wal_flush(events, audit),
                   keyed_pool=keyed, keyed_audit_pool=keyed_audit)

    async def migrate(self) -> None:
        """Event store, command bookkeeping and the read models' first generation (all idempotent)."""
        await migrate(self.events_pool)
        await migrate_commands(self.events_pool)
        for model in READ_MODELS:
            await ensure_registered(self.read_pool, model())

    def application(self) -> IncidentsApplication:
        """The application on these connections; break-glass reads are recorded for the DSLs unless
        ``notify_dsl`` says otherwise."""
        codec = PersonalDataCodec(self.keystore)
        store = HistoryCachingStore(self.events_pool, ErasedRecordTolerantCodec(codec), keyed_pool=self.keyed_pool)
        notify = self.notify_dsl or BreakGlassRecorder(EventStore(self.events_pool, codec))
        # The application's own audit chain (issue 11): its writes wait on no other process's.
        audit = AuditLog(self.keyed_audit_pool or self.audit_pool, chain_id=process_chain_id("ap-incidents"))
        guard = AccessGuard(audit, policy=self.policy, notify_dsl=notify, clock=self.clock)
        return IncidentsApplication(store, codec, guard, self.keystore, self.read_models or self.postgres_read_models(),
                                    rules=self.rules, policy=self.policy, clock=self.clock, calendars=self.calendars,
                                    command_audit=CommandAudit(guard, audit, self.audit_flush))

    def postgres_read_models(self) -> IncidentsReadModels:
        """The behaviour log and placement register on the read pool, the access audit on its own."""
        return IncidentsReadModels(PostgresBehaviourLog(self.read_pool), PostgresPlacementRegister(self.read_pool),
                                   PostgresAccessAudit(self.audit_pool),
                                   exclusions_for_board=PostgresExclusionsForBoard(self.read_pool),
                                   attendance_marks=PostgresAttendanceMarks(self.read_pool))

    async def close(self) -> None:
        if self.head_publisher is not None:
            await self.head_publisher.stop()
        for pool in self.owned_pools:
            await pool.close()
        await self.keystore.close()


def check_incidents_actions(policy: Policy | None = None,
                            declarations: Iterable[CommandDeclaration] = DECLARATIONS) -> None:
    """Stop at start-up when the access policy lacks an action a command declaration names: a typo in an id
    fails here, naming it, instead of denying every call of that command (issue 10, one vocabulary)."""
    (policy or default_policy_store().current()).check_known(sorted({d.action for d in declarations}), "incidents")


async def bootstrap(settings: IncidentsSettings | None = None) -> IncidentsDeps:
    """The dependencies of one incidents process, from ``settings`` (default: this process's environment);
    the configured access policy must list every declared action before anything is opened."""
    settings = settings or incidents_settings()
    check_incidents_actions(load_policy(settings.access_policy or PACKAGED_POLICY))
    return await IncidentsDeps.from_settings(settings)
