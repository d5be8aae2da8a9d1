"""Exclusions as the tables by phase of school read them, written straight into reporting's read models for the API
tests (the pipeline tests send events instead): the exclusion reasons projection's rows with the excluding school,
and the rolls and phases the LA records through commissioning."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import uuid4

import asyncpg

from ap_reporting.domain.facts import PermanentExclusionFact, SuspensionFact
from ap_reporting.domain.schools_forum import PERMANENT, SUSPENSION
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_runtime.projection import active_schema

SCHOOL_OF = {"primary": "pri-1", "secondary": "sec-1", "not_known": "no-roll"}
"""A school per phase; ``no-roll``: one whose roll the LA never recorded (its exclusions count as "not recorded")."""


async def write_by_school(pool: asyncpg.Pool, suspensions: Sequence[SuspensionFact],
                          exclusions: Sequence[PermanentExclusionFact], years: Sequence[str]) -> None:
    """The facts each at the school of its phase (``SCHOOL_OF``), reason DB, and a roll of 800 pupils for the primary
    and the secondary school in each of ``years``."""
    rows = [(s.record_id or uuid4(), s.pupil_ref, SUSPENSION, s.academic_year, False, SCHOOL_OF[s.phase.value],
             s.half_days) for s in suspensions]
    rows += [(e.record_id or uuid4(), e.pupil_ref, PERMANENT, e.academic_year, e.reinstated, SCHOOL_OF[e.phase.value],
              0) for e in exclusions]
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {await active_schema(conn, ExclusionReasonsProjection.name)}")
        await conn.executemany("INSERT INTO exclusion_reasons (record_id, pupil_ref, kind, academic_year, reason,"
                               " reinstated, home_school_id, half_days) VALUES ($1, $2, $3, $4, 'DB', $5, $6, $7)",
                               rows)
    async with pool.acquire() as conn, conn.transaction():
        schema = await active_schema(conn, ReportingCommissioningFactsProjection.name)
        await conn.execute(f"SET LOCAL search_path TO {schema}")
        await conn.executemany("INSERT INTO pupils_on_roll (academic_year, school_id, phase, pupils)"
                               " VALUES ($1, $2, $3, 800)",
                               [(year, SCHOOL_OF[phase], phase) for year in years
                                for phase in ("primary", "secondary")])
