"""Verifying the access audit chain: every record, its keyed link, and the published heads.

Moved from ``audit.py`` (issue 10, size), which re-exports it. Rule served: edits, deletions with a
recomputed chain and truncation of the audit trail are detected (see ``verify``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from ap_runtime.access.audit_chain import GENESIS_HASH, AuditRecord, record_problem
from ap_runtime.access.audit_heads import PublishedHead
from ap_runtime.access.audit_schema import from_row
from ap_runtime.access.chain_keys import ChainKeyRing, chain_keys_from_env

_ALL_IN_ORDER_SQL = "SELECT * FROM access_audit ORDER BY seq"


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Outcome of checking the chain: ``first_bad_seq`` is where it first breaks.

    ``anchored_seq`` is the highest published head found intact; ``unanchored`` counts the records
    after it, which a published head does not yet protect against truncation.
    """

    ok: bool
    first_bad_seq: int | None
    checked: int
    problem: str | None = None
    anchored_seq: int = 0
    unanchored: int = 0


def _head_problem(heads: Sequence[PublishedHead], keys: ChainKeyRing) -> str | None:
    forged = next((h for h in heads if not h.authentic(keys)), None)
    if forged is None:
        return None
    return f"the head published at {forged.published_at.isoformat()} for seq {forged.seq} is not signed by a known key"


async def verify(
    pool: asyncpg.Pool,
    *,
    keys: ChainKeyRing | None = None,
    heads: Sequence[PublishedHead] = (),
    batch_size: int = 5000,
) -> VerificationResult:
    """Recompute the keyed chain in ``seq`` order from one consistent snapshot and hold it to ``heads``.

    Detects an edited record (its HMAC no longer matches), a deleted or inserted record (a gap in
    ``seq`` or a broken ``prev_hash`` link), a chain recomputed without the key, a record that
    differs from a published head, and truncation (a published head beyond the last record).
    ``checked`` counts the records found sound before the first bad one.
    """
    ring = keys or chain_keys_from_env()
    if (forged := _head_problem(heads, ring)) is not None:
        return VerificationResult(False, None, 0, forged)
    published: dict[int, list[PublishedHead]] = {}
    for published_head in heads:
        published.setdefault(published_head.seq, []).append(published_head)
    checked = 0
    expected_seq = 1
    prev_hash = GENESIS_HASH
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        cursor = conn.cursor(_ALL_IN_ORDER_SQL, prefetch=batch_size)
        async for row in cursor:
            record = from_row(row)
            problem = _record_problem(record, expected_seq, prev_hash, ring, published.get(record.seq, ()))
            if problem is not None:
                return VerificationResult(False, expected_seq, checked, problem)
            prev_hash = record.hash
            expected_seq += 1
            checked += 1
    anchored = max(published, default=0)
    if anchored > checked:
        last = max(published[anchored], key=lambda h: h.published_at)
        return VerificationResult(
            False, checked + 1, checked,
            f"records {checked + 1} to {anchored} are missing: the head published at "
            f"{last.published_at.isoformat()} names seq {anchored} (the chain was truncated)",
        )
    return VerificationResult(True, None, checked, anchored_seq=anchored, unanchored=checked - anchored)


def _record_problem(record: AuditRecord, expected_seq: int, prev_hash: str, keys: ChainKeyRing,
                    heads: Sequence[PublishedHead]) -> str | None:
    if record.seq != expected_seq:
        return f"record {expected_seq} is missing"
    if record.prev_hash != prev_hash:
        return "link to the previous record is broken"
    key = keys.get(record.key_id)
    if key is None:
        return f"record is chained with key {record.key_id!r}, which is neither the active nor a retired key"
    if (problem := record_problem(record, key)) is not None:
        return problem
    differing = next((h for h in heads if h.hash != record.hash), None)
    if differing is not None:
        return f"record differs from the head published at {differing.published_at.isoformat()}"
    return None
