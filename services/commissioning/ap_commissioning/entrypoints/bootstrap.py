"""The commissioning service's bootstrap: event store, token verifier and access guard, built once per process.

``bootstrap(settings)`` opens them from the service's settings (``entrypoints.settings``); a test builds
``CommissioningDeps`` on its own pool, verifier, guard and clock and passes it to ``create_app``. Rule served:
issue 10, one bootstrap per service that builds its dependencies from the settings and accepts replacements.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg

from ap_commissioning.adapters.event_store import commissioning_dsn, migrate_commissioning, sla_parties
from ap_commissioning.adapters.record_index import panels_of_authority, self_audits_of
from ap_commissioning.application.calendars import CalendarSource, no_recorded_calendars
from ap_commissioning.application.capacity_queries import CapacityQueries
from ap_commissioning.application.commands import CommissioningCommands
from ap_commissioning.application.panel_queries import PanelQueries
from ap_commissioning.application.self_audit_queries import SelfAuditQueries
from ap_commissioning.application.sla_queries import SlaQueries
from ap_commissioning.domain.declarations import COMMISSIONING_ACTIONS
from ap_commissioning.entrypoints.settings import CommissioningSettings, commissioning_settings
from ap_commissioning.projections.calendars import stored_calendars
from ap_runtime.access import AccessGuard, AuditLog, Policy, TokenVerifier, default_policy_store, open_audit_pool
from ap_runtime.access.audit_heads import AuditHeadPublisher
from ap_runtime.access.fastapi import Guard
from ap_runtime.access.token_replay import WriteTokenLedger
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import EventStore
from ap_runtime.pg_pools import command_path_pool
from ap_runtime.settings import database_dsn


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CommissioningDeps:
    store: EventStore
    verifier: TokenVerifier
    access: AccessGuard
    clock: Callable[[], datetime] = field(default=_utc_now)
    calendars: CalendarSource = field(default=no_recorded_calendars)
    """the LA calendars school days are counted with (the process: the commissioning_calendars read model)"""
    _closers: list[Callable[[], Awaitable[object]]] = field(default_factory=list, repr=False)

    async def close(self) -> None:
        for close in reversed(self._closers):
            await close()


@dataclass(frozen=True, slots=True)
class CommissioningServices:
    """The handlers the routes call, wired to the HTTP guard (denials become 403 problems)."""

    deps: CommissioningDeps
    commands: CommissioningCommands
    slas: SlaQueries
    self_audits: SelfAuditQueries
    panels: PanelQueries
    capacity: CapacityQueries
    write_tokens: WriteTokenLedger


def services_for(deps: CommissioningDeps) -> CommissioningServices:
    guard = Guard(deps.access)
    pool = deps.store.pool

    async def parties_of(organisation_id: str, provision_id: str | None) -> list[tuple[str, str]]:
        return await sla_parties(pool, organisation_id, provision_id)

    return CommissioningServices(
        deps=deps,
        commands=CommissioningCommands(deps.store, guard, deps.clock, deps.calendars),
        slas=SlaQueries(deps.store, parties_of, guard, deps.clock),
        self_audits=SelfAuditQueries(deps.store, lambda org: self_audits_of(pool, org), guard),
        panels=PanelQueries(deps.store, lambda la: panels_of_authority(pool, la), guard, deps.clock,
                            deps.calendars),
        capacity=CapacityQueries(deps.store, lambda org: sla_parties(pool, org),
                                 lambda la: panels_of_authority(pool, la), guard),
        write_tokens=WriteTokenLedger(pool),
    )


def check_commissioning_actions(policy: Policy | None = None) -> None:
    """Stop at start-up when the access policy lacks an action commissioning names (issue 10)."""
    (policy or default_policy_store().current()).check_known(COMMISSIONING_ACTIONS, "commissioning")


async def bootstrap(settings: CommissioningSettings | None = None) -> CommissioningDeps:
    """Pools on ``$AP_DSN_AP_COMMISSIONING`` and the audit database, migrated; the token key from the environment.
    A bad variable stops here, naming it (``commissioning_settings``)."""
    settings = settings or commissioning_settings()
    check_commissioning_actions()
    pool: asyncpg.Pool = await command_path_pool(commissioning_dsn(), min_size=1, max_size=10)
    await migrate_commissioning(pool)
    audit_pool = await open_audit_pool(database_dsn("ap_audit"))
    audit = AuditLog(audit_pool)
    heads = AuditHeadPublisher.from_env(audit_pool, "ap-commissioning")
    await heads.start()
    deps = CommissioningDeps(EventStore(pool), TokenVerifier.from_env(ServiceAudience.COMMISSIONING),
                             AccessGuard(audit), calendars=stored_calendars(pool))
    deps._closers.extend([pool.close, audit_pool.close, audit.aclose, heads.stop])
    return deps
