"""Kafka records handled as soon as they are fetched: one key's in order, different keys at once.

Rule served (issue 11, the Kafka command path): a record must not wait for the batch fetched before
it. A lockstep batch consumer (fetch, handle the whole batch, commit, fetch again) makes each record
wait for the slowest record of the batch ahead of it and for that batch's commit; at 100 commands/s
that queueing, not the work, was most of a command's latency. Here the fetch loop hands each
record to a task at once and fetches again, so a lone record starts within a fetch round trip,
while a burst still runs as many keys at once as it holds (up to ``max_in_flight`` records).

Delivery stays at-least-once:

* an offset is committed only when its record and every record before it in its partition are
  handled (``PartitionProgress``), by one commit at a time (at most one per ``commit_interval``)
  that carries whatever finished meanwhile;
* a record waits for the previous record with its key;
* a handler that raises (a dependency unavailable: the command handler answers every fault of the
  command itself) is called again for the same record, after a growing pause, while the records of
  other keys go on; the records after it with its key wait, and no offset past it is committed;
* before partitions move to another group member (a rebalance) or the consumer stops, the records
  in flight are finished and committed; a record still being retried is given up, with those
  waiting behind it, so the next owner reads it again (handlers must be idempotent, as commands are
  by their command id).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import ConsumerStoppedError, KafkaError

from ap_runtime.logging import exception_place, get_logger

log = get_logger("ap.kafka.dispatch")

Handler = Callable[[Any], Awaitable[None]]


class PartitionProgress:
    """The offsets of one partition taken for handling, and how far they are all handled.

    ``committable`` is the offset to commit (the next record to read after a restart): one past the
    last record before which every record taken has been handled.
    """

    def __init__(self) -> None:
        self._taken: deque[int] = deque()
        self._finished: set[int] = set()
        self.committable: int | None = None

    def take(self, offset: int) -> None:
        self._taken.append(offset)  # a partition is fetched in offset order

    def finish(self, offset: int) -> bool:
        """Mark ``offset`` handled; whether ``committable`` moved."""
        self._finished.add(offset)
        moved = False
        while self._taken and self._taken[0] in self._finished:
            done = self._taken.popleft()
            self._finished.discard(done)
            self.committable, moved = done + 1, True
        return moved

    @property
    def first_unfinished(self) -> int | None:
        return self._taken[0] if self._taken else None


class KeyedDispatcher:
    """Hands fetched records to ``handle`` at once (per key in order), commits what is handled."""

    def __init__(self, handle: Handler, *, max_in_flight: int = 1000, retry_delay_seconds: float = 0.5,
                 max_retry_delay_seconds: float = 5.0, commit_interval_seconds: float = 0.1) -> None:
        self._handle = handle
        self._commit_interval = commit_interval_seconds
        self._slots = asyncio.Semaphore(max_in_flight)
        self._retry_delays = (retry_delay_seconds, max_retry_delay_seconds)
        # The last record in flight per key (one key's records share a partition: keyed production).
        self._tails: dict[tuple[TopicPartition, bytes | None], asyncio.Task[bool]] = {}
        self._in_flight: dict[asyncio.Task[bool], TopicPartition] = {}
        self._progress: dict[TopicPartition, PartitionProgress] = {}
        self._committed: dict[TopicPartition, int] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self._given_up: set[TopicPartition] = set()  # moving away: their records are retried no more
        self._interrupted = asyncio.Event()  # wakes the records pausing between retries
        self._closed = False
        self._commit_lock = asyncio.Lock()
        self._commit_wanted = asyncio.Event()
        self._committer: asyncio.Task[None] | None = None

    @property
    def in_flight(self) -> int:
        """How many records are being handled (or wait for the previous record of their key)."""
        return len(self._in_flight)

    def listener(self) -> ConsumerRebalanceListener:
        """The rebalance listener to subscribe with: finish and commit before partitions move."""
        return _FinishBeforeRevoke(self)

    async def dispatch(self, consumer: AIOKafkaConsumer, records: Sequence[Any]) -> None:
        """Start handling ``records`` (one fetch, in offset order per partition) and return at once.

        Returns only later while ``max_in_flight`` records are being handled (back pressure).
        """
        self._consumer = consumer
        if self._committer is None:
            self._committer = asyncio.create_task(self._commit_loop())
        for record in records:
            await self._slots.acquire()
            if self._closed:
                self._slots.release()
                return  # not taken, so not committed: the next owner reads it
            self._start(record)

    def _start(self, record: Any) -> None:
        partition = TopicPartition(record.topic, record.partition)
        self._progress.setdefault(partition, PartitionProgress()).take(record.offset)
        tail = (partition, record.key)
        task = asyncio.create_task(self._run(record, partition, self._tails.get(tail)))
        self._tails[tail] = task
        self._in_flight[task] = partition
        task.add_done_callback(lambda done: self._in_flight.pop(done, None))

    async def _run(self, record: Any, partition: TopicPartition, previous: asyncio.Task[bool] | None) -> bool:
        """Handle ``record`` after the previous record with its key; whether it was handled."""
        try:
            if previous is not None and not await previous:
                return False  # given up: this one is read again after it, by whoever reads next
            if not await self._handled(record, partition):
                return False
        finally:
            self._slots.release()
            if self._tails.get((partition, record.key)) is asyncio.current_task():
                del self._tails[partition, record.key]
        progress = self._progress.get(partition)
        if progress is not None and progress.finish(record.offset):
            self._commit_wanted.set()
        return True

    async def _handled(self, record: Any, partition: TopicPartition) -> bool:
        """Call the handler until it returns (pausing longer after each error) or retries are given up."""
        pause, longest = self._retry_delays
        while not self._closed and partition not in self._given_up:
            try:
                await self._handle(record)
                return True
            except Exception as error:  # a dependency unavailable: the same record again, later
                log.warning("record not handled, retrying", error=exception_place(error), retry_in_seconds=pause,
                            topic=record.topic, partition=record.partition, offset=record.offset)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._interrupted.wait(), pause)
            pause = min(pause * 2, longest)
        return False

    async def _wait_in_flight(self, partitions: set[TopicPartition] | None = None) -> None:
        """Until no record of ``partitions`` (default: any) is in flight."""
        while waiting := {task for task, partition in self._in_flight.items()
                          if partitions is None or partition in partitions}:
            await asyncio.wait(waiting)

    async def commit(self) -> None:
        """Commit every partition's progress not yet committed (one commit at a time, in order)."""
        consumer = self._consumer
        if consumer is None:
            return
        async with self._commit_lock:
            assigned = consumer.assignment()  # a record taken as its partition moved away is not ours to commit
            offsets = {partition: progress.committable for partition, progress in self._progress.items()
                       if progress.committable is not None and partition in assigned
                       and progress.committable != self._committed.get(partition)}
            if not offsets:
                return
            try:
                await consumer.commit(offsets)
            except (KafkaError, ConsumerStoppedError) as error:  # a rebalance, the coordinator moving: read again
                log.warning("offsets not committed, records after them will be read again",
                            error=type(error).__name__)
                return
            self._committed.update(offsets)

    async def _commit_loop(self) -> None:
        # At most one commit per interval: a result is out before its offset is committed, so a
        # later commit delays no answer, and one commit carries many records (less CPU per record).
        # Rebalances and the close commit at once (``finish``, ``close``).
        while True:
            await self._commit_wanted.wait()
            await asyncio.sleep(self._commit_interval)
            self._commit_wanted.clear()
            try:
                await self.commit()
            except Exception as error:  # never end the loop: a later commit carries these offsets too
                log.error("offsets not committed", error=exception_place(error))

    async def finish(self, partitions: Sequence[TopicPartition]) -> None:
        """Before ``partitions`` move away: finish their records in flight, commit, and forget them.

        Their records being retried are given up (the next owner reads them again), so this never
        waits for an outage to end.
        """
        moving = set(partitions)
        self._given_up |= moving
        self._interrupted.set()
        try:
            await self._wait_in_flight(moving)
        finally:
            self._given_up -= moving
            self._interrupted.clear()
        await self.commit()
        for partition in moving:
            self._progress.pop(partition, None)
            self._committed.pop(partition, None)

    async def close(self) -> None:
        """Take no more records; finish and commit those in flight (those being retried are given up)."""
        self._closed = True
        self._interrupted.set()
        await self._wait_in_flight()
        await self.commit()
        if self._committer is not None:
            self._committer.cancel()
            await asyncio.gather(self._committer, return_exceptions=True)
            self._committer = None


class _FinishBeforeRevoke(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka is untyped
    def __init__(self, dispatcher: KeyedDispatcher) -> None:
        self._dispatcher = dispatcher

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self._dispatcher.finish(list(revoked))

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        return None
