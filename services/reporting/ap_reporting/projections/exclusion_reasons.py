"""The reporting projection of exclusion reasons: each suspension's and permanent exclusion's primary
reason code (DfE school census codes, ``ExclusionReason``), for the Schools Forum's "reasons by DfE
code" table (issue 15, seed 004). Its own projection and schema beside the facts projection, so the
facts tables are not widened while others change them.

Counted as the DfE exclusion statistics count reasons: one per exclusion, by its primary reason;
a permanent exclusion the governing board reinstated does not count (marked, kept for the record);
a record withdrawn in error, or a pupil erased as recorded in error, counts nowhere.
"""

from __future__ import annotations

from typing import ClassVar

import asyncpg

from ap_contracts.events.privacy import ErasureReason, PupilDataErased
from ap_contracts.events.pupil_corrections import RecordWithdrawnInError
from ap_contracts.events.pupil_vocabulary import ExclusionReason
from ap_contracts.events.school_exclusions import (
    PermanentExclusionIssued,
    PermanentExclusionReinstated,
    SuspensionIssued,
)
from ap_contracts.topics import INCIDENTS_EVENTS
from ap_reporting.domain.schools_forum import PERMANENT, SUSPENSION, ExclusionReasonFact
from ap_runtime.privacy.clear_fields import clear_event
from ap_runtime.projection import Projection, ReceivedEvent, read_models

DDL = """
CREATE TABLE IF NOT EXISTS exclusion_reasons (
    record_id     uuid PRIMARY KEY,
    pupil_ref     uuid NOT NULL,
    kind          text NOT NULL,
    academic_year text NOT NULL,
    reason        text NOT NULL,
    reinstated    boolean NOT NULL DEFAULT false
);
"""


class ExclusionReasonsProjection(Projection):
    name: ClassVar[str] = "reporting_exclusion_reasons"
    topics = (INCIDENTS_EVENTS,)
    ddl: ClassVar[str] = DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        envelope = event.envelope
        e = clear_event(envelope.event_type, envelope.schema_version, event.payload)
        if isinstance(e, SuspensionIssued | PermanentExclusionIssued):
            kind = SUSPENSION if isinstance(e, SuspensionIssued) else PERMANENT
            await conn.execute("INSERT INTO exclusion_reasons VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                               envelope.event_id, e.pupil_ref, kind, e.academic_year, e.primary_reason.value)
        elif isinstance(e, PermanentExclusionReinstated):
            await conn.execute("UPDATE exclusion_reasons SET reinstated = true WHERE record_id = $1",
                               e.exclusion_record_id)
        elif isinstance(e, RecordWithdrawnInError):
            await conn.execute("DELETE FROM exclusion_reasons WHERE record_id = $1", e.target_record_id)
        elif isinstance(e, PupilDataErased) and e.reason is ErasureReason.RECORDED_IN_ERROR:
            await conn.execute("DELETE FROM exclusion_reasons WHERE pupil_ref = $1", e.pupil_ref)


async def read_exclusion_reasons(pool: asyncpg.Pool, years: list[str]) -> list[ExclusionReasonFact]:
    async with read_models(pool, [ExclusionReasonsProjection.name]) as conn:
        rows = await conn.fetch("SELECT kind, academic_year, reason, reinstated FROM exclusion_reasons"
                                " WHERE academic_year = ANY($1::text[]) ORDER BY record_id", years)
    return [ExclusionReasonFact(r["kind"], r["academic_year"], ExclusionReason(r["reason"]), r["reinstated"])
            for r in rows]
