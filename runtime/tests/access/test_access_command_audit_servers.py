"""A command's access audit is deferred to its append only when both databases share one server's WAL.

Rule served: issue 11 without weakening "an access is never served before it is logged durably"
(``ap_runtime.access.command_audit``): the audit on another PostgreSQL server than the event store (a WAL of its
own, which the append's commit does not flush) commits durably as before. The other server is a real one, started
for this module from the PostgreSQL binaries on this machine (the ones `make up` runs); a deferred constraint
trigger notes the ``synchronous_commit`` in force when an audit entry's transaction commits.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess  # nosec B404 - starts a PostgreSQL server
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind
from ap_runtime.access import AccessGuard, AuditLog, Principal, ResourceContext, Role, open_audit_pool
from ap_runtime.access.audit import process_chain_id
from ap_runtime.access.command_audit import CommandAudit, shared_wal_flush

pytestmark = pytest.mark.integration

_NOTE_COMMITS = """
CREATE TABLE commit_modes (mode text NOT NULL);
CREATE FUNCTION note_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO commit_modes VALUES (current_setting('synchronous_commit'));
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER note_commit_mode AFTER INSERT ON access_audit
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION note_commit_mode();
"""
STAFF = Principal(user_id="staff@prov-north", organisation_id="prov-north", org_kind=OrgKind.PROVISION,
                  roles=frozenset({Role.PROVISION_STAFF}))


def _binary(name: str) -> str | None:
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None)
    return None if found is None else str(found)


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def another_server() -> Iterator[str]:
    """The DSN of a second PostgreSQL server on this machine (trust authentication, no fsync: a throwaway)."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        # Not a skip: a suite passed by skipping would prove nothing, and `make up` needs these binaries anyway.
        pytest.fail("no initdb/pg_ctl on PATH or under /usr/lib/postgresql/*/bin to start a second server")
    home = Path(tempfile.mkdtemp(prefix="ap-second-server-"))
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
    data, port = home / "data", _free_port()
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_server_user([initdb, "-D", str(data), "-U", "postgres", "--auth=trust"]),  # nosec B603 - fixed PostgreSQL command
                   check=True, capture_output=True)
    subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-w", "-l", str(home / "log"), "-o", options, "start"]),  # nosec B603 - fixed PostgreSQL command
                   check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),  # nosec B603 - fixed PostgreSQL command
                       check=False, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest_asyncio.fixture(loop_scope="session")
async def audit(new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_audit_pool(await new_database("command_audit_servers"), max_size=2)
    await pool.execute(_NOTE_COMMITS)
    yield pool
    await pool.close()


async def _allowed_command_check(command_audit: CommandAudit, *, covered_by_append: bool = False) -> None:
    async with command_audit.checks() as checks:
        await checks.check(STAFF, "incidents.record_incident", ResourceContext(provision_id="prov-north"),
                           purpose=None, correlation_id=uuid4())
        if covered_by_append:  # as a command's durable append marks it: no flush of its own on leaving
            checks.covered()


async def test_an_audit_on_another_server_commits_durably(another_server: str, audit: asyncpg.Pool) -> None:
    events = await asyncpg.create_pool(another_server, min_size=1, max_size=2)
    try:
        assert await shared_wal_flush(events, audit) is None  # the append's flush would not cover the audit
        log = AuditLog(audit, chain_id=process_chain_id("test-servers"))
        guard = AccessGuard(log)
        await _allowed_command_check(CommandAudit(guard, log, await shared_wal_flush(events, audit)))
        assert [row["mode"] for row in await audit.fetch("SELECT mode FROM commit_modes")] == ["on"]
    finally:
        await events.close()


async def test_an_audit_on_the_event_stores_server_waits_for_the_append(
        new_database: Callable[[str], Awaitable[str]], audit: asyncpg.Pool) -> None:
    events = await asyncpg.create_pool(await new_database("command_audit_events"), min_size=1, max_size=2)
    try:
        log = AuditLog(audit, chain_id=process_chain_id("test-servers"))
        flush = await shared_wal_flush(events, audit)
        assert flush is not None
        await _allowed_command_check(CommandAudit(AccessGuard(log), log, flush), covered_by_append=True)
        assert [row["mode"] for row in await audit.fetch("SELECT mode FROM commit_modes")] == ["off"]
    finally:
        await events.close()
