"""The finance service's bootstrap: stores, pools, token verifier and access guard, built once per process.

``bootstrap(settings)`` opens them from the service's settings (``entrypoints.settings``); a test
passes its own ``FinanceDeps`` (its pools, verifier, guard, clock: the replacements) to ``create_app``.
Rule served: issue 10, one bootstrap per service that builds its dependencies from the settings and
accepts replacements.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg

from ap_finance.adapters.event_store import finance_dsn, migrate_finance, open_pool
from ap_finance.adapters.postgres_ports import PostgresBudgetLookups
from ap_finance.application.browse import FinanceBrowse
from ap_finance.application.commands import FinanceCommands
from ap_finance.application.publications import ReportPublications
from ap_finance.application.queries import FinanceQueries
from ap_finance.domain.declarations import FINANCE_ACTIONS
from ap_finance.entrypoints.handlers import finance_browse, finance_commands, finance_queries
from ap_finance.entrypoints.settings import FinanceSettings, finance_settings
from ap_runtime.access import AccessGuard, AuditLog, Policy, TokenVerifier, default_policy_store, open_audit_pool
from ap_runtime.access.audit_heads import AuditHeadPublisher
from ap_runtime.access.fastapi import Guard
from ap_runtime.access.token_replay import WriteTokenLedger
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import EventStore
from ap_runtime.settings import database_dsn


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class FinanceDeps:
    store: EventStore
    read_pool: asyncpg.Pool
    verifier: TokenVerifier
    access: AccessGuard
    clock: Callable[[], datetime] = field(default=_utc_now)


DepsFactory = Callable[[], AbstractAsyncContextManager[FinanceDeps]]


@dataclass(frozen=True, slots=True)
class FinanceServices:
    """The handlers the routes call, wired to the HTTP guard (denials become 403 problems)."""

    deps: FinanceDeps
    commands: FinanceCommands
    queries: FinanceQueries
    browse: FinanceBrowse
    publications: ReportPublications
    write_tokens: WriteTokenLedger  # tokens that carried a write command (replays refused)


def services_for(deps: FinanceDeps) -> FinanceServices:
    guard = Guard(deps.access)
    queries = finance_queries(deps.store, deps.read_pool, guard, clock=deps.clock)
    return FinanceServices(
        deps=deps,
        commands=finance_commands(deps.store, guard),
        queries=queries,
        browse=finance_browse(deps.store, guard),
        publications=ReportPublications(deps.store, PostgresBudgetLookups(deps.store.pool), queries, guard),
        write_tokens=WriteTokenLedger(deps.store.pool),
    )


def check_finance_actions(policy: Policy | None = None) -> None:
    """Stop at start-up when the access policy (``$AP_ACCESS_POLICY`` or the packaged one) lacks an action
    finance names: a typo in an id fails here, naming it, instead of denying every call (issue 10)."""
    (policy or default_policy_store().current()).check_known(FINANCE_ACTIONS, "finance")


@asynccontextmanager
async def bootstrap(settings: FinanceSettings | None = None) -> AsyncIterator[FinanceDeps]:
    """Pools on ``$AP_DSN_AP_FINANCE`` (read models: ``$AP_FINANCE_READ_DSN``, default the same database)
    and the audit database, migrated; the token public key from ``$AP_TOKEN_PUBLIC_KEY``."""
    check_finance_actions()
    events_dsn = finance_dsn()
    read_dsn = (settings or finance_settings()).read_dsn or events_dsn
    events_pool = await open_pool(events_dsn)
    read_pool = events_pool if read_dsn == events_dsn else await open_pool(read_dsn)
    audit_pool = await open_audit_pool(database_dsn("ap_audit"))
    audit = AuditLog(audit_pool)
    heads = AuditHeadPublisher.from_env(audit_pool, "ap-finance")
    await heads.start()
    try:
        await migrate_finance(events_pool, read_pool)
        yield FinanceDeps(EventStore(events_pool), read_pool, TokenVerifier.from_env(ServiceAudience.FINANCE),
                          AccessGuard(audit))
    finally:
        await audit.aclose()
        await heads.stop()
        await audit_pool.close()
        if read_pool is not events_pool:
            await read_pool.close()
        await events_pool.close()
