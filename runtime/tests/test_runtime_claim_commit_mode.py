"""A write token's claim commits without waiting for a WAL flush; the append and the access audit still wait.

Rule served: issue 11 (the HTTP command path waits on one durable commit fewer) without weakening issue 9's one
command a token: ``ap_runtime.eventstore.claiming_tails``' module docstring says why the claim may commit so (a
command's later durable commit on the same server flushes its claim first). Each table here has a deferred
constraint trigger noting the ``synchronous_commit`` in force when the transaction that wrote a row commits (a
deferred trigger fires at commit, after every setting the transaction's statements made), on a real PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest

from ap_runtime.access import AuditEntry, AuditLog, open_audit_pool
from ap_runtime.access.audit_schema import TABLE as AUDIT_TABLE
from ap_runtime.access.token_replay import TABLE as TOKENS_TABLE
from ap_runtime.access.token_replay import WriteTokenLedger, migrate_write_tokens
from ap_runtime.commands import migrate_commands
from ap_runtime.eventstore import EventStore, migrate
from ap_runtime.eventstore.claiming_tails import ClaimingTails, PendingClaim
from ap_runtime.eventstore.grouped_appends import GroupedCommandAppends
from ap_runtime.pg_pools import command_path_pool

from .conftest import counter_events
from .test_runtime_eventstore_claiming_tails import _principal

pytestmark = pytest.mark.integration

_NOTE_FUNCTION = """
CREATE TABLE commit_modes (table_name text NOT NULL, mode text NOT NULL);
CREATE FUNCTION note_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO commit_modes VALUES (TG_TABLE_NAME, current_setting('synchronous_commit'));
    RETURN NULL;
END $$;
"""


async def _note_commit_modes(pool: asyncpg.Pool, *tables: str) -> None:
    await pool.execute(_NOTE_FUNCTION)
    for table in tables:
        await pool.execute(f"CREATE CONSTRAINT TRIGGER note_commit_mode AFTER INSERT ON {table}"
                           " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION note_commit_mode()")


async def _modes(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    return [(row["table_name"], row["mode"]) for row in await pool.fetch("SELECT * FROM commit_modes")]


async def test_the_claim_commits_without_a_flush_wait_and_the_append_and_the_audit_with_one(
        dsn: str, new_database: Callable[[str], Awaitable[str]]) -> None:
    # One session for the claim and the append: the claim's setting must not outlive its own statement.
    events = await command_path_pool(dsn, min_size=1, max_size=1)
    audit = await open_audit_pool(await new_database("commit_modes_audit"), max_size=1)
    try:
        await migrate(events)
        await migrate_commands(events)
        await migrate_write_tokens(events)
        await _note_commit_modes(events, TOKENS_TABLE, "events")
        await _note_commit_modes(audit, AUDIT_TABLE)
        assert await events.fetchval("SHOW synchronous_commit") == "on"  # the server's default: durable commits

        command_id, stream = uuid4(), "modes-1"
        pending = await PendingClaim.of(WriteTokenLedger(events), _principal("jti-modes"), command_id)
        assert await ClaimingTails(events).read(pending, stream, 0) == []
        await AuditLog(audit).record(AuditEntry(
            at=datetime.now(UTC), user_id="u1", roles=("provision_staff",), organisation_id="prov-north",
            action="incidents.record_incident", decision="allowed", rule_id="INC-1", pupil_ref=uuid4()))
        await GroupedCommandAppends(EventStore(events)).append_command(command_id, stream, 0,
                                                                       counter_events(stream, 0, 1))

        assert await _modes(events) == [(TOKENS_TABLE, "off"), ("events", "on")]
        assert await _modes(audit) == [(AUDIT_TABLE, "on")]
        assert await events.fetchval("SHOW synchronous_commit") == "on"
    finally:
        await events.close()
        await audit.close()
