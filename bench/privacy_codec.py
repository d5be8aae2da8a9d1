"""Field sealing benchmark: the platform's codec against bare AES-GCM, in the same run.

    python -m bench.privacy_codec [--events 500] [--pupils 50] [--repeats 5]

The codec seals each personal field with the pupil's own key (fetched or created in one key-store
lookup per batch, unwrapped by the master key) and binds pupil, field and event type; the baseline
encrypts the same field values with one AES-GCM key and no key store: the floor of the work. Three
cases: warm (keys cached), cold (every pupil new: keys created in the batch) and reveal. Medians of
the repeats and the ratio to the baseline; JSON to bench/results/privacy_codec-<timestamp>.json.
These rates used to be asserted by unit tests, which a loaded machine could fail by chance.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import asyncpg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ap_runtime.privacy.codec import PersonalDataCodec, SealedPayload
from ap_runtime.privacy.keystore import KeyStore
from ap_testing.infra import create_database, dsn_for_database, resolve_infrastructure
from ap_testing.privacy import ProbeNoteRecorded, random_ring
from bench.publish import publish

PERSONAL = ("narrative", "preferred_name", "safeguarding_note", "sen_summary", "family_contacts")


def _note(pupil: Any) -> ProbeNoteRecorded:
    return ProbeNoteRecorded.model_validate({
        "pupil_ref": pupil, "narrative": "Threw a chair across the art room after a quarrel about paint",
        "preferred_name": "Quillon Marsh-Abernethy", "safeguarding_note": "Disclosed worries at home",
        "sen_summary": "Dyslexia; EHCP review pending", "family_contacts": ["Grandparent on 07700 900123"],
        "staff_involved": ["staff-17"], "severity": 3})


def _baseline(events: list[ProbeNoteRecorded]) -> float:
    """Fields per second: bare AES-GCM over the same values, one key, a fresh nonce each."""
    key = AESGCM(os.urandom(32))
    started = time.perf_counter()
    for event in events:
        values = event.model_dump(mode="json")
        for name in PERSONAL:
            key.encrypt(os.urandom(12), json.dumps(values[name]).encode(), name.encode())
    return len(events) * len(PERSONAL) / (time.perf_counter() - started)


async def _one_repeat(pool: asyncpg.Pool, events_count: int, pupils_count: int) -> dict[str, float]:
    ring = random_ring()[0]
    pupils = [uuid4() for _ in range(pupils_count)]
    events = [_note(pupils[i % pupils_count]) for i in range(events_count)]
    fields = events_count * len(PERSONAL)
    warm = PersonalDataCodec(KeyStore(pool, ring, cache_ttl_seconds=60))
    await warm.seal_many(events)  # creates and caches the keys
    started = time.perf_counter()
    sealed = await warm.seal_many(events)
    seal_warm = fields / (time.perf_counter() - started)
    started = time.perf_counter()
    await warm.reveal_many([SealedPayload(ProbeNoteRecorded.event_type, 1, payload, str(e.pupil_ref))
                            for payload, e in zip(sealed, events, strict=True)])
    reveal_warm = fields / (time.perf_counter() - started)
    cold = PersonalDataCodec(KeyStore(pool, ring, cache_ttl_seconds=0))
    fresh = [_note(uuid4()) for _ in range(events_count)]
    started = time.perf_counter()
    await cold.seal_many(fresh)
    seal_cold = fields / (time.perf_counter() - started)
    return {"baseline_fields_per_second": _baseline(events), "seal_warm_fields_per_second": seal_warm,
            "reveal_warm_fields_per_second": reveal_warm, "seal_cold_fields_per_second": seal_cold}


async def main(events: int, pupils: int, repeats: int) -> dict[str, Any]:
    admin, _ = resolve_infrastructure()
    dsn = dsn_for_database(admin, await create_database(admin, "bench_codec"))
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
    try:
        await KeyStore(pool, random_ring()[0]).create_schema()
        runs = [await _one_repeat(pool, events, pupils) for _ in range(repeats)]
    finally:
        await pool.close()
    median = {k: round(statistics.median(r[k] for r in runs)) for k in runs[0]}
    base = median["baseline_fields_per_second"]
    return {
        "benchmark": "privacy_codec", "at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "parameters": {"events": events, "pupils": pupils, "repeats": repeats, "fields_per_event": len(PERSONAL)},
        "median": median,
        "ratios": {k.replace("_fields_per_second", "_over_baseline"): round(v / base, 3)
                   for k, v in median.items() if k != "baseline_fields_per_second"},
        "runs": runs,
    }


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--pupils", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    result = asyncio.run(main(args.events, args.pupils, args.repeats))
    publish("privacy_codec", result)


if __name__ == "__main__":
    cli()
