"""The pupil record and access view of recently used streams, extended by the new events only.

Folding a long stream for every command is linear in its length; when the history given starts
with the very events folded last time (the caching store returns the same objects), only the
tail is folded. Any other history is folded from the start, so the result is always that of
``fold(history)``. A fold keeps the last event it folded (decrypted), so like the history cache it
is dropped on erasure (``forget``) and after ``max_age_seconds`` (``sweep``, and on use).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from ap_contracts.events.base import DomainEvent
from ap_incidents.application.access_view import PupilAccessView
from ap_incidents.domain.evolve import fold
from ap_incidents.domain.state import PupilRecord


@dataclass(frozen=True, slots=True)
class Folded:
    count: int
    last: DomainEvent | None
    state: PupilRecord
    view: PupilAccessView
    at: float = 0.0


class StreamFolds:
    def __init__(self, max_streams: int = 5_000, max_age_seconds: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._max = max_streams
        self._max_age = max_age_seconds
        self._clock = clock
        self._folds: OrderedDict[UUID, Folded] = OrderedDict()

    def of(self, pupil_ref: UUID, history: Sequence[DomainEvent]) -> Folded:
        now = self._clock()
        cached = self._folds.get(pupil_ref)
        if cached is not None and now - cached.at >= self._max_age:
            cached = None
        if cached is not None and cached.count == len(history) and (
                cached.count == 0 or history[-1] is cached.last):
            self._folds.move_to_end(pupil_ref)
            return cached
        if cached is not None and 0 < cached.count < len(history) and history[cached.count - 1] is cached.last:
            tail = history[cached.count:]
            view = cached.view.copy()
            state = fold(tail, cached.state)
        else:
            tail, view, state = history, PupilAccessView(pupil_ref), fold(history)
        for event in tail:
            view.apply(event.event_type, event.__dict__)
        folded = Folded(len(history), history[-1] if history else None, state, view, now)
        self._folds[pupil_ref] = folded
        self._folds.move_to_end(pupil_ref)
        while len(self._folds) > self._max:
            self._folds.popitem(last=False)
        return folded

    def forget(self, pupil_ref: UUID) -> None:
        self._folds.pop(pupil_ref, None)

    def holds(self, pupil_ref: UUID) -> bool:
        return pupil_ref in self._folds

    def sweep(self) -> int:
        """Drop every fold older than the maximum age; returns how many were dropped."""
        now = self._clock()
        expired = [ref for ref, folded in self._folds.items() if now - folded.at >= self._max_age]
        for pupil_ref in expired:
            del self._folds[pupil_ref]
        return len(expired)
