"""The event store's refusals, shared by every implementation of ``EventStorePort``."""

from __future__ import annotations

from ap_runtime.eventstore.models import RecordedCommand


class WrongExpectedVersion(Exception):
    """Optimistic concurrency conflict: the stream moved since the caller read it. Nothing was written."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id!r} is at version {actual}, the append expected {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class IdempotencyMismatch(Exception):
    """Some but not all event ids of an append were already stored: the retry is not the same append."""


class CommandAlreadyRecorded(Exception):
    """The command id was already recorded (a retry raced the original): nothing new was written.

    ``recorded`` is the first outcome, which the retry answers with.
    """

    def __init__(self, recorded: RecordedCommand) -> None:
        super().__init__(f"command {recorded.command_id} was already recorded on stream {recorded.stream_id!r}")
        self.recorded = recorded
