"""The reporting projection of exclusion reasons: each suspension's and permanent exclusion's primary
reason code (DfE school census codes, ``ExclusionReason``), for the Schools Forum's "reasons by DfE
code" table (issue 15, seed 004), with the excluding school and a suspension's half days for its tables by
phase of school (``domain/schools_forum_phases.py``). Its own projection and schema beside the facts projection, so the
facts tables are not widened while others change them.

Counted as the DfE exclusion statistics count reasons: one per exclusion, by its primary reason;
a permanent exclusion the governing board reinstated does not count (marked, kept for the record);
a record withdrawn in error, or a pupil erased as recorded in error, counts nowhere from then on. Rows are
versions of the facts (``versions``), so the reasons as recorded by an earlier moment can be read again.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import asyncpg

from ap_contracts.events.privacy import ErasureReason, PupilDataErased
from ap_contracts.events.pupil_corrections import RecordWithdrawnInError
from ap_contracts.events.pupil_vocabulary import ExclusionReason
from ap_contracts.events.reports import TopicPosition
from ap_contracts.events.school_exclusions import (
    PermanentExclusionIssued,
    PermanentExclusionReinstated,
    SuspensionIssued,
)
from ap_contracts.topics import INCIDENTS_EVENTS
from ap_reporting.domain.schools_forum import PERMANENT, SUSPENSION, ExclusionReasonFact
from ap_reporting.projections.positions import DDL as POSITIONS_DDL
from ap_reporting.projections.positions import advance, read_positions
from ap_reporting.projections.versions import as_recorded_by, close, revise, versioned
from ap_runtime.privacy.clear_fields import clear_event
from ap_runtime.projection import Projection, ReceivedEvent, read_models

DDL = """
CREATE TABLE IF NOT EXISTS exclusion_reasons (
    record_id     uuid NOT NULL,
    pupil_ref     uuid NOT NULL,
    kind          text NOT NULL,
    academic_year text NOT NULL,
    reason        text NOT NULL,
    reinstated    boolean NOT NULL DEFAULT false
);
-- Issue 15, the Schools Forum tables by phase of school: the excluding school and a suspension's half days
-- (a suspension's length is locked against amendment, so the value issued stands).
ALTER TABLE exclusion_reasons ADD COLUMN IF NOT EXISTS home_school_id text;
ALTER TABLE exclusion_reasons ADD COLUMN IF NOT EXISTS half_days integer NOT NULL DEFAULT 0;
""" + versioned("exclusion_reasons", ("record_id",))


class ExclusionReasonsProjection(Projection):
    name: ClassVar[str] = "reporting_exclusion_reasons"
    topics = (INCIDENTS_EVENTS,)
    ddl: ClassVar[str] = DDL + POSITIONS_DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        await self._apply(conn, event)
        await advance(conn, [event])  # what a published Schools Forum report records (issue 15, provenance)

    async def _apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        envelope = event.envelope
        e = clear_event(envelope.event_type, envelope.schema_version, event.payload)
        at = envelope.recorded_at
        if isinstance(e, SuspensionIssued | PermanentExclusionIssued):
            kind = SUSPENSION if isinstance(e, SuspensionIssued) else PERMANENT
            half_days = e.duration_half_days if isinstance(e, SuspensionIssued) else 0
            await conn.execute(
                "INSERT INTO exclusion_reasons (record_id, pupil_ref, kind, academic_year, reason, recorded_at,"
                " home_school_id, half_days) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                " ON CONFLICT (record_id) WHERE superseded_at IS NULL DO NOTHING",
                envelope.event_id, e.pupil_ref, kind, e.academic_year, e.primary_reason.value, at,
                e.home_school_id, half_days)
        elif isinstance(e, PermanentExclusionReinstated):
            await revise(conn, "exclusion_reasons", "record_id = $2", [e.exclusion_record_id], at,
                         {"reinstated": True})
        elif isinstance(e, RecordWithdrawnInError):
            await close(conn, "exclusion_reasons", "record_id = $2", [e.target_record_id], at)
        elif isinstance(e, PupilDataErased) and e.reason is ErasureReason.RECORDED_IN_ERROR:
            await close(conn, "exclusion_reasons", "pupil_ref = $2", [e.pupil_ref], at)


async def read_exclusion_reasons(pool: asyncpg.Pool, years: list[str], recorded_by: datetime | None = None,
                                 positions: list[TopicPosition] | None = None) -> list[ExclusionReasonFact]:
    """The reasons of the years' exclusions as recorded by ``recorded_by`` (None: now; ``versions``); the read
    model's positions in the same snapshot are added to ``positions`` if given."""
    async with read_models(pool, [ExclusionReasonsProjection.name]) as conn:
        await as_recorded_by(conn, recorded_by)
        if positions is not None:
            positions.extend(await read_positions(conn))
        rows = await conn.fetch("SELECT kind, academic_year, reason, reinstated, pupil_ref, home_school_id, half_days"
                                " FROM exclusion_reasons_as_recorded WHERE academic_year = ANY($1::text[])"
                                " ORDER BY record_id", years)
    return [ExclusionReasonFact(r["kind"], r["academic_year"], ExclusionReason(r["reason"]), r["reinstated"],
                                r["pupil_ref"], r["home_school_id"], r["half_days"]) for r in rows]
