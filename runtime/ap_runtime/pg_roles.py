"""PostgreSQL roles with least privilege: the one definition the deploy scripts, compose and tests apply.

Rule served (issue 9, "Audit, keys and roles"): no service process connects as the superuser, and
each role can reach only the database it serves.

The model, per platform database (``PLATFORM_DATABASES``):

* one login role, named after the database by default (``ap_incidents``, ``ap_finance``,
  ``ap_reporting``, ``ap_notifications``, ``ap_commissioning``, ``ap_keys``, ``ap_audit``, ``ap_web``: the web
  service's answers in progress);
* ``PUBLIC`` loses ``CONNECT`` and ``TEMPORARY`` on every platform database, so a role connects only
  where it is granted (or owns) the database: the reporting role cannot even open ``ap_keys`` or
  ``ap_incidents``, the finance role cannot open ``ap_incidents``;
* a service role *owns* its database: the service creates and migrates its own tables at start (the
  event store, read-model generations, the key table), as it always has, and no other role can;
* the audit role is append-only: ``ap_audit`` stays owned by the admin who runs ``apply``, which
  creates the audit tables itself (``ADMIN_MIGRATIONS``), and the role gets ``CONNECT``,
  ``USAGE`` on the schema and ``SELECT, INSERT`` on its tables only (also on tables the admin adds
  later, by default privileges): no ``UPDATE``, ``DELETE``, ``TRUNCATE`` or DDL, so it cannot
  disable the append-only triggers either.

Which *process* holds which role's credentials is deployment (``docker-compose.yml``): incidents
processes hold the incidents, keys and audit credentials; finance, reporting, notifications and
commissioning processes their own and audit's; the web service only its own (it reaches the others
through their APIs). The key database is reached only with the ``ap_keys`` role.

``apply`` is idempotent (roles are created or their password reset; ownership of objects a
superuser created earlier moves to the service role). Run it as a superuser:
``python -m ap_runtime.pg_roles apply --admin-dsn postgresql://postgres@host/postgres``; passwords
come from ``AP_PG_PASSWORD_<DATABASE>`` (a role without one cannot log in with a password: on a
trust-authenticated local server it does not need one).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from ap_runtime.access.audit import ensure_schema as ensure_audit_schema
from ap_runtime.settings import ROLE_PASSWORD_PREFIX, DeployJobSettings

PLATFORM_DATABASES = ("ap_incidents", "ap_finance", "ap_reporting", "ap_notifications", "ap_commissioning", "ap_keys",
                      "ap_audit", "ap_web")
APPEND_ONLY_DATABASES = frozenset({"ap_audit"})
PASSWORD_ENV = ROLE_PASSWORD_PREFIX + "{}"  # a variable name, not a password
# Every platform role is a plain login: no role or database creation, no replication (the Kubernetes
# manifests declare the same, tests/test_deploy_k8s.py compares). INHERIT stays: a database owner
# creates in its public schema through the implicit pg_database_owner membership (PostgreSQL 15).
ROLE_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS"

# Tables of an append-only database are created by the admin, never by its role.
ADMIN_MIGRATIONS: Mapping[str, Callable[[asyncpg.Connection], Awaitable[None]]] = {
    "ap_audit": ensure_audit_schema,
}


@dataclass(frozen=True, slots=True)
class DatabaseRole:
    """One platform database (``kind``, e.g. ``ap_audit``), its actual name and its login role."""

    kind: str
    database: str
    role: str

    @property
    def append_only(self) -> bool:
        return self.kind in APPEND_ONLY_DATABASES


def platform_roles(
    databases: Mapping[str, str] | None = None, role_prefix: str = "", kinds: Sequence[str] = PLATFORM_DATABASES
) -> tuple[DatabaseRole, ...]:
    """The plan: each kind of database with its actual name (tests pass fresh ones) and role name."""
    names = databases or {}
    unknown = set(kinds) - set(PLATFORM_DATABASES)
    if unknown:
        raise ValueError(f"not platform databases: {sorted(unknown)}; known: {list(PLATFORM_DATABASES)}")
    return tuple(DatabaseRole(kind, names.get(kind, kind), f"{role_prefix}{kind}") for kind in kinds)


def role_dsn(admin_dsn: str, plan: DatabaseRole, password: str | None = None) -> str:
    """The DSN a process uses for ``plan``: the admin DSN's server, the role's name and password."""
    parts = urlsplit(admin_dsn)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    login = plan.role + (f":{password}" if password else "")
    netloc = f"{login}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc, path="/" + plan.database))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _on_database(admin_dsn: str, database: str) -> str:
    return urlunsplit(urlsplit(admin_dsn)._replace(path="/" + database))


async def _ensure_role(conn: asyncpg.Connection, role: str, password: str | None) -> None:
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    verb = "ALTER" if exists else "CREATE"
    attributes = ROLE_ATTRIBUTES
    if password is None:
        await conn.execute(f"{verb} ROLE {_ident(role)} {attributes}")
    else:
        # DDL takes no bind parameters: the password goes in as a quoted literal.
        literal = await conn.fetchval("SELECT quote_literal($1::text)", password)
        await conn.execute(f"{verb} ROLE {_ident(role)} {attributes} PASSWORD {literal}")


async def _ensure_database(conn: asyncpg.Connection, database: str) -> None:
    if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
        try:
            await conn.execute(f"CREATE DATABASE {_ident(database)}")
        except asyncpg.DuplicateDatabaseError:
            pass  # created concurrently


# Objects a superuser created before roles existed move to the service role, so that its migrations
# (CREATE INDEX IF NOT EXISTS, ALTER TABLE ...) keep working. Sequences owned by a column follow
# their table.
_TRANSFER_OWNERSHIP = """
DO $transfer$
DECLARE
    target text := {role};
    item record;
