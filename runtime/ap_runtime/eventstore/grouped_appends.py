"""Concurrent commands' appends in one statement: group commit on the command path.

Rule served: issue 11 (the HTTP command path's CPU per command; "group commit of concurrent commands"). Each
command's append was a statement, a transaction and a WAL flush of its own. ``GroupedCommandAppends`` appends the
commands that asked while its previous statement was in flight (``ap_runtime.batching``: no timer, so a lone
command goes at once, by ``EventStore.append_command``) in one statement that keeps each command's promises as its
own statement does: a command's events, its ``processed_commands`` row and the relay's notification are written
only when its stream was at the version it expected (or new, at 0), and each command gets its own answer (its
``AppendResult``, or ``WrongExpectedVersion`` naming the stream's version now). A command whose stream moved does
not hold the others back. What refuses the whole statement (an event or command id stored already: a retry; a
deadlock with another process's statement; an event that cannot be sealed) stored nothing of it, and each of its
commands is appended again alone, so each gets the answer it would have had alone (``CommandAlreadyRecorded``
with the first outcome, ...). A statement holds one command per stream: a process decides one command per stream
at a time, and a batch naming a stream twice is appended command by command.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ap_runtime.batching import Batcher
from ap_runtime.eventstore.errors import WrongExpectedVersion
from ap_runtime.eventstore.event_columns import sealed_columns
from ap_runtime.eventstore.models import AppendResult, NewEvent
from ap_runtime.eventstore.store import NOTIFY_CHANNEL, EventStore

__all__ = ["GroupedCommandAppends"]

# $1-$4: one row per command (n numbers them); $5-$16: one row per event, n naming its command; $17: the channel.
_APPEND_COMMANDS = """
WITH wanted AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[]) WITH ORDINALITY
        AS w(command_id, stream_id, expected, new_version, n)
), moved AS (
    UPDATE streams SET version = w.new_version FROM wanted w
    WHERE streams.stream_id = w.stream_id AND streams.version = w.expected AND w.expected > 0 RETURNING w.n
), created AS (
    INSERT INTO streams (stream_id, version) SELECT stream_id, new_version FROM wanted WHERE expected = 0
    ON CONFLICT DO NOTHING RETURNING stream_id
), appended AS (
    SELECT n FROM moved UNION ALL SELECT w.n FROM created JOIN wanted w USING (stream_id) WHERE w.expected = 0
), given AS (
    SELECT * FROM unnest($5::bigint[], $6::uuid[], $7::int[], $8::text[], $9::int[], $10::timestamptz[],
                         $11::text[], $12::jsonb[], $13::uuid[], $14::uuid[], $15::text[], $16::jsonb[])
        AS e(n, event_id, stream_version, event_type, schema_version, occurred_at, organisation_id, actor,
             correlation_id, causation_id, pii_subject, payload)
), stored AS (
    INSERT INTO events (event_id, stream_id, stream_version, event_type, schema_version, occurred_at,
                        organisation_id, actor, correlation_id, causation_id, pii_subject, payload)
    SELECT e.event_id, w.stream_id, e.stream_version, e.event_type, e.schema_version, e.occurred_at,
           e.organisation_id, e.actor, e.correlation_id, e.causation_id, e.pii_subject, e.payload
    FROM given e JOIN wanted w USING (n) WHERE e.n IN (SELECT n FROM appended) ORDER BY e.n, e.stream_version
), recorded AS (
    INSERT INTO processed_commands (command_id, stream_id, first_version, last_version, event_ids)
    SELECT w.command_id, w.stream_id, w.expected + 1, w.new_version,
           ARRAY(SELECT e.event_id FROM given e WHERE e.n = w.n ORDER BY e.stream_version)
    FROM wanted w WHERE w.n IN (SELECT n FROM appended)
), notified AS (
    SELECT pg_notify($17, w.stream_id) FROM wanted w WHERE w.n IN (SELECT n FROM appended)
)
SELECT w.n, w.n IN (SELECT n FROM appended) AS appended, (SELECT count(*) FROM notified) AS notified
FROM wanted w ORDER BY w.n
"""


@dataclass(frozen=True, slots=True)
class _Append:
    command_id: UUID
    stream_id: str
    expected_version: int
    events: tuple[NewEvent, ...]


class GroupedCommandAppends:
    """``EventStore.append_command`` for concurrent callers, their appends made together (see the module
    docstring) with ``store``'s pool and codec; ``store`` appends a lone command, and each command of a statement
    refused as a whole."""

    def __init__(self, store: EventStore) -> None:
        self._store = store
        self._appends: Batcher[_Append, AppendResult | Exception] = Batcher(self._append_many)

    async def append_command(self, command_id: UUID, stream_id: str, expected_version: int,
                             events: Sequence[NewEvent]) -> AppendResult:
        """As ``EventStore.append_command``: raises ``WrongExpectedVersion``, ``CommandAlreadyRecorded``, ..."""
        if not events:
            raise ValueError("append needs at least one event")
        answer = await self._appends.submit(_Append(command_id, stream_id, expected_version, tuple(events)))
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def _append_many(self, appends: Sequence[_Append]) -> list[AppendResult | Exception]:
        if len(appends) == 1 or len({a.stream_id for a in appends}) < len(appends):
            return [await self._alone(a) for a in appends]
        # In stream order: every process's statements lock the streams' rows in one order, so two of them
        # sharing streams wait on each other instead of deadlocking.
        ordered = sorted(appends, key=lambda a: a.stream_id)
        try:
            rows = await self._store.pool.fetch(_APPEND_COMMANDS, *await self._arguments(ordered), NOTIFY_CHANNEL)
        except Exception:  # nothing of the statement was stored (or sealed): each goes again alone, for its answer
            return [await self._alone(a) for a in appends]
        answers = {a.stream_id: _appended(a) if row["appended"] else await self._moved(a)
                   for a, row in zip(ordered, rows, strict=True)}
        return [answers[a.stream_id] for a in appends]

    async def _alone(self, append: _Append) -> AppendResult | Exception:
        try:
            return await self._store.append_command(append.command_id, append.stream_id, append.expected_version,
                                                    append.events)
        except Exception as refused:  # the caller of this append raises it; the others go on
            return refused

    async def _moved(self, append: _Append) -> WrongExpectedVersion:
        return WrongExpectedVersion(append.stream_id, append.expected_version,
                                    await self._store.stream_version(append.stream_id))

    async def _arguments(self, appends: Sequence[_Append]) -> list[Any]:
        """$1-$16 of ``_APPEND_COMMANDS``: the commands' columns, then their events' (sealed) columns."""
        events = [(n, a.expected_version + i + 1, e) for n, a in enumerate(appends, 1) for i, e in enumerate(a.events)]
        c = await sealed_columns(self._store.codec, [e for _, _, e in events])
        return [
            [a.command_id for a in appends], [a.stream_id for a in appends],
            [a.expected_version for a in appends], [a.expected_version + len(a.events) for a in appends],
            [n for n, _, _ in events], c.event_ids, [v for _, v, _ in events], c.event_types, c.schema_versions,
            c.occurred_at, c.organisations, c.actors, c.correlations, c.causations, c.pii_subjects, c.payloads,
        ]


def _appended(append: _Append) -> AppendResult:
    return AppendResult(append.stream_id, append.expected_version + 1,
                        append.expected_version + len(append.events))
