"""Retention schedule as data, a pure decision function, and the job that applies it.

Rule served: keep each class of pupil record for the period the records-management toolkit sets
(STATUTORY.md, "Data protection"), then destroy it, unless a legal hold overrides expiry or the
policy requires a person to review the record first. The schedule lives in
``retention_policy.yaml``; its ``policy_version`` is carried by every decision event.

An honest limit of crypto-shredding with one key per pupil: that key encrypts every record class
of the pupil, so destruction is per pupil, not per class. The pupil is shredded only when every
class held for them has expired, may be destroyed (``at_expiry: destroy``, or a reviewer approved
it) and no legal hold is in force. A class that expires earlier than another is kept and recorded
as ``kept_review`` with the reason; in practice ordinary behaviour records therefore live as long
as the pupil record (25th birthday by default). Per-class keys would shorten that, at the cost of
one more key lookup per class; the event contract already allows it since record classes are
declared per field.

Dates: the "25th birthday" is ``date_of_birth`` plus 25 years; a pupil born on 29 February has
their birthday on 1 March in other years (the later, so the safer, choice). A period ends at the
start of its due date: on the 25th birthday the record is due.
"""

from __future__ import annotations

import calendar
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Protocol
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import (
    ErasureReason,
    ErasureRequester,
    PupilDataErased,
    RetentionDecisionRecorded,
    RetentionOutcome,
)
from ap_contracts.personal import RecordClass
from ap_runtime.privacy.policy_files import load_policy_file

ERASURE_LEGAL_BASIS = "UK GDPR Art. 5(1)(e) storage limitation; retention policy {version}"


class Anchor(StrEnum):
    DATE_OF_BIRTH = "date_of_birth"
    LAST_PLACEMENT_END = "last_placement_end"
    LAST_RECORD = "last_record"


class AtExpiry(StrEnum):
    DESTROY = "destroy"
    REVIEW = "review"


class _PolicyModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeepUntil(_PolicyModel):
    anchor: Anchor
    years: int = Field(ge=0, le=120)
    fallback_anchor: Anchor | None = None


class RetentionRule(_PolicyModel):
    id: str = Field(min_length=1, max_length=120)
    record_class: RecordClass
    keep_until: KeepUntil
    at_expiry: AtExpiry


class RetentionPolicy(_PolicyModel):
    policy_version: str = Field(min_length=1, max_length=60)
    rules: tuple[RetentionRule, ...]

    @model_validator(mode="after")
    def _one_rule_per_class(self) -> RetentionPolicy:
        classes = [rule.record_class for rule in self.rules]
        missing = set(RecordClass) - set(classes)
        duplicated = {c for c in classes if classes.count(c) > 1}
        if missing or duplicated:
            raise ValueError(
                f"retention policy needs exactly one rule per record class: missing {sorted(missing)},"
                f" duplicated {sorted(duplicated)}"
            )
        return self

    def rule_for(self, record_class: RecordClass) -> RetentionRule:
        return next(rule for rule in self.rules if rule.record_class is record_class)

    @classmethod
    def load(cls, path: Path | None = None) -> RetentionPolicy:
        """The policy in ``path``, or the packaged default ``retention_policy.yaml``."""
        return load_policy_file(cls, path, "retention_policy.yaml")


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    """What a retention decision needs to know about one pupil (read from projections).

    ``record_classes_held``: classes of personal data stored for the pupil; the pupil record itself
    (PUPIL_IDENTITY) is always treated as held, so a pupil with nothing declared is never shredded
    early. ``destruction_approved``: classes a reviewer cleared for destruction after a review.
    ``last_recorded``: the outcome last recorded per class, so a run records only changes.
    """

    pupil_ref: UUID
    date_of_birth: date | None
    record_classes_held: frozenset[RecordClass]
    placement_end_dates: tuple[date, ...] = ()
    placement_ongoing: bool = False
    last_record_on: date | None = None
    legal_hold_ids: frozenset[UUID] = frozenset()
    destruction_approved: frozenset[RecordClass] = frozenset()
    last_recorded: Mapping[RecordClass, RetentionOutcome] = field(default_factory=dict)

    @property
    def classes(self) -> list[RecordClass]:
        return sorted(self.record_classes_held | {RecordClass.PUPIL_IDENTITY})


@dataclass(frozen=True, slots=True)
class RetentionDecision:
    """The verdict on one record class of one pupil; ``outcome`` is None while not yet due."""

    pupil_ref: UUID
    record_class: RecordClass
    rule_id: str
    due_date: date | None
    outcome: RetentionOutcome | None
    explanation: str

    @property
    def is_due(self) -> bool:
        return self.outcome is not None


def add_years(start: date, years: int) -> date:
    """The anniversary ``years`` after ``start``; 29 February falls on 1 March in common years."""
    year = start.year + years
    if start.month == 2 and start.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return start.replace(year=year)


def _anchor_date(anchor: Anchor, facts: SubjectFacts) -> date | None:
    if anchor is Anchor.DATE_OF_BIRTH:
        return facts.date_of_birth
    if anchor is Anchor.LAST_RECORD:
        return facts.last_record_on
    return None if facts.placement_ongoing or not facts.placement_end_dates else max(facts.placement_end_dates)