BEGIN
    FOR item IN
        SELECT format('ALTER SCHEMA %I OWNER TO %I', nspname, target) AS ddl
        FROM pg_namespace
        WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'public')
          AND pg_get_userbyid(nspowner) <> target
        UNION ALL
        SELECT format('ALTER %s %I.%I OWNER TO %I',
                      CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                     WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                                     ELSE 'TABLE' END,
                      n.nspname, c.relname, target)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND pg_get_userbyid(c.relowner) <> target
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                            AND d.deptype IN ('a', 'i'))
        UNION ALL
        SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, target)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
          AND pg_get_userbyid(p.proowner) <> target
        UNION ALL
        SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, target)
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
          AND t.typtype IN ('e', 'd', 'r', 'm') AND pg_get_userbyid(t.typowner) <> target
    LOOP
        EXECUTE item.ddl;
    END LOOP;
END
$transfer$;
"""


async def _grant_owner(admin_dsn: str, plan: DatabaseRole) -> None:
    conn = await asyncpg.connect(_on_database(admin_dsn, plan.database))
    try:
        literal = await conn.fetchval("SELECT quote_literal($1::text)", plan.role)
        await conn.execute(_TRANSFER_OWNERSHIP.format(role=literal))
    finally:
        await conn.close()


async def _grant_append_only(admin_dsn: str, plan: DatabaseRole) -> None:
    conn = await asyncpg.connect(_on_database(admin_dsn, plan.database))
    role = _ident(plan.role)
    try:
        migration = ADMIN_MIGRATIONS.get(plan.kind)
        if migration is not None:
            await migration(conn)
        admin = _ident(str(await conn.fetchval("SELECT current_user")))
        await conn.execute(f"""
            REVOKE ALL ON SCHEMA public FROM {role};
            GRANT USAGE ON SCHEMA public TO {role};
            REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};
            GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO {role};
            REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
            ALTER DEFAULT PRIVILEGES FOR ROLE {admin} IN SCHEMA public GRANT SELECT, INSERT ON TABLES TO {role};
            ALTER DEFAULT PRIVILEGES FOR ROLE {admin} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role};
        """)
    finally:
        await conn.close()


async def apply(admin_dsn: str, plan: Sequence[DatabaseRole], passwords: Mapping[str, str | None]) -> None:
    """Create the databases and roles of ``plan`` with their privileges (idempotent; run as superuser).

    ``passwords`` maps a database kind (``ap_audit``) to its role's password (absent: none set).
    """
    conn = await asyncpg.connect(admin_dsn)
    try:
        for item in plan:
            await _ensure_database(conn, item.database)
            await _ensure_role(conn, item.role, passwords.get(item.kind))
            db, role = _ident(item.database), _ident(item.role)
            await conn.execute(f"REVOKE ALL ON DATABASE {db} FROM PUBLIC")
            if item.append_only:
                await conn.execute(f"ALTER DATABASE {db} OWNER TO CURRENT_USER")
                await conn.execute(f"REVOKE ALL ON DATABASE {db} FROM {role}")
                await conn.execute(f"GRANT CONNECT ON DATABASE {db} TO {role}")
            else:
                await conn.execute(f"ALTER DATABASE {db} OWNER TO {role}")
    finally:
        await conn.close()
    for item in plan:
        if item.append_only:
            await _grant_append_only(admin_dsn, item)
        else:
            await _grant_owner(admin_dsn, item)


async def drop(admin_dsn: str, plan: Sequence[DatabaseRole]) -> None:
    """Drop the databases and roles of ``plan`` (test clean-up)."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        for item in plan:
            await conn.execute(f"DROP DATABASE IF EXISTS {_ident(item.database)} WITH (FORCE)")
        for item in plan:
            await conn.execute(f"DROP ROLE IF EXISTS {_ident(item.role)}")
    finally:
        await conn.close()


def passwords_from_settings(plan: Sequence[DatabaseRole], settings: DeployJobSettings) -> dict[str, str | None]:
    """``AP_PG_PASSWORD_<KIND>`` for each database kind of ``plan`` (None when unset or empty)."""
    return {item.kind: settings.role_password(item.kind) for item in plan}


def passwords_from_env(plan: Sequence[DatabaseRole], env: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """``passwords_from_settings`` of this process's deploy-job settings (or of ``env``)."""
    return passwords_from_settings(plan, DeployJobSettings.from_env(env))


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    settings = DeployJobSettings.from_env(env)
    parser = argparse.ArgumentParser(prog="python -m ap_runtime.pg_roles", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("apply", help="create the platform databases and roles (idempotent)")
    run.add_argument("--admin-dsn", default=settings.admin_dsn(),
                     help="superuser DSN (default $AP_PG_ADMIN_DSN, else $DATABASE_URL)")
    args = parser.parse_args(argv)
    if not args.admin_dsn:
        parser.error("--admin-dsn (or AP_PG_ADMIN_DSN / DATABASE_URL) is required")
    plan = platform_roles()
    asyncio.run(apply(args.admin_dsn, plan, passwords_from_settings(plan, settings)))
    print("roles: " + ", ".join(f"{item.role} -> {item.database}" for item in plan), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
