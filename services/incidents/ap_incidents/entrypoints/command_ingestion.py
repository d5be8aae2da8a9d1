"""One Kafka command record in, one result out: the same parse, authorisation and decision as HTTP.

Message value: ``{"command_type": "RecordIncident", "pupil_ref": "<uuid>", "command": {...}}``
(``provision_id`` instead of ``pupil_ref`` for the staff register), key: the pupil ref (keeps a
pupil's commands in order), header ``authorization: Bearer <token>``, optional headers
``x-access-purpose`` and ``correlation_id``. The result, keyed by ``command_id``, says
``accepted`` (event ids), ``rejected`` (rule, status, message), ``invalid`` (field errors) or
``denied`` (rule, reason; status 401 for a bad token, 403 for the policy) or ``failed`` (status
500: the service could not process it; the message names the error's type, never its text, which
may repeat the command's values). A redelivered command is answered from its first outcome
(``duplicate``) and records nothing again.

Only failures of what the service depends on (the database, the network, the audit, the policy
file) raise, so the command is tried again until they are back (``ap_runtime.kafka_dispatch``).
Any other error is the command's own (a value no rule foresaw): it is answered ``failed`` instead
of being tried again for ever, which would stall the pupil's later commands and the partition's
offset, and with it the deletion of processed commands from the topic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from ap_contracts.schema_tools import WHOLE_OBJECT, FieldProblem
from ap_contracts.text import text_problem
from ap_incidents.application.parsing import InvalidCommandBody, parse_command, spec_named
from ap_incidents.application.service import IncidentsApplication
from ap_incidents.domain.errors import DomainError
from ap_incidents.entrypoints.problems import status_of
from ap_runtime.access import (
    AccessDenied,
    AuditUnavailable,
    InvalidPurpose,
    PolicyError,
    Principal,
    TokenRejected,
    TokenVerifier,
)
from ap_runtime.access.token_replay import TokenReplayed, WriteTokenLedger
from ap_runtime.eventstore.claiming_tails import PendingClaim
from ap_runtime.kafka import header
from ap_runtime.logging import exception_place, get_logger

log = get_logger("ap.incidents.commands")

AUTHORIZATION_HEADER = "authorization"
PURPOSE_HEADER = "x-access-purpose"
CORRELATION_HEADER = "correlation_id"
# SQLSTATE classes of a database that is unavailable or busy, not of a bad command: connection
# exception, transaction rollback (serialization, deadlock), insufficient resources, operator
# intervention, system error; and a lock not available.
_TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "57", "58"})
_TRANSIENT_SQLSTATES = frozenset({"55P03"})


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` says a dependency is unavailable (redeliver later) rather than the command is bad."""
    if isinstance(error, OSError | TimeoutError | asyncpg.InterfaceError | AuditUnavailable | PolicyError):
        return True
    if isinstance(error, asyncpg.PostgresError):
        state = str(getattr(error, "sqlstate", "") or "")
        return state[:2] in _TRANSIENT_SQLSTATE_CLASSES or state in _TRANSIENT_SQLSTATES
    return False


@dataclass(frozen=True, slots=True)
class CommandResult:
    status: str
    http_status: int
    command_id: str | None = None
    command_type: str | None = None
    pupil_ref: str | None = None
    event_ids: list[str] = field(default_factory=list)
    stream_id: str | None = None
    first_version: int | None = None
    last_version: int | None = None
    duplicate: bool = False
    rule: str | None = None
    message: str | None = None
    errors: list[FieldProblem] | None = None
    source: str | None = None

    def as_json(self) -> bytes:
        body = {k: v for k, v in _fields(self).items() if v is not None}
        return json.dumps(body, separators=(",", ":")).encode()

    def key(self) -> bytes:
        return (self.command_id or self.source or "unknown").encode()


def _fields(result: CommandResult) -> dict[str, Any]:
    return {name: getattr(result, name) for name in result.__dataclass_fields__}


class _Refused(Exception):
    def __init__(self, result: CommandResult) -> None:
        super().__init__(result.status)
        self.result = result


def _invalid(problems: list[FieldProblem], **known: Any) -> _Refused:
    return _Refused(CommandResult("invalid", 422, errors=problems, message="not a valid command", **known))


def _envelope(value: bytes | None) -> Mapping[str, Any]:
    try:
        message = json.loads(value or b"")
    except ValueError:
        raise _invalid([FieldProblem(field=WHOLE_OBJECT, problem="the message is not valid JSON")]) from None
    if not isinstance(message, dict):
        raise _invalid([FieldProblem(field=WHOLE_OBJECT, problem="the message must be a JSON object")])
    return message


def _text_headers(headers: Iterable[tuple[str, bytes]], known: dict[str, Any]) -> None:
    """Refuse a header we read that is not storable text (NUL, not UTF-8), as HTTP does (422)."""
    problems = []
    for name, raw in headers:
        if name not in (AUTHORIZATION_HEADER, PURPOSE_HEADER, CORRELATION_HEADER):
            continue
        try:
            problem = text_problem(raw.decode("utf-8"))
        except UnicodeDecodeError:
            problem = "is not valid UTF-8 text"
        if problem is not None:
            problems.append(FieldProblem(field=f"header.{name}", problem=problem))
    if problems:
        raise _invalid(problems, **known)