def due_date(rule: RetentionRule, facts: SubjectFacts) -> date | None:
    """When the rule's retention period ends for this pupil, or None while it cannot end yet."""
    keep = rule.keep_until
    start = _anchor_date(keep.anchor, facts)
    if start is None and keep.fallback_anchor is not None and not (
        keep.anchor is Anchor.LAST_PLACEMENT_END and facts.placement_ongoing
    ):
        start = _anchor_date(keep.fallback_anchor, facts)
    return None if start is None else add_years(start, keep.years)


def decide_retention(policy: RetentionPolicy, facts: SubjectFacts, today: date) -> list[RetentionDecision]:
    """One decision per record class held for the pupil; shredding is all classes or none."""
    dues = {c: due_date(policy.rule_for(c), facts) for c in facts.classes}
    expired = {c for c, due in dues.items() if due is not None and due <= today}
    needs_review = {
        c for c in expired
        if policy.rule_for(c).at_expiry is AtExpiry.REVIEW and c not in facts.destruction_approved
    }
    held = bool(facts.legal_hold_ids)
    shred = not held and not needs_review and expired == set(dues)
    blockers = _blockers(dues, expired, needs_review)
    decisions: list[RetentionDecision] = []
    for record_class, due in dues.items():
        rule = policy.rule_for(record_class)
        outcome: RetentionOutcome | None
        if record_class not in expired:
            outcome = None
            why = f"kept until {due.isoformat()}" if due else f"no end date yet: {rule.keep_until.anchor} unknown"
        elif held:
            outcome = RetentionOutcome.KEPT_LEGAL_HOLD
            why = f"retention period ended; {len(facts.legal_hold_ids)} legal hold(s) in force override expiry"
        elif record_class in needs_review:
            outcome = RetentionOutcome.KEPT_REVIEW
            why = "retention period ended; the policy requires a review before destruction"
        elif shred:
            outcome = RetentionOutcome.SHREDDED
            why = "retention period ended for every record class held; the pupil's data key was destroyed"
        else:
            outcome = RetentionOutcome.KEPT_REVIEW
            why = (
                "retention period ended, but one data key protects every class of the pupil and "
                f"{blockers} must still be kept; destruction waits for them"
            )
        decisions.append(RetentionDecision(facts.pupil_ref, record_class, rule.id, due, outcome, why))
    return decisions


def _blockers(
    dues: Mapping[RecordClass, date | None], expired: set[RecordClass], needs_review: set[RecordClass]
) -> str:
    parts = [
        f"{c} (until {due.isoformat()})" if due else f"{c} (no end date yet)"
        for c, due in dues.items() if c not in expired
    ]
    parts += [f"{c} (awaiting review)" for c in sorted(needs_review)]
    return ", ".join(parts)


class KeyShredder(Protocol):
    async def destroy(self, subject: str) -> bool: ...


Record = Callable[[DomainEvent], Awaitable[None]]


@dataclass(slots=True)
class RetentionRunSummary:
    pupils_examined: int = 0
    pupils_shredded: int = 0
    events_recorded: int = 0


async def run_retention(
    policy: RetentionPolicy,
    subjects: Iterable[SubjectFacts] | AsyncIterable[SubjectFacts],
    keys: KeyShredder,
    record: Record,
    today: date,
) -> RetentionRunSummary:
    """Apply the policy: destroy the key of each pupil whose every class may go, record decisions.

    ``PupilDataErased`` is recorded before the key is destroyed, as for a DPO's erasure, so the
    history never lacks the reason its personal fields read as erased. Destroying is idempotent and a
    decision equal to the last one recorded for its class is not recorded again, so a run interrupted
    half way is completed by the next (a pupil recorded as shredded has its key destroyed again).
    """
    summary = RetentionRunSummary()
    async for facts in _iterate(subjects):
        summary.pupils_examined += 1
        decisions = [d for d in decide_retention(policy, facts, today) if d.is_due]
        changed = [d for d in decisions if facts.last_recorded.get(d.record_class) != d.outcome]
        shredding = any(d.outcome is RetentionOutcome.SHREDDED for d in decisions)
        if shredding:
            if changed:
                await record(PupilDataErased(
                    pupil_ref=facts.pupil_ref,
                    reason=ErasureReason.RETENTION_EXPIRED,
                    legal_basis=ERASURE_LEGAL_BASIS.format(version=policy.policy_version),
                    requested_by=ErasureRequester.RETENTION_SCHEDULE,
                ))
                summary.events_recorded += 1
            await keys.destroy(str(facts.pupil_ref))
            summary.pupils_shredded += 1
        for decision in changed:
            await record(_decision_event(decision, policy.policy_version, today))
        summary.events_recorded += len(changed)
    return summary


def _decision_event(decision: RetentionDecision, policy_version: str, today: date) -> RetentionDecisionRecorded:
    if decision.outcome is None or decision.due_date is None:
        raise ValueError("only a decision on a record class whose period ended is recorded")
    return RetentionDecisionRecorded(
        pupil_ref=decision.pupil_ref,
        record_class=decision.record_class,
        decision=decision.outcome,
        policy_rule_id=decision.rule_id,
        policy_version=policy_version,
        due_date=decision.due_date,
        decided_on=today,
        explanation=decision.explanation[:500],
    )


async def _iterate(
    subjects: Iterable[SubjectFacts] | AsyncIterable[SubjectFacts],
) -> AsyncIterator[SubjectFacts]:
    if isinstance(subjects, AsyncIterable):
        async for facts in subjects:
            yield facts
    else:
        for facts in subjects:
            yield facts
