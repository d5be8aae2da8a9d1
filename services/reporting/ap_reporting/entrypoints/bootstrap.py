"""The reporting service's bootstrap: the read-model pool, audit trail and token verifier of the API.

``bootstrap(settings)`` opens them from the service's settings (``entrypoints.settings``); a test
builds ``ApiDeps`` itself with its own pool, guard and verifier (the replacements) and passes it to
``create_app``. Rule served: issue 10, one bootstrap per service that builds its dependencies from
the settings and accepts replacements.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from ap_reporting.domain.actions import REPORTING_ACTIONS
from ap_reporting.domain.engagement import DEFAULT_ENGAGEMENT_RULES, EngagementRuleBook
from ap_reporting.entrypoints.settings import ReportingSettings
from ap_runtime.access import AccessGuard, AuditLog, Policy, TokenVerifier, default_policy_store, open_audit_pool
from ap_runtime.access.audit_heads import AuditHeadPublisher
from ap_runtime.access.tokens import ServiceAudience


@dataclass
class ApiDeps:
    """Open connections of the API; ``close`` releases what ``bootstrap`` opened."""

    pool: asyncpg.Pool
    guard: AccessGuard
    verifier: TokenVerifier
    owned_pools: tuple[asyncpg.Pool, ...] = ()
    head_publisher: AuditHeadPublisher | None = None
    # Issue 14: the engagement rule book (the end-of-term trip threshold), replaceable like incidents' rule book.
    engagement_rules: EngagementRuleBook = DEFAULT_ENGAGEMENT_RULES

    async def close(self) -> None:
        if self.head_publisher is not None:
            await self.head_publisher.stop()
        for pool in self.owned_pools:
            await pool.close()


def check_reporting_actions(policy: Policy | None = None) -> None:
    """Stop at start-up when the access policy (``$AP_ACCESS_POLICY`` or the packaged one) lacks an action
    reporting names: a typo in an id fails here, naming it, instead of denying every report (issue 10)."""
    (policy or default_policy_store().current()).check_known(REPORTING_ACTIONS, "reporting")


async def bootstrap(settings: ReportingSettings | None = None) -> ApiDeps:
    """The API's dependencies, from ``settings`` (default: this process's environment)."""
    check_reporting_actions()
    chosen = settings or ReportingSettings.from_env()
    pool = await asyncpg.create_pool(chosen.dsn, min_size=1, max_size=8)
    audit_pool = await open_audit_pool()
    heads = AuditHeadPublisher.from_env(audit_pool, "ap-reporting")
    await heads.start()
    return ApiDeps(pool, AccessGuard(AuditLog(audit_pool)), TokenVerifier.from_env(ServiceAudience.REPORTING),
                   (pool, audit_pool), heads)
