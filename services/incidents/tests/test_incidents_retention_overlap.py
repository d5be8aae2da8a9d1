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
from collections.abc import AsyncIterator, Awaitable, Callable
from uuid import UUID

import pytest

from ap_incidents.adapters.clear_fields_codec import ClearFieldsOnlyCodec
from ap_incidents.application.retention_job import RetentionJob
from ap_incidents.entrypoints.retention import retention_job
from ap_runtime.access import AccessGuard, AuditLog
from ap_runtime.eventstore import EventStore, StoredEvent
from ap_runtime.privacy.codec import PersonalDataCodec
from ap_runtime.privacy.retention import RetentionPolicy

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


class _ErasedMeanwhile(EventStore):
    """An event store on which ``meanwhile`` runs once, just after the first stream read: another run's work landing
    between this run's read of a pupil's events and its reveal of the date of birth."""

    def __init__(self, store: EventStore, meanwhile: Callable[[], Awaitable[object]]) -> None:
        super().__init__(store.pool, store.codec)
        self._meanwhile: Callable[[], Awaitable[object]] | None = meanwhile

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        rows = await super().read_stream(stream_id, after_version)
        if self._meanwhile is not None:
            meanwhile, self._meanwhile = self._meanwhile, None
            await meanwhile()
        return rows


async def _one(pupil_ref: UUID) -> AsyncIterator[UUID]:
    yield pupil_ref


async def test_a_run_reading_a_pupil_as_another_shreds_them_records_nothing_of_its_own(
        world: RetentionWorld) -> None:  # noqa: F811
    """The other run erases the pupil and destroys their key after this run read the stream and before it revealed
    the date of birth: this run read no erasure and no date of birth, and recorded a contrary decision of its own
    (behaviour kept for review) beside the other run's "shredded" (the two runs above recorded 45 events of 44 so,
    once in four loops of the incidents suite)."""
    service, policy = world.service, RetentionPolicy.load()
    story = await placed_and_ended(service, BORN_LONG_AGO)
    deps = service.deps
    other = retention_job(deps.events_pool, deps.audit_pool, world.keystore, policy)
    store = EventStore(deps.events_pool, ClearFieldsOnlyCodec(PersonalDataCodec(world.keystore)))
    late = RetentionJob(_ErasedMeanwhile(store, lambda: other.run(_one(story.pupil_ref), TODAY)),
                        PersonalDataCodec(world.keystore), world.keystore, AccessGuard(AuditLog(deps.audit_pool)),
                        policy)

    report = await late.run(_one(story.pupil_ref), TODAY)

    assert report.events_recorded == 0, report.lines
    kinds = Counter(t for t, _ in await world.stream(story))
    assert (kinds["PupilDataErased"], kinds["RetentionDecisionRecorded"]) == (1, len(CLASSES_OF_A_PLACED_PUPIL))
    assert await world.decisions(story) == {c.value: "shredded" for c in CLASSES_OF_A_PLACED_PUPIL}
