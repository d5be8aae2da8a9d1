"""Least-privilege PostgreSQL roles (ap_runtime.pg_roles) on the real server: each role is refused
what it must not do and can do what its service needs.

Rule served: issue 9 "Audit, keys and roles": no service connects as the superuser; no service but
incidents (through the key role) reads ap_keys; the audit role may INSERT and SELECT only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
import pytest

from ap_runtime.access import AuditEntry, AuditLog, ensure_schema
from ap_runtime.access.audit import open_audit_pool
from ap_runtime.pg_roles import PLATFORM_DATABASES
from ap_runtime.privacy.keystore import KeyStore
from ap_testing.privacy import random_ring

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

RoleDatabases = Callable[..., Awaitable[dict[str, str]]]


def _as(dsn: str, database_dsn: str) -> str:
    """``dsn``'s login (role) on the database of ``database_dsn``."""
    return dsn.rsplit("/", 1)[0] + "/" + database_dsn.rsplit("/", 1)[1]


async def _refused_connection(login_dsn: str, database_dsn: str) -> str:
    with pytest.raises(asyncpg.InsufficientPrivilegeError) as refused:
        conn = await asyncpg.connect(_as(login_dsn, database_dsn))
        await conn.close()
    return str(refused.value)


async def test_every_role_reaches_only_its_own_database(new_role_databases: RoleDatabases) -> None:
    dsns = await new_role_databases("roles_matrix")
    assert set(dsns) == set(PLATFORM_DATABASES)
    for login_kind, login in dsns.items():
        conn = await asyncpg.connect(login)
        try:
            assert not await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        finally:
            await conn.close()
        for target_kind, target in dsns.items():
            if target_kind != login_kind:
                message = await _refused_connection(login, target)
                assert "permission denied for database" in message, (login_kind, target_kind, message)


async def test_reporting_and_finance_cannot_read_keys_or_the_incidents_event_store(
    new_role_databases: RoleDatabases,
) -> None:
    dsns = await new_role_databases("roles_keys", "ap_keys", "ap_incidents", "ap_reporting", "ap_finance")
    keystore = await KeyStore.open(dsns["ap_keys"], random_ring()[0], cache_ttl_seconds=0)
    try:
        assert len(await keystore.get_or_create("pupil-1")) == 32  # the key role does the key service's work
    finally:
        await keystore.close()
    for outsider in ("ap_reporting", "ap_finance"):
        for secret in ("ap_keys", "ap_incidents"):
            assert "permission denied" in await _refused_connection(dsns[outsider], dsns[secret])


async def test_a_service_role_cannot_create_roles_databases_or_read_server_files(
    new_role_databases: RoleDatabases,
) -> None:
    dsns = await new_role_databases("roles_escalate", "ap_incidents")
    conn = await asyncpg.connect(dsns["ap_incidents"])
    try:
        await conn.execute("CREATE TABLE own_table (x int)")  # its own database: migrations run
        for statement in ("CREATE ROLE intruder", "CREATE DATABASE intruder_db",
                          "SELECT pg_read_file('postgresql.conf')", "COPY own_table FROM PROGRAM 'true'"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(statement)
    finally:
        await conn.close()


def _entry(n: int) -> AuditEntry:
    return AuditEntry(
        at=datetime(2025, 1, 1, tzinfo=UTC), user_id=f"user-{n}", roles=("dsl",), organisation_id="org-1",
        action="read", decision="allowed", rule_id="TEST-1", reason="test",
    )


async def test_audit_role_inserts_and_selects_but_cannot_change_or_remove_rows(
    new_role_databases: RoleDatabases,
) -> None:
    dsns = await new_role_databases("roles_audit", "ap_audit")
    pool = await open_audit_pool(dsns["ap_audit"])  # the service's own start-up, as the audit role
    try:
        log = AuditLog(pool)
        await log.record(_entry(1))
        await log.record(_entry(2))
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM access_audit") == 2
            for statement in (
                "UPDATE access_audit SET reason = 'rewritten'",
                "DELETE FROM access_audit WHERE seq = 2",
                "TRUNCATE access_audit",
                "ALTER TABLE access_audit DISABLE TRIGGER USER",
                "DROP TABLE access_audit",
                "CREATE TABLE access_audit_copy (seq bigint)",
            ):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await conn.execute(statement)
            await ensure_schema(conn)  # harmless for the role: the admin owns the schema
            assert await conn.fetchval("SELECT count(*) FROM access_audit") == 2
    finally:
        await pool.close()
