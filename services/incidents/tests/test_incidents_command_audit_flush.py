"""A command's allowed access audit commits without a flush wait; its durable append, or a flush, makes it durable.

Rule served: issue 11 (one WAL flush wait fewer a command) without weakening "an access is never answered before
it is logged durably" (``ap_runtime.access.command_audit``'s module docstring has the argument). On a real
PostgreSQL, as the service's own roles: a deferred constraint trigger on each table notes the ``synchronous_commit``
in force when the transaction that wrote a row commits, and when (the server's clock); the audit pool's statements
are logged as they complete, so a flush (a durable commit on the audit's server) is seen to finish before the
command answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_contracts.events.pupil_vocabulary import TrainingKind
from ap_incidents.application.command_handler import CommandHandler
from ap_incidents.domain import command_models as c
from ap_incidents.domain.errors import PupilAlreadyRegistered
from ap_runtime.access import AccessDenied, AccessGuard, AuditLog
from ap_runtime.access.audit import process_chain_id
from ap_runtime.access.audit_schema import INSERT_SQL, INSERT_WITHOUT_FLUSH_WAIT_SQL, ensure_schema
from ap_runtime.access.command_audit import CommandAudit, WalFlush, shared_wal_flush
from ap_runtime.commands import CommandOutcome, migrate_commands
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.eventstore.models import AppendResult
from ap_testing.infra import dsn_for_database

from .conftest import ON_STAFF, PROVISION, REGISTRATIONS, Commands
from .test_incidents_command_handler_memory import (
    ADMIN,
    HEAD,
    MANAGER,
    OTHER_STAFF,
    STAFF,
    ClearCodec,
    NoKeys,
    admission,
)

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

FLUSH = "pg_logical_emit_message"
_NOTE_COMMITS = """
CREATE TABLE commit_modes (table_name text NOT NULL, mode text NOT NULL, at timestamptz NOT NULL);
GRANT INSERT, SELECT, DELETE ON commit_modes TO PUBLIC;
CREATE FUNCTION note_commit_mode() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    INSERT INTO commit_modes VALUES (TG_TABLE_NAME, current_setting('synchronous_commit'), clock_timestamp());
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER note_commit_mode AFTER INSERT ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION note_commit_mode();
"""


class FailingAppends(EventStore):
    """The event store, whose next append of a command fails (``fail_next``) as a lost connection would."""

    fail_next = False

    async def append_command(self, command_id: Any, stream_id: str, expected_version: int,
                             events: Sequence[NewEvent]) -> AppendResult:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionResetError("the event store's connection was lost")
        return await super().append_command(command_id, stream_id, expected_version, events)


@dataclass
class Servers:
    """The handler on an event store and an audit database of one server, each reached as its service role."""

    events: asyncpg.Pool
    audit: asyncpg.Pool
    admin: dict[str, asyncpg.Pool]  # the superuser on each database: the triggers' notes
    store: FailingAppends
    handler: CommandHandler
    audit_statements: list[str] = field(default_factory=list)

    async def run(self, act: Callable[[], Awaitable[Any]]) -> tuple[Any, list[str]]:
        """``act``'s answer (or its exception) and the audit statements completed before it answered."""
        await self.forget_commits()
        self.audit_statements.clear()
        try:
            answer = await act()
        except Exception as raised:  # the test asserts on it
            answer = raised
        return answer, list(self.audit_statements)

    async def commits(self, database: str) -> list[tuple[str, Any]]:
        rows = await self.admin[database].fetch("SELECT mode, at FROM commit_modes ORDER BY at")
        return [(row["mode"], row["at"]) for row in rows]

    async def forget_commits(self) -> None:
        for pool in self.admin.values():
            await pool.execute("DELETE FROM commit_modes")


