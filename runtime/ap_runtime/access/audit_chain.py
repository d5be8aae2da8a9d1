"""Access-audit records and their hash chain (pure: no I/O).

Rule served: log who read or changed which pupil's records, when, why and with what decision,
never the data itself (STATUTORY.md, Data Protection Act 2018 s.62, OWASP ASVS V16). Each record
carries the hash of the one before, so editing, deleting or reordering stored records breaks the
chain at the first affected sequence number.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

GENESIS_HASH = "0" * 64

Outcome = Literal["allowed", "denied"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One access decision to record. Identifiers and reasons only: never a payload."""

    at: datetime
    user_id: str
    roles: tuple[str, ...]
    organisation_id: str
    action: str
    decision: Outcome
    rule_id: str
    reason: str = ""
    pupil_ref: UUID | None = None
    record_class: str | None = None
    purpose: str | None = None
    correlation_id: UUID | None = None
    break_glass: bool = False
    # For disclosures: the organisations the data went to (s.62 asks for recipients).
    recipients: tuple[str, ...] = ()
    policy_version: str = ""

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("audit time must be timezone-aware")
        object.__setattr__(self, "at", self.at.astimezone(UTC))


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditRecord(AuditEntry):
    """A stored entry: its place in the chain and the hashes linking it."""

    seq: int
    prev_hash: str = GENESIS_HASH
    hash: str = field(default="")


def _canonical_fields(entry: AuditEntry, seq: int, prev_hash: str) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "user_id": entry.user_id,
        "roles": list(entry.roles),
        "organisation_id": entry.organisation_id,
        "pupil_ref": None if entry.pupil_ref is None else str(entry.pupil_ref),
        "record_class": entry.record_class,
        "action": entry.action,
        "purpose": entry.purpose,
        "decision": entry.decision,
        "rule_id": entry.rule_id,
        "reason": entry.reason,
        "correlation_id": None if entry.correlation_id is None else str(entry.correlation_id),
        "break_glass": entry.break_glass,
        "recipients": list(entry.recipients),
        "policy_version": entry.policy_version,
        "prev_hash": prev_hash,
    }


def record_hash(entry: AuditEntry, seq: int, prev_hash: str) -> str:
    """SHA-256 (hex) of the canonical JSON of the entry, its sequence number and the previous hash."""
    canonical = json.dumps(
        _canonical_fields(entry, seq, prev_hash), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def chain(entry: AuditEntry, seq: int, prev_hash: str) -> AuditRecord:
    """The stored form of ``entry`` at position ``seq`` after a record hashing to ``prev_hash``."""
    return AuditRecord(
        at=entry.at,
        user_id=entry.user_id,
        roles=entry.roles,
        organisation_id=entry.organisation_id,
        action=entry.action,
        decision=entry.decision,
        rule_id=entry.rule_id,
        reason=entry.reason,
        pupil_ref=entry.pupil_ref,
        record_class=entry.record_class,
        purpose=entry.purpose,
        correlation_id=entry.correlation_id,
        break_glass=entry.break_glass,
        recipients=entry.recipients,
        policy_version=entry.policy_version,
        seq=seq,
        prev_hash=prev_hash,
        hash=record_hash(entry, seq, prev_hash),
    )
