"""Access-audit records and their keyed hash chain (pure: no I/O).

Rule served: log who read or changed which pupil's records, when, why and with what decision,
never the data itself (STATUTORY.md, Data Protection Act 2018 s.62, OWASP ASVS V16). Each record
carries the HMAC-SHA256 of the one before, under a key the audit database does not hold
(``chain_keys``), so editing, deleting or reordering stored records breaks the chain at the first
affected sequence number and cannot be repaired by recomputing it. Truncation of the newest
records is caught against the heads published elsewhere (``audit_heads``).

Several chains (issue 11): each writing process keeps its own chain (``chain_id``), so no writer waits
for another's lock; a record's place is its ``chain_seq`` in its chain, and the trail verifies as the
set of its chains. The shared chain (``chain_id`` "") hashes exactly as the one chain did before, so
records written before there were several chains still verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

import orjson

from ap_runtime.access.chain_keys import ChainKey

GENESIS_HASH = "0" * 64

Outcome = Literal["allowed", "denied"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One access decision to record. Identifiers and reasons only: never a payload.

    ``purpose_category`` is why, from a fixed list (kept as long as the record); ``purpose`` is the
    caller's optional free-text note, bounded in length and dropped by the retention job after a
    set time (the chain covers its keyed digest, so the chain still verifies once it is gone).
    """

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
    purpose_category: str | None = None
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
    """A stored entry: its place in the chain, the key that chained it and the hashes linking it.

    ``purpose`` is None once the free text has been dropped; ``purpose_digest`` stays.
    """

    seq: int
    prev_hash: str = GENESIS_HASH
    hash: str = field(default="")
    key_id: str = ""
    purpose_digest: str | None = None
    # The chain the record belongs to and its place in it (None: a record from before there were several
    # chains, whose place is its ``seq``). ``seq`` itself orders the records of every chain for readers.
    chain_id: str = ""
    chain_seq: int | None = None

    @property
    def chain_position(self) -> int:
        """Where the record sits in its chain (1 for the first)."""
        return self.chain_seq or self.seq


def purpose_digest(purpose: str | None, key: ChainKey) -> str | None:
    """Keyed digest of the free-text purpose: stands in for it in the chain, reveals nothing without the key."""
    if purpose is None:
        return None
    return hmac.new(key.secret, b"purpose\x00" + purpose.encode("utf-8"), hashlib.sha256).hexdigest()


def _canonical_fields(entry: AuditEntry, seq: int, prev_hash: str, key_id: str, digest: str | None,
                      chain_id: str) -> dict[str, Any]:
    # The shared chain's records keep the canonical form they had before chains had names.
    named = {"chain_id": chain_id} if chain_id else {}
    return {
        **named,
        "seq": seq,
        "key_id": key_id,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "user_id": entry.user_id,
        "roles": list(entry.roles),
        "organisation_id": entry.organisation_id,
        "pupil_ref": None if entry.pupil_ref is None else str(entry.pupil_ref),
        "record_class": entry.record_class,
        "action": entry.action,
        "purpose_category": entry.purpose_category,
        "purpose_digest": digest,
        "decision": entry.decision,
        "rule_id": entry.rule_id,
        "reason": entry.reason,
        "correlation_id": None if entry.correlation_id is None else str(entry.correlation_id),
        "break_glass": entry.break_glass,
        "recipients": list(entry.recipients),
        "policy_version": entry.policy_version,
        "prev_hash": prev_hash,
    }


def record_hash(entry: AuditEntry, seq: int, prev_hash: str, key: ChainKey, digest: str | None = None,
                chain_id: str = "") -> str:
    """HMAC-SHA256 (hex) under ``key`` of the canonical JSON of the entry, its position ``seq`` in chain
    ``chain_id``, the key id and the previous hash: without the key nobody can produce a link that verifies.

    The free-text purpose enters through its digest: ``digest`` when given (a stored record whose
    text may have been dropped), else computed from ``entry.purpose``.
    """
    text_digest = digest if digest is not None else purpose_digest(entry.purpose, key)
    fields = _canonical_fields(entry, seq, prev_hash, key.key_id, text_digest, chain_id)
    return hmac.new(key.secret, canonical_json(fields), hashlib.sha256).hexdigest()


def canonical_json(fields: dict[str, Any]) -> bytes:
    """The canonical form the chain hashes: what ``json.dumps(fields, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` gives, in UTF-8, written by orjson (issue 11: ~18 -> ~2 us a record, about 1% of the API's
    CPU a command). For the chain's fields (ASCII keys; text, text enums, integers, booleans, None and lists of
    text) orjson writes the same bytes: keys sorted, no spaces, the same escapes for quotes, backslashes and
    control characters, every other character as UTF-8 (test_access_audit_canonical: seeded records and hashes
    written before). What orjson refuses (a lone surrogate, an integer past 64 bits) goes the standard library's
    way, which refuses it or writes it as it always did."""
    try:
        return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_problem(record: AuditRecord, key: ChainKey) -> str | None:
    """What is wrong with one stored record under ``key``, or None when it is sound."""
    if record.purpose is not None and purpose_digest(record.purpose, key) != record.purpose_digest:
        return "the purpose text does not match its digest"
    if record_hash(record, record.chain_position, record.prev_hash, key, record.purpose_digest,
                   record.chain_id) != record.hash:
        return "record content does not match its hash"
    return None


def chain(entry: AuditEntry, seq: int, prev_hash: str, key: ChainKey, chain_id: str = "") -> AuditRecord:
    """The stored form of ``entry`` at position ``seq`` of chain ``chain_id`` after a record hashing to
    ``prev_hash`` (its ``seq`` is the position until the store numbers it among every chain's records)."""
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
        purpose_category=entry.purpose_category,
        correlation_id=entry.correlation_id,
        break_glass=entry.break_glass,
        recipients=entry.recipients,
        policy_version=entry.policy_version,
        seq=seq,
        prev_hash=prev_hash,
        hash=record_hash(entry, seq, prev_hash, key, chain_id=chain_id),
        key_id=key.key_id,
        purpose_digest=purpose_digest(entry.purpose, key),
        chain_id=chain_id,
        chain_seq=seq,
    )
