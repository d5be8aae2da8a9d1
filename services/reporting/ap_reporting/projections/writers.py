"""One writer per event type: fold the event's clear fields into the reporting facts.

Corrections are honoured: an entry withdrawn in error no longer counts anywhere, an amendment of a
counted field (severity, category, attendance code, reward quantity or kind, suspension length)
replaces the value, and a reinstated permanent exclusion stops counting. A pupil erased because
the record was made in error disappears from the figures; other erasures keep the counts, which
hold no personal data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

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

Writer = Callable[[asyncpg.Connection, Any, UUID], Awaitable[None]]


async def _registered(conn: asyncpg.Connection, e: PupilRegistered, _: UUID) -> None:
    await conn.execute("INSERT INTO pupils (pupil_ref, home_school_id, key_stage, sex) VALUES ($1, $2, $3, $4)"
                       " ON CONFLICT (pupil_ref) DO NOTHING", e.pupil_ref, e.home_school_id, e.key_stage.value,
                       e.sex.value)


async def _details(conn: asyncpg.Connection, e: PupilDetailsUpdated, _: UUID) -> None:
    await conn.execute(
        "UPDATE pupils SET home_school_id = coalesce($2, home_school_id), key_stage = coalesce($3, key_stage),"
        " sex = coalesce($4, sex) WHERE pupil_ref = $1", e.pupil_ref, e.home_school_id,
        None if e.key_stage is None else e.key_stage.value, None if e.sex is None else e.sex.value)


async def _started(conn: asyncpg.Connection, e: PlacementStarted, _: UUID) -> None:
    await conn.execute(
        "INSERT INTO placements (placement_id, pupil_ref, provision_id, home_school_id, partnership_id, start_date,"
        " pupil_key_stage, outside_key_stage) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        e.placement_id, e.pupil_ref, e.provision_id, e.home_school_id, e.partnership_id, e.start_date,
        e.pupil_key_stage.value, e.outside_key_stage)


async def _ended(conn: asyncpg.Connection, e: PlacementEnded, _: UUID) -> None:
    await conn.execute("UPDATE placements SET end_date = $2, end_reason = $3 WHERE placement_id = $1",
                       e.placement_id, e.end_date, e.reason.value)


async def _attendance(conn: asyncpg.Connection, e: AttendanceRecorded, record_id: UUID) -> None:
    info = ATTENDANCE_CODES[e.code]
    await conn.execute(
        "INSERT INTO attendance VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (placement_id, session_date, session) DO UPDATE SET record_id = EXCLUDED.record_id,"
        " code = EXCLUDED.code, attended = EXCLUDED.attended, possible = EXCLUDED.possible",
        record_id, e.placement_id, e.pupil_ref, e.session_date, e.session.value, e.code.value,
        info.counts_as_attended, info.counts_as_possible)


async def _incident(conn: asyncpg.Connection, e: IncidentRecorded, record_id: UUID) -> None:
    await conn.execute("INSERT INTO incidents VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                       record_id, e.placement_id, e.pupil_ref, e.happened_at.date(), e.category.value,
                       int(e.severity))


async def _reward(conn: asyncpg.Connection, e: RewardGranted, record_id: UUID) -> None:
    await conn.execute("INSERT INTO rewards VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                       record_id, e.placement_id, e.pupil_ref, e.granted_on, e.kind.value, e.quantity)


async def _target(conn: asyncpg.Connection, e: EngagementTargetSet, record_id: UUID) -> None:
    await conn.execute("INSERT INTO engagement_targets VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                       record_id, e.placement_id, e.pupil_ref, e.target_id, e.area.value, e.set_on, e.due_by)


async def _score(conn: asyncpg.Connection, e: EngagementScoreRecorded, record_id: UUID) -> None:
    await conn.execute("INSERT INTO engagement_scores VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                       record_id, e.placement_id, e.pupil_ref, e.scored_on,
                       None if e.session is None else e.session.value, e.score, e.scale_max)
    await conn.executemany(
        "INSERT INTO engagement_progress VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        [(record_id, e.placement_id, e.pupil_ref, m.target_id, e.scored_on, m.progress.value) for m in e.progress])


async def _reduction(conn: asyncpg.Connection, e: EngagementScoreReduced, record_id: UUID) -> None:
    await conn.execute("INSERT INTO engagement_reductions VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                       record_id, e.placement_id, e.pupil_ref, e.score_record_id, e.points)


async def _phase(conn: asyncpg.Connection, pupil_ref: UUID, placement_id: UUID | None) -> str:
    """The pupil's school phase as registered now (the placement's record of it when not registered)."""
    stage = await conn.fetchval("SELECT key_stage FROM pupils WHERE pupil_ref = $1", pupil_ref)
    if stage is None and placement_id is not None:
        stage = await conn.fetchval("SELECT pupil_key_stage FROM placements WHERE placement_id = $1", placement_id)
    return phase_of(None if stage is None else KeyStage(stage)).value


async def _suspension(conn: asyncpg.Connection, e: SuspensionIssued, record_id: UUID) -> None:
    await conn.execute("INSERT INTO suspensions VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                       record_id, e.pupil_ref, e.placement_id, e.first_day, e.duration_half_days, e.academic_year,
                       await _phase(conn, e.pupil_ref, e.placement_id))


async def _permanent(conn: asyncpg.Connection, e: PermanentExclusionIssued, record_id: UUID) -> None:
    await conn.execute(
        "INSERT INTO permanent_exclusions (record_id, pupil_ref, placement_id, decided_on, academic_year, phase)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        record_id, e.pupil_ref, e.placement_id, e.decided_on, e.academic_year,
        await _phase(conn, e.pupil_ref, e.placement_id))


async def _reinstated(conn: asyncpg.Connection, e: PermanentExclusionReinstated, _: UUID) -> None:
    await conn.execute("UPDATE permanent_exclusions SET reinstated = true WHERE record_id = $1",
                       e.exclusion_record_id)


async def _withdrawn(conn: asyncpg.Connection, e: RecordWithdrawnInError, _: UUID) -> None:
    for table in FACT_TABLES:
        await conn.execute(f"DELETE FROM {table} WHERE record_id = $1", e.target_record_id)  # noqa: S608  # nosec B608 - table names are constants


# Amendable counted fields: event type -> field -> (table, column, conversion).
_AMENDABLE: dict[str, dict[str, tuple[str, str, Callable[[Any], Any]]]] = {
    "IncidentRecorded": {"severity": ("incidents", "severity", int), "category": ("incidents", "category", str)},
    "RewardGranted": {"quantity": ("rewards", "quantity", int), "kind": ("rewards", "kind", str)},
    "SuspensionIssued": {"duration_half_days": ("suspensions", "half_days", int)},
    "PermanentExclusionIssued": {"decided_on": ("permanent_exclusions", "decided_on", date.fromisoformat)},
}


async def _amended(conn: asyncpg.Connection, e: RecordAmended, _: UUID) -> None:
    if e.target_event_type == "AttendanceRecorded" and "code" in e.corrected_values:
        code = AttendanceCode(str(e.corrected_values["code"]))
        info = ATTENDANCE_CODES[code]
        await conn.execute("UPDATE attendance SET code = $2, attended = $3, possible = $4 WHERE record_id = $1",
                           e.target_record_id, code.value, info.counts_as_attended,
                           info.counts_as_possible)
        return
    for name, (table, column, convert) in _AMENDABLE.get(e.target_event_type, {}).items():
        if name in e.corrected_values:
            await conn.execute(f"UPDATE {table} SET {column} = $2 WHERE record_id = $1",  # noqa: S608  # nosec B608 - table names are constants
                               e.target_record_id, convert(e.corrected_values[name]))


async def _erased(conn: asyncpg.Connection, e: PupilDataErased, _: UUID) -> None:
    if e.reason is not ErasureReason.RECORDED_IN_ERROR:
        return
    for table in (*FACT_TABLES, "placements", "pupils"):
        await conn.execute(f"DELETE FROM {table} WHERE pupil_ref = $1", e.pupil_ref)  # noqa: S608  # nosec B608 - table names are constants


WRITERS: dict[type[DomainEvent], Writer] = {
    PupilRegistered: _registered, PupilDetailsUpdated: _details, PlacementStarted: _started,
    PlacementEnded: _ended, AttendanceRecorded: _attendance, IncidentRecorded: _incident, RewardGranted: _reward,
    SuspensionIssued: _suspension, PermanentExclusionIssued: _permanent,
    PermanentExclusionReinstated: _reinstated, RecordWithdrawnInError: _withdrawn, RecordAmended: _amended,
    PupilDataErased: _erased, EngagementTargetSet: _target, EngagementScoreRecorded: _score,
    EngagementScoreReduced: _reduction,
}
