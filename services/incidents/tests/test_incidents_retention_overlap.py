"""Two retention runs at once (issue 11, more than one of everything): each decision recorded once.

In Kubernetes the retention CronJob has ``concurrencyPolicy: Forbid``, but nothing stops an operator
starting a manual run (``kubectl create job --from=cronjob/...``) while the scheduled one works. The
guard is in the data, not the scheduler: every record is a command whose id is derived from (pupil,
class, outcome, policy version, day) or, for the erasure, from the pupil, so the second run's copy of a
decision is answered with the first one's outcome. Here two job processes
(``python -m ap_incidents.entrypoints.retention``) start together over the same pupils; both must
finish cleanly and, between them, record each erasure and each decision exactly once.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter

import pytest

from .test_incidents_retention_job import (  # noqa: F401  (world: the module's fixture, reused here)
    BORN_LONG_AGO,
    CLASSES_OF_A_PLACED_PUPIL,
    TODAY,
    RetentionWorld,
    place_hold,
    placed_and_ended,
    world,
)

pytestmark = pytest.mark.integration


async def run_job(retention: RetentionWorld, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ap_incidents.entrypoints.retention", *args,
        env={**os.environ, **retention.env}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    return int(process.returncode or 0), out.decode(), err.decode()


async def test_two_retention_runs_at_once_record_each_erasure_and_decision_once(world: RetentionWorld) -> None:  # noqa: F811
    service = world.service
    expired = [await placed_and_ended(service, BORN_LONG_AGO) for _ in range(8)]
    held = await placed_and_ended(service, BORN_LONG_AGO)
    await place_hold(service, held)

    runs = await asyncio.gather(*(run_job(world, "--today", TODAY.isoformat()) for _ in range(2)))
    assert [code for code, _, _ in runs] == [0, 0], runs
    recorded = [int(out.splitlines()[-1].split(", ")[2].split()[0]) for _, out, _ in runs]
    expected = len(expired) * (1 + len(CLASSES_OF_A_PLACED_PUPIL)) + len(CLASSES_OF_A_PLACED_PUPIL)
    print(f"events recorded by each run: {recorded} (of {expected})")
    assert sum(recorded) == expected, runs  # each event recorded by exactly one of the two runs

    for story in expired:
        kinds = Counter(t for t, _ in await world.stream(story))
        assert (kinds["PupilDataErased"], kinds["RetentionDecisionRecorded"]) == (1, len(CLASSES_OF_A_PLACED_PUPIL))
        assert await world.decisions(story) == {c.value: "shredded" for c in CLASSES_OF_A_PLACED_PUPIL}
        assert await world.keystore.get(str(story.pupil_ref)) is None
    held_kinds = Counter(t for t, _ in await world.stream(held))
    assert (held_kinds["PupilDataErased"], held_kinds["RetentionDecisionRecorded"]) == (
        0, len(CLASSES_OF_A_PLACED_PUPIL))
    assert await world.keystore.get(str(held.pupil_ref)) is not None
