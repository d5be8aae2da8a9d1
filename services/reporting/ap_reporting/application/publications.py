"""Publishing a reporting report (issue 15, provenance): ``ReportPublished`` records what it was built from, and
a re-issue says which figures changed since the edition before.

Rules served: a published report can be built again byte for byte (it is as recorded by a moment of a day that
has ended, and the event names that moment and the offset of every partition its read model had applied); a
back-dated correction is visible as such (each edition after the first lists its changed figures: the edition
before is built again as recorded by its own moment, which the read model's versions of the facts allow, and
compared, ``ap_runtime.reports.changed_figures``). One stream per report, audience and period: its editions. A read
model that has read nothing has no position to record: refused (``NothingReadYet``), nothing stored.

A refusal changes nothing, the caller's write token included (one command a token, ``TokenClaim``): the token is
claimed only once the report is built and every rule it answers to has let it through, just before the edition is
recorded, and released again should the recording itself be refused with nothing recorded (another edition
published meanwhile, ``PublicationRaced``). So a publication refused for what it would publish leaves the token for
a publication that may be made; a token that carried another command is refused (401) before anything is recorded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Protocol
from uuid import UUID, uuid4, uuid5

from pydantic import BaseModel

from ap_contracts.envelope import Actor
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.reports import FigureChange, ReportPeriod, ReportPublished, TopicPosition
from ap_reporting.domain.errors import NothingReadYet, ReportingRuleViolation
from ap_reporting.domain.report_versions import REPORT_VERSIONS, RULE_VERSIONS
from ap_runtime.commands import CommandExecutor, CommandMeta, CommandOutcome, Decide
from ap_runtime.eventstore.port import EventStorePort
from ap_runtime.refusal import RefusalKind
from ap_runtime.reports import changed_figures, content_digest

_REPORT_IDS = UUID("0c6b1f0e-5d7a-4f3e-9a51-2b8d7c4e6a90")


class PublicationRaced(ReportingRuleViolation):
    """report.published_once_at_a_time: another command published an edition of the same report while this one was
    being built, so this one, built on the editions before it, would misnumber it and list changes since the wrong
    edition. Refused as a conflict with what is recorded, recording nothing (its token left unused)."""

    kind: ClassVar[RefusalKind] = RefusalKind.CONFLICTS_WITH_RECORD
    rule_id = "report.published_once_at_a_time"


class CommandIdReused(ReportingRuleViolation):
    """report_command.id_unique: a command id already used for another report (another kind, period or
    organisation) is not a retry of this publication; answering with that report's edition, or publishing this one
    under it, would both be wrong, so it is refused, recording nothing (as every write service refuses it)."""

    kind: ClassVar[RefusalKind] = RefusalKind.CONFLICTS_WITH_RECORD
    rule_id = "report_command.id_unique"


def _raced(edition: Edition, history: Sequence[DomainEvent]) -> PublicationRaced:
    latest = [e for e in history if isinstance(e, ReportPublished)][-1]
    return PublicationRaced("report", (
        f"edition {latest.edition} of this report was published by another command (report id {latest.report_id}, "
        f"as recorded by {latest.recorded_by.isoformat()}) while this one was being built, so nothing was recorded: "
        f"that edition is on ap.reporting.events (stream {edition.stream_id}) and its report is read with this "
        f"report's GET as recorded by {latest.recorded_by.isoformat()}; publish again, with a new command id, only "
        "if another edition is wanted"))


def nothing_read(read_model: str) -> NothingReadYet:
    """The refusal of a publication built from a read model (``read_model``) that has read no event yet."""
    return NothingReadYet("report", f"The {read_model} read model has not read any event yet, so there is nothing "
                          "to publish and no position to record: publish once it has caught up")


def refuse_any_unread(read: Mapping[str, Sequence[TopicPosition]]) -> None:
    """Refuses (``nothing_read``) a publication built from several read models, each with the positions it was read
    at (``read``, by name), if any of them has read nothing: the others' positions alone would record a report of
    zeros as built from applied facts."""
    for read_model, positions in read.items():
        if not positions:
            raise nothing_read(read_model)


def _reused(command_id: UUID) -> CommandIdReused:
    return CommandIdReused("command_id", f"command id {command_id} was already used for another report; it is not "
                           "a retry of this publication, so nothing was recorded: choose a new command id")


@dataclass(frozen=True, slots=True)
class Built:
    """A report as built for publication: its JSON model, its figures by where they stand (what two editions are
    compared by, ``domain.published.figures``) and the positions it was read at."""

    report: BaseModel
    figures: Mapping[str, str]
    positions: tuple[TopicPosition, ...]


Build = Callable[[datetime], Awaitable[Built]]


class TokenClaim(Protocol):
    """The caller's write token and this command: ``claim`` binds them (refusing a token that carried another
    command, 401), ``release`` unbinds them again (the command recorded nothing)."""

    async def claim(self) -> None: ...

    async def release(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Edition:
    """Which report to publish: its kind, whose it is, its period and the day it is as at."""

    kind: str
    organisation_id: str
    period: ReportPeriod
    as_at: date
    recorded_by: datetime

    @property
    def stream_id(self) -> str:
        label = self.period.label.replace("/", "_")
        return f"report-{self.kind}-{self.organisation_id}-{label}"


def report_id(command_id: UUID) -> UUID:
    return uuid5(_REPORT_IDS, str(command_id))


async def publish(store: EventStorePort, edition: Edition, build: Build, actor: Actor, command_id: UUID,
                  token: TokenClaim, correlation_id: UUID | None = None) -> ReportPublished:
    """Publish ``edition`` built as recorded by its moment; a repeated ``command_id`` answers with the edition it
    published, publishing nothing. ``token`` is claimed only once nothing but the recording can refuse."""
    executor = CommandExecutor(store)
    editions = [e for e in await store.load(edition.stream_id) if isinstance(e, ReportPublished)]
    earlier = await executor.previous_outcome(command_id)
    if earlier is not None:
        if earlier.stream_id != edition.stream_id:
            raise _reused(command_id)
        await token.claim()
        return _edition_of(editions, command_id)
    built = await build(edition.recorded_by)
    if not built.positions:
        raise nothing_read("reporting")
    changes: tuple[FigureChange, ...] = ()
    if editions:
        before = await build(editions[-1].recorded_by)
        changes = changed_figures(before.figures, built.figures)
    event = _published(edition, built, command_id, len(editions) + 1, changes)

    def decide(history: Sequence[DomainEvent]) -> Sequence[DomainEvent]:
        if sum(isinstance(e, ReportPublished) for e in history) != len(editions):
            raise _raced(edition, history)
        return [event]

    meta = CommandMeta(command_id=command_id, actor=actor, organisation_id=edition.organisation_id,
                       correlation_id=correlation_id or uuid4())
    outcome = await _record(executor, edition.stream_id, meta, decide, token)
    if outcome.duplicate:  # the same command, racing
        if outcome.stream_id != edition.stream_id:
            raise _reused(command_id)
        return _edition_of([e for e in await store.load(edition.stream_id) if isinstance(e, ReportPublished)],
                           command_id)
    return event


def _edition_of(editions: Sequence[ReportPublished], command_id: UUID) -> ReportPublished:
    return next(e for e in editions if e.report_id == report_id(command_id))


async def _record(executor: CommandExecutor, stream_id: str, meta: CommandMeta, decide: Decide,
                  token: TokenClaim) -> CommandOutcome:
    """The edition recorded under the caller's token, claimed here; released if the recording is refused and the
    command left no outcome (a concurrent retry of the same command may have recorded it: then it stays bound)."""
    await token.claim()
    try:
        return await executor.execute(stream_id, meta, decide)
    except Exception:
        if await executor.previous_outcome(meta.command_id) is None:
            await token.release()
        raise


def _published(edition: Edition, built: Built, command_id: UUID, number: int,
               changes: tuple[FigureChange, ...]) -> ReportPublished:
    return ReportPublished(
        report_id=report_id(command_id), report_kind=edition.kind, report_version=REPORT_VERSIONS[edition.kind],
        edition=number, organisation_id=edition.organisation_id, period=edition.period, as_at=edition.as_at,
        recorded_by=edition.recorded_by, positions=built.positions, rule_versions=RULE_VERSIONS,
        content_sha256=content_digest(built.report), changes=changes)
