"""One writer per event type: fold the event's clear fields into the reporting facts.

Corrections are honoured from the moment they are recorded (``versions``: each closes the fact's current
version, and an amendment adds the amended one): an entry withdrawn in error no longer counts anywhere, an
amendment of a counted field (severity, category, attendance code, reward quantity or kind, suspension
length) replaces the value, and a reinstated permanent exclusion stops counting. A pupil erased because
the record was made in error disappears from the figures; other erasures keep the counts, which hold no
personal data. A report as recorded by an earlier moment still shows the facts as they stood then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from ap_contracts.envelope import EventEnvelope
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.engagement import EngagementScoreRecorded, EngagementScoreReduced, EngagementTargetSet
from ap_contracts.events.placements import PlacementEnded, PlacementStarted
from ap_contracts.events.privacy import ErasureReason, PupilDataErased
from ap_contracts.events.pupil_corrections import RecordAmended, RecordWithdrawnInError
from ap_contracts.events.pupil_record import AttendanceRecorded, IncidentRecorded, RewardGranted
from ap_contracts.events.pupil_vocabulary import ATTENDANCE_CODES, AttendanceCode, KeyStage
from ap_contracts.events.pupils import PupilDetailsUpdated, PupilRegistered
from ap_contracts.events.school_exclusions import (
    PermanentExclusionIssued,
    PermanentExclusionReinstated,
    SuspensionIssued,
)
from ap_reporting.domain.vocabulary import phase_of
from ap_reporting.projections.schema import FACT_TABLES
from ap_reporting.projections.versions import close, revise

Writer = Callable[[asyncpg.Connection, Any, EventEnvelope], Awaitable[None]]
_CURRENT = "superseded_at IS NULL"


async def _insert(conn: asyncpg.Connection, table: str, values: dict[str, Any], at: datetime,
                  on_conflict: str = "DO NOTHING") -> None:
    """A new fact, as recorded at ``at``; a repeated key of a current version is ignored (``on_conflict``)."""
    values = {**values, "recorded_at": at}
    marks = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    await conn.execute(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({marks}) {on_conflict}",  # noqa: S608  # nosec B608 - table and column names are constants
                       *values.values())


async def _registered(conn: asyncpg.Connection, e: PupilRegistered, env: EventEnvelope) -> None:
    await _insert(conn, "pupils", {"pupil_ref": e.pupil_ref, "home_school_id": e.home_school_id,
                                   "key_stage": e.key_stage.value, "sex": e.sex.value}, env.recorded_at,
                  f"ON CONFLICT (pupil_ref) WHERE {_CURRENT} DO NOTHING")


async def _details(conn: asyncpg.Connection, e: PupilDetailsUpdated, env: EventEnvelope) -> None:
    changes = {"home_school_id": e.home_school_id, "key_stage": None if e.key_stage is None else e.key_stage.value,
               "sex": None if e.sex is None else e.sex.value}
    given = {k: v for k, v in changes.items() if v is not None}
    if given:
        await revise(conn, "pupils", "pupil_ref = $2", [e.pupil_ref], env.recorded_at, given)


async def _started(conn: asyncpg.Connection, e: PlacementStarted, env: EventEnvelope) -> None:
    await _insert(conn, "placements", {
        "placement_id": e.placement_id, "pupil_ref": e.pupil_ref, "provision_id": e.provision_id,
        "home_school_id": e.home_school_id, "partnership_id": e.partnership_id, "start_date": e.start_date,
        "pupil_key_stage": e.pupil_key_stage.value, "outside_key_stage": e.outside_key_stage,
    }, env.recorded_at, f"ON CONFLICT (placement_id) WHERE {_CURRENT} DO NOTHING")


async def _ended(conn: asyncpg.Connection, e: PlacementEnded, env: EventEnvelope) -> None:
    await revise(conn, "placements", "placement_id = $2", [e.placement_id], env.recorded_at,
                 {"end_date": e.end_date, "end_reason": e.reason.value})


async def _attendance(conn: asyncpg.Connection, e: AttendanceRecorded, env: EventEnvelope) -> None:
    """A mark for a session already marked replaces it (the register's latest word on the session)."""
    info = ATTENDANCE_CODES[e.code]
    await close(conn, "attendance", "placement_id = $2 AND session_date = $3 AND session = $4",
                [e.placement_id, e.session_date, e.session.value], env.recorded_at)
    await _insert(conn, "attendance", {
        "record_id": env.event_id, "placement_id": e.placement_id, "pupil_ref": e.pupil_ref,
        "session_date": e.session_date, "session": e.session.value, "code": e.code.value,
        "attended": info.counts_as_attended, "possible": info.counts_as_possible}, env.recorded_at, "")


async def _record(conn: asyncpg.Connection, table: str, env: EventEnvelope, values: dict[str, Any]) -> None:
    """A pupil-record fact keyed by its event's id."""
    await _insert(conn, table, {"record_id": env.event_id, **values}, env.recorded_at,
                  f"ON CONFLICT (record_id) WHERE {_CURRENT} DO NOTHING")


async def _incident(conn: asyncpg.Connection, e: IncidentRecorded, env: EventEnvelope) -> None:
    await _record(conn, "incidents", env, {"placement_id": e.placement_id, "pupil_ref": e.pupil_ref,
                                           "happened_on": e.happened_at.date(), "category": e.category.value,
                                           "severity": int(e.severity)})


async def _reward(conn: asyncpg.Connection, e: RewardGranted, env: EventEnvelope) -> None:
    await _record(conn, "rewards", env, {"placement_id": e.placement_id, "pupil_ref": e.pupil_ref,
                                         "granted_on": e.granted_on, "kind": e.kind.value, "quantity": e.quantity})


async def _target(conn: asyncpg.Connection, e: EngagementTargetSet, env: EventEnvelope) -> None:
    await _record(conn, "engagement_targets", env, {
        "placement_id": e.placement_id, "pupil_ref": e.pupil_ref, "target_id": e.target_id, "area": e.area.value,
        "set_on": e.set_on, "due_by": e.due_by})


async def _score(conn: asyncpg.Connection, e: EngagementScoreRecorded, env: EventEnvelope) -> None:
    await _record(conn, "engagement_scores", env, {
        "placement_id": e.placement_id, "pupil_ref": e.pupil_ref, "scored_on": e.scored_on,
        "session": None if e.session is None else e.session.value, "score": e.score, "scale_max": e.scale_max})
    for mark in e.progress:
        await _insert(conn, "engagement_progress", {
            "record_id": env.event_id, "placement_id": e.placement_id, "pupil_ref": e.pupil_ref,
            "target_id": mark.target_id, "scored_on": e.scored_on, "progress": mark.progress.value},
            env.recorded_at, f"ON CONFLICT (record_id, target_id) WHERE {_CURRENT} DO NOTHING")


async def _reduction(conn: asyncpg.Connection, e: EngagementScoreReduced, env: EventEnvelope) -> None:
    await _record(conn, "engagement_reductions", env, {
        "placement_id": e.placement_id, "pupil_ref": e.pupil_ref, "score_record_id": e.score_record_id,
        "points": e.points})


async def _phase(conn: asyncpg.Connection, pupil_ref: UUID, placement_id: UUID | None) -> str:
    """The pupil's school phase as registered now (the placement's record of it when not registered)."""
    stage = await conn.fetchval("SELECT key_stage FROM pupils WHERE pupil_ref = $1 AND superseded_at IS NULL",
                                pupil_ref)
    if stage is None and placement_id is not None:
        stage = await conn.fetchval(
            "SELECT pupil_key_stage FROM placements WHERE placement_id = $1 AND superseded_at IS NULL", placement_id)
    return phase_of(None if stage is None else KeyStage(stage)).value


async def _suspension(conn: asyncpg.Connection, e: SuspensionIssued, env: EventEnvelope) -> None:
    await _record(conn, "suspensions", env, {
        "pupil_ref": e.pupil_ref, "placement_id": e.placement_id, "first_day": e.first_day,
        "half_days": e.duration_half_days, "academic_year": e.academic_year,
        "phase": await _phase(conn, e.pupil_ref, e.placement_id)})


async def _permanent(conn: asyncpg.Connection, e: PermanentExclusionIssued, env: EventEnvelope) -> None:
    await _record(conn, "permanent_exclusions", env, {
        "pupil_ref": e.pupil_ref, "placement_id": e.placement_id, "decided_on": e.decided_on,
        "academic_year": e.academic_year, "phase": await _phase(conn, e.pupil_ref, e.placement_id)})


async def _reinstated(conn: asyncpg.Connection, e: PermanentExclusionReinstated, env: EventEnvelope) -> None:
    await revise(conn, "permanent_exclusions", "record_id = $2", [e.exclusion_record_id], env.recorded_at,
                 {"reinstated": True})


async def _withdrawn(conn: asyncpg.Connection, e: RecordWithdrawnInError, env: EventEnvelope) -> None:
    for table in FACT_TABLES:
        await close(conn, table, "record_id = $2", [e.target_record_id], env.recorded_at)


# Amendable counted fields: event type -> field -> (table, column, conversion).
_AMENDABLE: dict[str, dict[str, tuple[str, str, Callable[[Any], Any]]]] = {
    "IncidentRecorded": {"severity": ("incidents", "severity", int), "category": ("incidents", "category", str)},
    "RewardGranted": {"quantity": ("rewards", "quantity", int), "kind": ("rewards", "kind", str)},
    "SuspensionIssued": {"duration_half_days": ("suspensions", "half_days", int)},
    "PermanentExclusionIssued": {"decided_on": ("permanent_exclusions", "decided_on", date.fromisoformat)},
}


def _amended_columns(e: RecordAmended) -> tuple[str, dict[str, Any]] | None:
    """The table and the new values of the counted columns an amendment changes (None: it changes none)."""
    if e.target_event_type == "AttendanceRecorded" and "code" in e.corrected_values:
        code = AttendanceCode(str(e.corrected_values["code"]))
        info = ATTENDANCE_CODES[code]
        return "attendance", {"code": code.value, "attended": info.counts_as_attended,
                              "possible": info.counts_as_possible}
    fields = _AMENDABLE.get(e.target_event_type, {})
    changes = {column: convert(e.corrected_values[name])
               for name, (_, column, convert) in fields.items() if name in e.corrected_values}
    return (next(iter(fields.values()))[0], changes) if changes else None


async def _amended(conn: asyncpg.Connection, e: RecordAmended, env: EventEnvelope) -> None:
    amended = _amended_columns(e)
    if amended is not None:
        table, changes = amended
        await revise(conn, table, "record_id = $2", [e.target_record_id], env.recorded_at, changes)


async def _erased(conn: asyncpg.Connection, e: PupilDataErased, env: EventEnvelope) -> None:
    if e.reason is not ErasureReason.RECORDED_IN_ERROR:
        return
    for table in (*FACT_TABLES, "placements", "pupils"):
        await close(conn, table, "pupil_ref = $2", [e.pupil_ref], env.recorded_at)


WRITERS: dict[type[DomainEvent], Writer] = {
    PupilRegistered: _registered, PupilDetailsUpdated: _details, PlacementStarted: _started,
    PlacementEnded: _ended, AttendanceRecorded: _attendance, IncidentRecorded: _incident, RewardGranted: _reward,
    SuspensionIssued: _suspension, PermanentExclusionIssued: _permanent,
    PermanentExclusionReinstated: _reinstated, RecordWithdrawnInError: _withdrawn, RecordAmended: _amended,
    PupilDataErased: _erased, EngagementTargetSet: _target, EngagementScoreRecorded: _score,
    EngagementScoreReduced: _reduction,
}
