"""Verifying the access audit chain: every record, its keyed link, and the published heads.

Moved from ``audit.py`` (issue 10, size), which re-exports it. Rule served: edits, deletions with a
recomputed chain and truncation of the audit trail are detected (see ``verify``). Since issue 11 the
trail is a set of chains (one per writing process, and the shared one); each is verified on its own
and held to the heads published for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from ap_runtime.access.audit_chain import GENESIS_HASH, AuditRecord, record_problem
from ap_runtime.access.audit_heads import PublishedHead
from ap_runtime.access.audit_schema import from_row
from ap_runtime.access.chain_keys import ChainKeyRing, chain_keys_from_env

# Chain by chain, each in its order (the unique index on (chain_id, place) serves it).
_ALL_IN_ORDER_SQL = "SELECT * FROM access_audit ORDER BY chain_id, COALESCE(chain_seq, seq)"


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Outcome of checking every chain: ``first_bad_seq`` is where the first broken chain
    (``first_bad_chain``) breaks, as a place in that chain (for the one chain of before, its ``seq``).

    ``anchored_seq`` counts the records published heads protect (the highest published place of each
    chain, added up: for one chain, the highest published head found intact); ``unanchored`` counts
    the records after them, which no published head yet protects against truncation.
    """

    ok: bool
    first_bad_seq: int | None
    checked: int
    problem: str | None = None
    anchored_seq: int = 0
    unanchored: int = 0
    first_bad_chain: str | None = None
    chains: int = 0
    first_bad_record: int | None = None  # the ``seq`` of the record found bad (None when it is missing)


def _head_problem(heads: Sequence[PublishedHead], keys: ChainKeyRing) -> str | None:
    forged = next((h for h in heads if not h.authentic(keys)), None)
    if forged is None:
        return None
    return f"the head published at {forged.published_at.isoformat()} for seq {forged.seq} is not signed by a known key"


@dataclass
class _ChainWalk:
    """Where the walk through one chain stands: the place expected next and the hash it must link to."""

    chain_id: str
    expected: int = 1
    prev_hash: str = GENESIS_HASH


async def verify(
    pool: asyncpg.Pool,
    *,
    keys: ChainKeyRing | None = None,
    heads: Sequence[PublishedHead] = (),
    batch_size: int = 5000,
) -> VerificationResult:
    """Recompute every keyed chain in its order from one consistent snapshot and hold it to ``heads``.

    Detects an edited record (its HMAC no longer matches), a deleted or inserted record (a gap in
    its chain's places or a broken ``prev_hash`` link), a record moved to another place or chain (its
    HMAC covers both), a chain recomputed without the key, a record that differs from a published head,
    and truncation (a published head beyond the last record of its chain, or a chain that is gone).
    ``checked`` counts the records found sound before the first bad one.
    """
    ring = keys or chain_keys_from_env()
    if (forged := _head_problem(heads, ring)) is not None:
        return VerificationResult(False, None, 0, forged)
    published: dict[tuple[str, int], list[PublishedHead]] = {}
    for published_head in heads:
        published.setdefault((published_head.chain_id, published_head.seq), []).append(published_head)
    checked = 0
    walked: dict[str, int] = {}  # each chain's records found sound
    walk: _ChainWalk | None = None
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        cursor = conn.cursor(_ALL_IN_ORDER_SQL, prefetch=batch_size)
        async for row in cursor:
            record = from_row(row)
            if walk is None or walk.chain_id != record.chain_id:
                walk = _ChainWalk(record.chain_id)
            problem = _record_problem(record, walk.expected, walk.prev_hash, ring,
                                      published.get((record.chain_id, record.chain_position), ()))
            if problem is not None:
                found = None if problem.endswith("is missing") else record.seq
                return VerificationResult(False, walk.expected, checked, problem, first_bad_chain=record.chain_id,
                                          chains=len(walked.keys() | {record.chain_id}), first_bad_record=found)
            walk.prev_hash = record.hash
            walk.expected += 1
            walked[record.chain_id] = walk.expected - 1
            checked += 1
    return _held_to_heads(published, walked, checked)


def _held_to_heads(published: dict[tuple[str, int], list[PublishedHead]], walked: dict[str, int],
                   checked: int) -> VerificationResult:
    """Every chain reaches its highest published head (else it was truncated, or removed whole)."""
    highest: dict[str, int] = {}
    for chain_id, place in published:
        highest[chain_id] = max(place, highest.get(chain_id, 0))
    for chain_id, place in sorted(highest.items()):
        held = walked.get(chain_id, 0)
        if place > held:
            last = max(published[(chain_id, place)], key=lambda h: h.published_at)
            named = f" of chain {chain_id!r}" if chain_id else ""
            return VerificationResult(
                False, held + 1, checked,
                f"records {held + 1} to {place}{named} are missing: the head published at "
                f"{last.published_at.isoformat()} names seq {place} (the chain was truncated)",
                first_bad_chain=chain_id, chains=len(walked),
            )
    anchored = sum(highest.values())
    return VerificationResult(True, None, checked, anchored_seq=anchored, unanchored=checked - anchored,
                              chains=len(walked))


def _record_problem(record: AuditRecord, expected_seq: int, prev_hash: str, keys: ChainKeyRing,
                    heads: Sequence[PublishedHead]) -> str | None:
    if record.chain_position != expected_seq:
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
