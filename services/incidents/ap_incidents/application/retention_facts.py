"""What the retention schedule needs to know about one pupil, read from the pupil's own stream.

Rule served: each class of the pupil's records is kept for its period from its anchor (date of
birth, end of the last placement, last record), unless a legal hold is in force (retention policy
in ``ap_runtime.privacy.retention``). Pure: the caller reads the stored (sealed) events and reveals
only the events that can hold the date of birth; everything else here is a clear field.

- date of birth: from ``PupilRegistered``, as corrected by later ``RecordAmended`` entries;
- placements: started, ended (end date as amended), entries withdrawn in error left out;
- record classes held: every personal field holding a value (withdrawn entries still hold data);
- last record: the latest pupil-record entry (privacy bookkeeping does not count);
- legal holds in force, and the outcome last recorded per record class.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from ap_contracts.events.base import DomainEvent, UnknownEventType, event_model
from ap_contracts.events.privacy import LegalHoldLifted, LegalHoldPlaced, RetentionOutcome
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.personal import RecordClass, personal_fields
from ap_incidents.domain.themes.privacy import holds_in_force
from ap_runtime.privacy.codec import ERASED_FLAG
from ap_runtime.privacy.retention import SubjectFacts

REGISTRATION = "PupilRegistered"
AMENDMENT = "RecordAmended"
_HOLD_EVENTS: dict[str, type[DomainEvent]] = {"LegalHoldPlaced": LegalHoldPlaced, "LegalHoldLifted": LegalHoldLifted}


class StoredRow(Protocol):
    """What is read of one stored event (``ap_runtime.eventstore.StoredEvent`` fits)."""

    @property
    def event_id(self) -> UUID: ...

    @property
    def event_type(self) -> str: ...

    @property
    def schema_version(self) -> int: ...

    @property
    def occurred_at(self) -> datetime: ...

    @property
    def payload(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class PupilRetentionView:
    """The facts, and whether the record is already closed by erasure and its key gone."""

    facts: SubjectFacts
    registered: bool
    erased: bool
    key_destroyed: bool

    @property
    def finished(self) -> bool:
        """Erased and shredded: nothing is left for the schedule to decide."""
        return self.erased and self.key_destroyed


def needs_reveal(row: StoredRow) -> bool:
    """Only the registration and corrections of it can hold the date of birth."""
    if row.event_type == REGISTRATION:
        return True
    return (row.event_type == AMENDMENT and row.payload.get("target_event_type") == REGISTRATION
            and row.payload.get("corrected_identity") is not None)


def retention_view(pupil_ref: UUID, rows: Sequence[StoredRow],
                   revealed: Mapping[UUID, Mapping[str, Any]]) -> PupilRetentionView:
    """The pupil's retention facts from their stream; ``revealed``: payloads of ``needs_reveal`` rows by event id."""
    withdrawn = {str(r.payload.get("target_record_id")) for r in rows if r.event_type == "RecordWithdrawnInError"}
    live = [r for r in rows if str(r.event_id) not in withdrawn]
    started, ended = _placements(live)
    facts = SubjectFacts(
        pupil_ref=pupil_ref,
        date_of_birth=_date_of_birth(live, revealed),
        record_classes_held=_classes_held(rows),
        placement_end_dates=tuple(ended.values()),
        placement_ongoing=bool(started - set(ended)),
        last_record_on=_last_record_on(rows),
        legal_hold_ids=holds_in_force(_hold_events(rows)),
        last_recorded=_last_recorded(rows),
    )
    return PupilRetentionView(
        facts=facts,
        registered=any(r.event_type == REGISTRATION for r in rows),
        erased=any(r.event_type == "PupilDataErased" for r in rows),
        key_destroyed=any(bool(p.get(ERASED_FLAG)) for p in revealed.values()),
    )


def _model(row: StoredRow) -> type[DomainEvent] | None:
    try:
        return event_model(row.event_type, row.schema_version)
    except UnknownEventType:
        return None


def _date_of_birth(rows: Sequence[StoredRow], revealed: Mapping[UUID, Mapping[str, Any]]) -> date | None:
    found: date | None = None
    for row in rows:
        payload = revealed.get(row.event_id)
        if payload is None:
            continue
        if row.event_type == REGISTRATION:
            found = _as_date(payload.get("date_of_birth"))
        elif isinstance(corrected := payload.get("corrected_identity"), Mapping) and "date_of_birth" in corrected:
            found = _as_date(corrected["date_of_birth"])
    return found


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if isinstance(value, str) else None


def _placements(rows: Sequence[StoredRow]) -> tuple[set[str], dict[str, date]]:
    started: set[str] = set()
    ended: dict[str, date] = {}
    ending_record: dict[str, str] = {}
    for row in rows:
        p = row.payload
        if row.event_type == "PlacementStarted":
            started.add(str(p["placement_id"]))
        elif row.event_type == "PlacementEnded" and (end := _as_date(p.get("end_date"))) is not None:
            ended[str(p["placement_id"])] = end
            ending_record[str(row.event_id)] = str(p["placement_id"])
        elif row.event_type == AMENDMENT and p.get("target_event_type") == "PlacementEnded":
            placement = ending_record.get(str(p.get("target_record_id")))
            end = _as_date((p.get("corrected_values") or {}).get("end_date"))
            if placement is not None and end is not None:
                ended[placement] = end
    return started, ended


def _classes_held(rows: Sequence[StoredRow]) -> frozenset[RecordClass]:
    held: set[RecordClass] = set()
    for row in rows:
        model = _model(row)
        if model is not None:
            held |= {c for name, c in personal_fields(model).items() if row.payload.get(name) is not None}
    return frozenset(held)


def _last_record_on(rows: Sequence[StoredRow]) -> date | None:
    days = [r.occurred_at.date() for r in rows if (m := _model(r)) is not None and issubclass(m, PupilEvent)]
    return max(days, default=None)


def _hold_events(rows: Sequence[StoredRow]) -> list[DomainEvent]:
    return [_HOLD_EVENTS[r.event_type].model_validate(r.payload) for r in rows if r.event_type in _HOLD_EVENTS]


def _last_recorded(rows: Sequence[StoredRow]) -> dict[RecordClass, RetentionOutcome]:
    return {
        RecordClass(r.payload["record_class"]): RetentionOutcome(r.payload["decision"])
        for r in rows if r.event_type == "RetentionDecisionRecorded"
    }