def _principal(verifier: TokenVerifier, headers: Iterable[tuple[str, bytes]], known: dict[str, Any]) -> Principal:
    raw = header(headers, AUTHORIZATION_HEADER) or ""
    scheme, _, token = raw.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthenticated("token.missing", "missing bearer token", known)
    try:
        return verifier.verify(token.strip())
    except TokenRejected as rejected:
        raise _unauthenticated("token.invalid", rejected.reason, known) from None


def _unauthenticated(rule: str, reason: str, known: dict[str, Any]) -> _Refused:
    """A 401 result, logged with the reason and where the record came from (never the token)."""
    log.warning("access.unauthenticated", reason=reason, source=known.get("source"),
                command_type=known.get("command_type"), command_id=known.get("command_id"))
    return _Refused(CommandResult("denied", 401, rule=rule, message=reason, **known))


async def _prepared_claim(write_tokens: WriteTokenLedger | None, principal: Principal,
                         command_id: UUID) -> PendingClaim | None:
    """The command's write-token claim, made by the handler with its first read (one statement fewer, issue 11)
    before anything is decided or audited, as over HTTP; None without a ledger. A token without an id or expiry
    raises ``TokenReplayed`` here, a token that carried another command in the handler: ``ingest`` answers both."""
    if write_tokens is None:
        return None
    return await PendingClaim.of(write_tokens, principal, command_id)


def _pupil_ref(message: Mapping[str, Any]) -> UUID | None:
    raw = message.get("pupil_ref")
    if raw is None:
        return None
    try:
        return UUID(str(raw))
    except ValueError:
        raise _invalid([FieldProblem(field="pupil_ref", problem="not a valid UUID")]) from None


def _correlation(headers: Iterable[tuple[str, bytes]]) -> UUID:
    try:
        return UUID(header(headers, CORRELATION_HEADER) or "")
    except ValueError:
        return uuid4()


async def ingest(app: IncidentsApplication, verifier: TokenVerifier, value: bytes | None,
                 headers: Iterable[tuple[str, bytes]], source: str,
                 write_tokens: WriteTokenLedger | None = None) -> CommandResult:
    """The result of one command record; transient failures (database, audit) raise so it is redelivered.

    With ``write_tokens`` a token that already carried another command is refused (401), as over HTTP.
    """
    headers = list(headers)
    known: dict[str, Any] = {"source": source}
    try:
        message = _envelope(value)
        body = message.get("command")
        known["command_type"] = str(message.get("command_type"))
        if isinstance(body, Mapping) and body.get("command_id") is not None:
            known["command_id"] = str(body["command_id"])
        if message.get("pupil_ref") is not None:
            known["pupil_ref"] = str(message["pupil_ref"])
        _text_headers(headers, known)
        principal = _principal(verifier, headers, known)
        try:
            spec = spec_named(message.get("command_type"))
            provision = message.get("provision_id")
            command = parse_command(spec, body, pupil_ref=_pupil_ref(message),
                                    provision_id=None if provision is None else str(provision))
        except InvalidCommandBody as invalid:
            raise _invalid(list(invalid.problems), **known) from None
        claim = await _prepared_claim(write_tokens, principal, command.command_id)
        outcome = await app.execute(principal, command, purpose=header(headers, PURPOSE_HEADER),
                                    correlation_id=_correlation(headers), write_claim=claim)
    except _Refused as refused:
        return refused.result
    except TokenReplayed as replayed:  # refused before anything was decided or audited
        return _unauthenticated("token.replayed", replayed.reason, known).result
    except AccessDenied as denied:
        return CommandResult("denied", 403, rule=denied.decision.rule_id, message=denied.decision.reason, **known)
    except DomainError as error:
        return CommandResult("rejected", status_of(error), rule=error.rule_id, message=error.message, **known)
    except InvalidPurpose as bad:
        return CommandResult("invalid", 422, errors=[FieldProblem(field=PURPOSE_HEADER, problem=str(bad))], **known)
    except Exception as error:
        if is_transient(error):
            raise
        # The type and where it was raised, not the message: it may repeat the command's values.
        log.error("command failed", source=source, command_type=known.get("command_type"),
                  command_id=known.get("command_id"), error=exception_place(error))
        return CommandResult("failed", 500, message=f"the command could not be processed ({type(error).__name__})",
                             **known)
    created = bool(outcome.event_ids) and not outcome.duplicate
    return CommandResult(
        "accepted", 201 if created else 200, command_id=str(outcome.command_id),
        command_type=known.get("command_type"), pupil_ref=known.get("pupil_ref"),
        event_ids=[str(e) for e in outcome.event_ids], stream_id=outcome.stream_id,
        first_version=outcome.first_version, last_version=outcome.last_version, duplicate=outcome.duplicate,
        source=source,
    )
