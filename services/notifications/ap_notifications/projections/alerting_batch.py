"""The alert worker's read model as one batch of events sees it (issue 14, alerts benchmark).

Why: a register mark is most of what the worker reads, and judging one took six round trips to PostgreSQL (store
the mark, load the placement and its thresholds, tally its marks, look up the SLA in force, save the alert state)
while the database work of the rules is a few microseconds of Python. Within the runner's one transaction per
batch, this view loads each placement's terms and marks once, folds each mark into them in memory, and writes the
marks and alert states the batch changed in two statements at the end (``flush``), before the transaction
commits. What a rule sees is what the event-by-event reads gave: the marks so far (the current one included, a
mark recorded again for the same session replacing the earlier code) and the alert state as the previous event
left it.

Exactly once is the runner's, untouched: the view lives inside one batch's transaction, so a failed batch
rolls back with its writes and the view is dropped; the event-by-event retry (``Mode.CAREFUL``) makes one view per
event. Any event but a mark is written through at once, after the pending writes, and empties the view, so every
other table change (thresholds agreed, a review, the placement's end, an organisation's LA, an SLA) is read back
from the database as before.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

import asyncpg

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import PupilDataErased
from ap_contracts.events.pupil_record import AttendanceRecorded
from ap_contracts.events.pupil_vocabulary import AttendanceCode
from ap_notifications.domain.attendance import AttendanceTally, tally
from ap_notifications.domain.placement_terms import PlacementTerms
from ap_notifications.projections import placement_terms, sla_thresholds
from ap_runtime.privacy.erased_pupils import Erased, erasure_of, note_erasure

Session = tuple[date, str]


class BatchView:
    """Placement terms, marks and SLA thresholds read once per batch; marks and alert states written at ``flush``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self._terms: dict[UUID, PlacementTerms | None] = {}
        self._marks: dict[UUID, dict[Session, AttendanceCode]] = {}
        self._sla: dict[tuple[str, str, date], int | None] = {}
        self._new_marks: list[tuple[UUID, date, str, str]] = []
        self._states: dict[UUID, tuple[bool, bool]] = {}
        self._erased: dict[object, Erased | None] = {}

    async def record(self, event: DomainEvent, event_id: UUID) -> None:
        """Fold one event into the read model (``placement_terms.record``)."""
        if isinstance(event, AttendanceRecorded):
            marks = await self._marks_of(event.placement_id)
            marks[(event.session_date, event.session.value)] = event.code
            self._new_marks.append((event.placement_id, event.session_date, event.session.value, event.code.value))
            return
        await self.write_through()
        await placement_terms.record(self.conn, event, event_id)

    async def erasure_of(self, pupil_ref: object) -> Erased | None:
        """How the pupil an event names was erased (``erased_pupils``), asked once per pupil and batch."""
        if pupil_ref not in self._erased:
            self._erased[pupil_ref] = await erasure_of(self.conn, pupil_ref)
        return self._erased[pupil_ref]

    async def note_erasure(self, event: PupilDataErased) -> None:
        await self.write_through()
        self._erased[event.pupil_ref] = await note_erasure(self.conn, event.pupil_ref, event.reason)

    async def write_through(self) -> None:
        """Write what is pending and forget what was read: the next read sees the tables as they are."""
        await self.flush()
        self._terms.clear()
        self._marks.clear()
        self._sla.clear()

    async def terms(self, placement_id: UUID) -> PlacementTerms | None:
        if placement_id not in self._terms:
            self._terms[placement_id] = await placement_terms.load_terms(self.conn, placement_id)
        return self._terms[placement_id]

    async def attendance_tally(self, placement_id: UUID) -> AttendanceTally:
        return tally((await self._marks_of(placement_id)).values())

    async def sla_attendance_threshold(self, provision_id: str, commissioner_id: str, day: date) -> int | None:
        key = (provision_id, commissioner_id, day)
        if key not in self._sla:
            self._sla[key] = await sla_thresholds.attendance_threshold_on(self.conn, provision_id, commissioner_id,
                                                                          day)
        return self._sla[key]

    def save_alert_state(self, terms: PlacementTerms, attendance_below: bool, reduced_timetable_alerted: bool) -> None:
        """The placement's alert state after its event (``placement_terms.save_alert_state`` at ``flush``)."""
        reduced = terms.reduced_timetable
        self._terms[terms.placement_id] = replace(
            terms, attendance_below=attendance_below,
            reduced_timetable=None if reduced is None else replace(reduced, overdue_alerted=reduced_timetable_alerted))
        self._states[terms.placement_id] = (attendance_below, reduced_timetable_alerted)

    async def flush(self) -> None:
        """Write the batch's marks (in order: a session marked twice keeps its last code) and alert states."""
        if self._new_marks:
            await self.conn.executemany(
                "INSERT INTO attendance_marks VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (placement_id, session_date, session) DO UPDATE SET code = EXCLUDED.code",
                self._new_marks)
            self._new_marks = []
        if self._states:
            await self.conn.executemany(
                "UPDATE placements SET attendance_below = $2, review_alerted = $3 WHERE placement_id = $1",
                [(placement_id, below, alerted) for placement_id, (below, alerted) in self._states.items()])
            self._states = {}

    async def _marks_of(self, placement_id: UUID) -> dict[Session, AttendanceCode]:
        if placement_id not in self._marks:
            rows = await self.conn.fetch(
                "SELECT session_date, session, code FROM attendance_marks WHERE placement_id = $1", placement_id)
            self._marks[placement_id] = {(r["session_date"], r["session"]): AttendanceCode(r["code"]) for r in rows}
        return self._marks[placement_id]
