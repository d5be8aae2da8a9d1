"""The reporting API on a fresh read model, for the API tests: every projection a route reads registered, the
caller's facts written into them, a real audit database and the token verifier of the test's keys (two tests built
it alike)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg
import httpx

from ap_reporting.entrypoints.api import create_app
from ap_reporting.entrypoints.bootstrap import ApiDeps
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.finance_ledger import ReportingFinanceProjection
from ap_runtime.access import AccessGuard, AuditLog, TokenVerifier, open_audit_pool
from ap_runtime.access.keys import load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.projection.store import ensure_registered

NewDatabase = Callable[[str], Awaitable[str]]


async def register_read_models(pool: asyncpg.Pool) -> None:
    """Every read model the reporting API reads, registered empty (the strategy and Schools Forum routes read the
    exclusion reasons and commissioning facts, the annual report finance's ledger too)."""
    for projection in (ReportingFactsProjection(), ExclusionReasonsProjection(),
                       ReportingCommissioningFactsProjection(), ReportingFinanceProjection()):
        await ensure_registered(pool, projection)


@asynccontextmanager
async def reporting_api(new_database: NewDatabase, prefix: str, public_pem: str,
                        write: Callable[[asyncpg.Pool], Awaitable[None]]) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the reporting API whose read model holds what ``write`` put in (databases ``prefix_*``)."""
    pool = await asyncpg.create_pool(await new_database(prefix), min_size=1, max_size=4)
    audit_pool = await open_audit_pool(await new_database(f"{prefix}_audit"))
    await register_read_models(pool)
    await write(pool)
    verifier = TokenVerifier(load_public_key(public_pem), audience=ServiceAudience.REPORTING)
    app = create_app(ApiDeps(pool, AccessGuard(AuditLog(audit_pool)), verifier))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            yield client
    finally:
        await pool.close()
        await audit_pool.close()
