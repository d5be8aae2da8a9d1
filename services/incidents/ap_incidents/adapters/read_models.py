"""The incidents read models in PostgreSQL: the application's read ports (``application/ports.py``).

Each read runs in the projection's serving schema (``ap_runtime.projection.read_model``) on the
read-model pool, or on the access audit's pool. Rows are returned as plain dicts so the
application never sees a driver type.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from ap_incidents.application.ports import AuditSelection, LogPage, RegisterFilter, Row
from ap_incidents.projections.behaviour_log import BehaviourLogProjection
from ap_incidents.projections.placement_register import PlacementRegisterProjection
from ap_runtime.access import AuditRecord, query
from ap_runtime.projection import read_model

# Entries of a class the caller's log rule does not grant are left out altogether, in SQL so that
# paging by stream_version still works: that a safeguarding concern exists, or was corrected, is
# itself safeguarding information (issue 9). $4 lists the event types whose class is not granted;
# a correction counts as its target (also for rows projected before corrections carried a class).
# Left as it is: the gap in stream_version numbering where a hidden row would be.
_LOG_SELECT = """
SELECT stream_version, record_id, event_type, schema_version, occurred_at, recorded_at, organisation_id,
       placement_id, entry_class, summary, facts, personal, target_record_id, amended, withdrawn, corrections,
       erased
  FROM behaviour_log
 WHERE pupil_ref = $1 AND stream_version > $2
   AND (entry_class IS NULL OR entry_class <> ALL($5::text[]))
   AND NOT (event_type = ANY($4::text[])
            OR (event_type = ANY($6::text[]) AND facts->>'target_event_type' = ANY($4::text[])))
   AND ($7::int IS NULL OR stream_version <= $7)
 ORDER BY stream_version LIMIT $3
"""

# $7: the relationships under which the policy lets the caller read the register at all; a row is
# selected only when the caller's organisation ($2) stands in one of them to it (or $1: a rule needing
# no relationship). The same columns make the per-row ResourceContext of the query.
_REGISTER_SELECT = """
SELECT p.pupil_ref, p.placement_id, p.provision_id,
       coalesce(r.home_school_id, p.home_school_id) AS pupil_home_school_id,
       o.local_authority_id AS pupil_local_authority_id,
       p.home_school_id, p.commissioner_id, p.partnership_id, p.key_stage, p.outside_key_stage,
       p.start_date, p.planned_end_date, p.timetable, p.reduced_timetable_review_date, p.next_review_date,
       p.incident_severity_threshold, p.attendance_threshold_percent, p.status, p.end_date, p.end_reason,
       p.destination_id, r.display_name_sources, coalesce(r.erased, false) AS erased
  FROM placements p
  LEFT JOIN register_pupils r USING (pupil_ref)
  LEFT JOIN register_organisations o ON o.organisation_id = coalesce(r.home_school_id, p.home_school_id)
 WHERE ($1::boolean
        OR ('own_provision' = ANY($7::text[]) AND p.provision_id = $2)
        OR ('pupil_home_school' = ANY($7::text[]) AND coalesce(r.home_school_id, p.home_school_id) = $2)
        OR ('pupil_commissioner' = ANY($7::text[]) AND p.commissioner_id = $2)
        OR ('own_partnership' = ANY($7::text[]) AND p.partnership_id = $2)
        OR ('pupil_local_authority' = ANY($7::text[]) AND o.local_authority_id = $2))
   AND ($3::text IS NULL OR p.status = $3)
   AND ($4::text IS NULL OR p.provision_id = $4)
   AND ($5::uuid IS NULL OR p.pupil_ref = $5)
 ORDER BY p.start_date, p.placement_id
 LIMIT $6
"""


@dataclass(frozen=True, slots=True)
class PostgresBehaviourLog:
    """``BehaviourLogReadModel`` over the behaviour-log projection."""

    pool: asyncpg.Pool

    async def entries(self, pupil_ref: UUID, page: LogPage) -> list[Row]:
        async with read_model(self.pool, BehaviourLogProjection.name) as conn:
            rows = await conn.fetch(_LOG_SELECT, pupil_ref, page.after_version, page.limit,
                                    list(page.hidden_event_types), list(page.hidden_classes),
                                    list(page.correction_event_types), page.through_version)
        return [dict(row.items()) for row in rows]


@dataclass(frozen=True, slots=True)
class PostgresPlacementRegister:
    """``PlacementRegisterReadModel`` over the placement-register projection."""

    pool: asyncpg.Pool

    async def rows(self, wanted: RegisterFilter) -> list[Row]:
        async with read_model(self.pool, PlacementRegisterProjection.name) as conn:
            rows = await conn.fetch(_REGISTER_SELECT, wanted.sees_all, wanted.organisation_id, wanted.status,
                                    wanted.provision_id, wanted.pupil_ref, wanted.limit,
                                    list(wanted.relationships))
        return [dict(row.items()) for row in rows]


@dataclass(frozen=True, slots=True)
class PostgresAccessAudit:
    """``AccessAuditReader`` over the access audit database (``ap_runtime.access.audit.query``)."""

    pool: asyncpg.Pool

    async def records(self, selection: AuditSelection) -> list[AuditRecord]:
        return await query(self.pool, selection.pupil_ref, selection.user_id, selection.since, selection.until,
                           organisation=selection.organisation_id, limit=selection.limit,
                           after_seq=selection.after_seq)
