"""The scheduled retention run over the incidents event store: decide, shred, record each decision.

Rules served: the retention schedule (``ap_runtime.privacy.retention``: policy as data, decisions
per record class, shredding all classes or none, legal holds honoured) applied to every pupil the
store holds, each decision recorded as an event on the pupil's own stream (UK GDPR Art. 5(1)(e)
storage limitation, Art. 5(2) accountability). The run is a platform duty (policy OPS-1): each
pupil read is audited under the retention principal.

Order of effects, so that a crash at any point is completed by the next run and nothing is
recorded twice (every append is a command with a deterministic id):
1. ``PupilDataErased`` is recorded, then the pupil's data key is destroyed (as a DPO's erasure);
2. then one ``RetentionDecisionRecorded`` per record class whose outcome changed.
A record found erased but whose key survived (a crash between 1's two steps, here or in a DPO's
erasure) has its key destroyed. Only the date of birth is ever decrypted; the history the
commands decide on is read with personal fields left sealed (see ``adapters.clear_fields_codec``).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol
from uuid import UUID, uuid4, uuid5

from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import (
    ErasureReason,
    ErasureRequester,
    PupilDataErased,
    RetentionDecisionRecorded,
)
from ap_contracts.personal import RecordClass
from ap_incidents.application.retention_facts import PupilRetentionView, needs_reveal, retention_view
from ap_incidents.domain.identity import pupil_stream_id
from ap_runtime.access import AccessGuard, Principal, ResourceContext, Role
from ap_runtime.commands import CommandExecutor, CommandMeta
from ap_runtime.eventstore import EventStorePort
from ap_runtime.privacy.codec import PersonalDataCodec, SealedPayload
from ap_runtime.privacy.retention import (
    ERASURE_LEGAL_BASIS,
    RetentionPolicy,
    SubjectFacts,
    run_retention,
)

PLATFORM_ORGANISATION = "ap-platform"
RETENTION_PRINCIPAL = Principal(user_id="ap-retention-schedule", organisation_id=PLATFORM_ORGANISATION,
                                org_kind=OrgKind.PLATFORM, roles=frozenset({Role.PLATFORM_ADMIN}))
# Fixed forever: ids of the commands recording retention outcomes.
_RETENTION_NAMESPACE = UUID("5d0e9a40-2c7b-4f1e-8b6a-93e2d1c4a7f5")


class DataKeys(Protocol):
    async def destroy(self, subject: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class RetentionLine:
    """One outcome of the run: an erasure or a decision on one record class."""

    pupil_ref: UUID
    event_type: str
    record_class: RecordClass | None
    outcome: str
    newly_recorded: bool


@dataclass(slots=True)
class RetentionReport:
    today: date
    dry_run: bool
    policy_version: str
    pupils_examined: int = 0
    pupils_shredded: int = 0
    lines: list[RetentionLine] = field(default_factory=list)

    @property
    def events_recorded(self) -> int:
        return sum(line.newly_recorded for line in self.lines)


def retention_command_id(event: DomainEvent, policy_version: str, today: date) -> UUID:
    """The erasure once per pupil; a decision once per class, outcome, policy version and day."""
    if isinstance(event, PupilDataErased):
        return uuid5(_RETENTION_NAMESPACE, f"erased|{event.pupil_ref}")
    if isinstance(event, RetentionDecisionRecorded):
        return uuid5(_RETENTION_NAMESPACE, f"decided|{event.pupil_ref}|{event.record_class}|{event.decision}|"
                                           f"{policy_version}|{today.isoformat()}")
    raise TypeError(f"the retention job records no {event.event_type}")


def retention_erasure(pupil_ref: UUID, policy: RetentionPolicy) -> PupilDataErased:
    """The erasure event of a pupil whose every record class has expired (as ``run_retention`` builds it)."""
    return PupilDataErased(pupil_ref=pupil_ref, reason=ErasureReason.RETENTION_EXPIRED,
                           legal_basis=ERASURE_LEGAL_BASIS.format(version=policy.policy_version),
                           requested_by=ErasureRequester.RETENTION_SCHEDULE)


def _record_once(event: DomainEvent) -> Callable[[Sequence[DomainEvent]], Sequence[DomainEvent]]:
    def decide(history: Sequence[DomainEvent]) -> Sequence[DomainEvent]:
        if isinstance(event, PupilDataErased) and any(isinstance(e, PupilDataErased) for e in history):
            return []  # closed already (by a DPO's erasure): one erasure record is enough
        return [event]

    return decide


class RetentionJob:
    """Runs the schedule over the pupils given; ``store`` decides on clear fields only."""

    def __init__(self, store: EventStorePort, codec: PersonalDataCodec, keys: DataKeys, guard: AccessGuard,
                 policy: RetentionPolicy) -> None:
        self._store = store
        self._executor = CommandExecutor(store)
        self._codec = codec
        self._keys = keys
        self._guard = guard
        self._policy = policy

    async def run(self, pupils: AsyncIterable[UUID], today: date, *, dry_run: bool = False) -> RetentionReport:
        """Decide for every pupil; in a dry run nothing is recorded and no key is destroyed."""
        report = RetentionReport(today=today, dry_run=dry_run, policy_version=self._policy.policy_version)
        correlation = uuid4()

        async def record(event: DomainEvent) -> None:
            await self._record(event, report, correlation, dry_run)

        keys: DataKeys = _NoKeysDestroyed() if dry_run else _EraseThenShred(self._keys, self._policy, record)
        summary = await run_retention(self._policy, self._subjects(pupils, correlation, dry_run), keys, record,
                                      today)
        report.pupils_examined = summary.pupils_examined
        report.pupils_shredded = summary.pupils_shredded
        return report

    async def _subjects(self, pupils: AsyncIterable[UUID], correlation: UUID,
                        dry_run: bool) -> AsyncIterator[SubjectFacts]:
        async for pupil_ref in pupils:
            view = await self.view_of(pupil_ref, correlation)
            if view is None or view.finished or not view.registered:
                continue
            yield view.facts
            if view.erased and not dry_run:
                await self._keys.destroy(str(pupil_ref))  # erased, but the key survived a crash

    async def view_of(self, pupil_ref: UUID, correlation: UUID | None = None) -> PupilRetentionView | None:
        """The pupil's retention facts (audited as a read by the retention schedule); None without a stream.

        The date of birth is read by the job, never shown to whoever runs it (policy OPS-1 grants no
        record class): the report names pupils by pseudonymous reference, classes and outcomes only.
        """
        await self._guard.check(RETENTION_PRINCIPAL, "privacy.run_retention", ResourceContext(pupil_ref=pupil_ref),
                                correlation_id=correlation)
        rows = await self._store.read_stream(pupil_stream_id(pupil_ref))
        if not rows:
            return None
        wanted = [r for r in rows if needs_reveal(r)]
        revealed = await self._codec.reveal_many(
            [SealedPayload(r.event_type, r.schema_version, r.payload, r.pii_subject) for r in wanted])
        by_id = {r.event_id: p for r, p in zip(wanted, revealed, strict=True)}
        view = retention_view(pupil_ref, rows, by_id)
        if view.key_destroyed and not view.erased:
            # The key went after the events were read: another run (or a DPO) erased the pupil meanwhile. Their
            # erasure is recorded before their key is destroyed, so the stream read again holds it, and the view
            # is finished. Decided on the first read, the pupil would have no date of birth and no erasure, and a
            # contrary decision (a class kept for review) would be recorded beside the other run's.
            view = retention_view(pupil_ref, await self._store.read_stream(pupil_stream_id(pupil_ref)), by_id)
        return view

    async def _record(self, event: DomainEvent, report: RetentionReport, correlation: UUID, dry_run: bool) -> None:
        pupil_ref = UUID(str(event.pii_subject()))
        new = False
        if not dry_run:
            meta = CommandMeta(command_id=retention_command_id(event, self._policy.policy_version, report.today),
                               actor=RETENTION_PRINCIPAL.actor(), organisation_id=PLATFORM_ORGANISATION,
                               correlation_id=correlation)
            outcome = await self._executor.execute(pupil_stream_id(pupil_ref), meta, _record_once(event))
            new = bool(outcome.event_ids) and not outcome.duplicate
        if not (new or dry_run):
            return  # recorded by an earlier run, or just before by the shredder (the erasure)
        if isinstance(event, RetentionDecisionRecorded):
            report.lines.append(RetentionLine(pupil_ref, event.event_type, event.record_class, event.decision.value,
                                              new))
        else:
            report.lines.append(RetentionLine(pupil_ref, event.event_type, None, "erased", new))


class _EraseThenShred:
    """The erasure is recorded before the key goes, as a DPO's erasure is."""

    def __init__(self, keys: DataKeys, policy: RetentionPolicy,
                 record: Callable[[DomainEvent], Awaitable[None]]) -> None:
        self._keys = keys
        self._policy = policy
        self._record = record

    async def destroy(self, subject: str) -> bool:
        await self._record(retention_erasure(UUID(subject), self._policy))
        return await self._keys.destroy(subject)


class _NoKeysDestroyed:
    async def destroy(self, subject: str) -> bool:
        return False