def _kinds(statements: list[str]) -> list[str]:
    """The audit pool's writes in the order they completed: a deferred insert, a durable one, a flush."""
    names = {INSERT_WITHOUT_FLUSH_WAIT_SQL: "insert without flush wait", INSERT_SQL: "durable insert"}
    return [names.get(s) or ("flush" if FLUSH in s else "") for s in statements if s in names or FLUSH in s]


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def servers(new_role_databases: Callable[..., Awaitable[dict[str, str]]],
                  postgres_admin_dsn: str) -> AsyncIterator[Servers]:
    dsns = await new_role_databases("cmd_audit", "ap_incidents", "ap_audit")
    statements: list[str] = []

    async def log_statements(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(lambda logged: statements.append(logged.query))

    events = await asyncpg.create_pool(dsns["ap_incidents"], min_size=1, max_size=4)
    audit = await asyncpg.create_pool(dsns["ap_audit"], min_size=1, max_size=4, init=log_statements)
    admin = {}
    for kind, pool in (("events", events), ("audit", audit)):
        database = await pool.fetchval("SELECT current_database()")
        admin[kind] = await asyncpg.create_pool(dsn_for_database(postgres_admin_dsn, database), min_size=1, max_size=1)
    async with admin["audit"].acquire() as conn:
        await ensure_schema(conn)
    await migrate(events)
    await migrate_commands(events)
    await admin["events"].execute(_NOTE_COMMITS.format(table="events"))
    await admin["audit"].execute(_NOTE_COMMITS.format(table="access_audit"))
    flush = await shared_wal_flush(events, audit)
    assert flush is not None, "the audit and the events are on one server: the audit's flush waits for the append"
    log = AuditLog(audit, chain_id=process_chain_id("test-command-audit"))
    guard = AccessGuard(log)
    store = FailingAppends(events, ClearCodec())
    handler = CommandHandler(store, guard, NoKeys(), command_audit=CommandAudit(guard, log, flush))
    await _registered(handler)
    yield Servers(events, audit, admin, store, handler, statements)
    for pool in (events, audit, *admin.values()):
        await pool.close()


async def _registered(handler: CommandHandler) -> None:
    for org in REGISTRATIONS:
        await handler.handle(ADMIN, c.RegisterOrganisation(
            command_id=uuid4(), organisation_id=org.organisation_id, kind=org.kind,
            local_authority_id=org.local_authority_id, partnership_id=org.partnership_id,
            key_stages=tuple(sorted(org.key_stages))))
    for member in ON_STAFF:
        await handler.handle(MANAGER, c.RecordStaffTraining(
            command_id=uuid4(), provision_id=PROVISION, staff_id=member, training=TrainingKind.SAFEGUARDING,
            completed_on=date(2024, 9, 2)))


async def _placed(servers: Servers) -> Commands:
    cmd = Commands(uuid4(), uuid4(), uuid4())
    for command, by in admission(cmd):
        await servers.handler.handle(by, command)
    return cmd


async def test_an_appended_commands_audit_commits_without_a_flush_wait_and_its_append_with_one(
        servers: Servers) -> None:
    cmd = await _placed(servers)
    outcome, statements = await servers.run(lambda: servers.handler.handle(STAFF, cmd.record_incident()))
    assert isinstance(outcome, CommandOutcome) and not outcome.duplicate and len(outcome.event_ids) == 1
    [(audit_mode, audited_at)] = await servers.commits("audit")
    [(append_mode, appended_at)] = await servers.commits("events")
    # The append's durable commit, after the audit's on the same server, flushed the audit's WAL: no flush of its own.
    assert (audit_mode, append_mode) == ("off", "on") and audited_at < appended_at
    assert _kinds(statements) == ["insert without flush wait"]


async def _refused(servers: Servers, cmd: Commands) -> object:
    return await servers.handler.handle(HEAD, cmd.register_pupil(command_id=uuid4()))


async def _duplicate(servers: Servers, cmd: Commands) -> object:
    incident = cmd.record_incident()
    await servers.handler.handle(STAFF, incident)
    await servers.forget_commits()
    servers.audit_statements.clear()
    return await servers.handler.handle(STAFF, incident)


async def _failed(servers: Servers, cmd: Commands) -> object:
    servers.store.fail_next = True
    return await servers.handler.handle(STAFF, cmd.record_incident())


@pytest.mark.parametrize(("exit_by", "answer"), [
    (_refused, PupilAlreadyRegistered), (_duplicate, CommandOutcome), (_failed, ConnectionResetError)])
async def test_an_exit_without_an_append_makes_the_audit_durable_before_it_answers(
        servers: Servers, exit_by: Callable[[Servers, Commands], Awaitable[object]], answer: type) -> None:
    cmd = await _placed(servers)
    answered, statements = await servers.run(lambda: exit_by(servers, cmd))
    assert isinstance(answered, answer), answered
    if isinstance(answered, CommandOutcome):
        assert answered.duplicate
    [(audit_mode, _at)] = await servers.commits("audit")
    assert audit_mode == "off" and await servers.commits("events") == []
    # A durable commit on the audit's server, after the audit's commit, completed before the answer.
    assert _kinds(statements) == ["insert without flush wait", "flush"]
    assert await servers.audit.fetchval("SHOW synchronous_commit") == "on"


async def test_a_denied_access_is_audited_durably_and_answered_after_it(servers: Servers) -> None:
    cmd = await _placed(servers)
    denied, statements = await servers.run(lambda: servers.handler.handle(OTHER_STAFF, cmd.record_incident()))
    assert isinstance(denied, AccessDenied)
    assert [mode for mode, _ in await servers.commits("audit")] == ["on"]
    assert _kinds(statements)[0] == "durable insert"


async def test_the_audit_commits_durably_when_the_append_would_promise_less(
        servers: Servers, new_database: Callable[[str], Awaitable[str]]) -> None:
    weaker = await asyncpg.create_pool(await new_database("weaker_commits"), min_size=1, max_size=1,
                                       server_settings={"synchronous_commit": "local"})
    try:
        # Same server, but the event store's commits would not wait for a synchronous standby as the audit's do.
        assert await shared_wal_flush(weaker, servers.audit) is None
        assert isinstance(await shared_wal_flush(servers.events, servers.audit), WalFlush)
    finally:
        await weaker.close()
