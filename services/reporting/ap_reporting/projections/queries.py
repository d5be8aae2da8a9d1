"""Reads of the reporting facts, narrowed in SQL to what one report needs (``FactsQueries``).

Every read is of the ``*_as_recorded`` views (``versions``): the facts as recorded by the moment the snapshot
was opened for, so a cut-off is this WHERE, not a replay.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from ap_contracts.events.engagement import TargetArea, TargetProgress
from ap_contracts.events.pupil_vocabulary import (
    IncidentCategory,
    KeyStage,
    PlacementEndReason,
    RewardKind,
    Session,
    Severity,
    Sex,
)
from ap_reporting.domain.engagement import (
    EngagementFacts,
    EngagementScoreFact,
    EngagementTargetFact,
    TargetProgressFact,
)
from ap_reporting.domain.facts import (
    AttendanceFact,
    IncidentFact,
    PermanentExclusionFact,
    PlacementFact,
    RewardFact,
    SuspensionFact,
)
from ap_reporting.domain.vocabulary import Period, Phase


def _placement(r: asyncpg.Record) -> PlacementFact:
    return PlacementFact(
        placement_id=r["placement_id"], pupil_ref=r["pupil_ref"], provision_id=r["provision_id"],
        home_school_id=r["home_school_id"], partnership_id=r["partnership_id"], start_date=r["start_date"],
        pupil_key_stage=KeyStage(r["pupil_key_stage"]), outside_key_stage=r["outside_key_stage"],
        end_date=r["end_date"], end_reason=None if r["end_reason"] is None else PlacementEndReason(r["end_reason"]),
    )


class FactsQueries:
    """The application's ``ReportingFacts`` port (``application/ports.py``) on one open read-model connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def placements_of_home_school(self, home_school_id: str, period: Period) -> list[PlacementFact]:
        rows = await self._conn.fetch(
            "SELECT * FROM placements_as_recorded WHERE home_school_id = $1 AND start_date <= $3"
            " AND (end_date IS NULL OR end_date >= $2) ORDER BY placement_id", home_school_id,
            period.first_day, period.last_day)
        return [_placement(r) for r in rows]

    async def placements_of_partnership(self, partnership_id: str) -> list[PlacementFact]:
        rows = await self._conn.fetch(
            "SELECT * FROM placements_as_recorded WHERE partnership_id = $1 ORDER BY placement_id", partnership_id)
        return [_placement(r) for r in rows]

    async def pupil_sexes(self, pupil_refs: Sequence[UUID]) -> dict[UUID, Sex]:
        """The sex each pupil's home school recorded (clear census field), for those it is known of."""
        rows = await self._conn.fetch("SELECT pupil_ref, sex FROM pupils_as_recorded"
                                      " WHERE pupil_ref = any($1::uuid[]) AND sex IS NOT NULL ORDER BY pupil_ref",
                                      list(pupil_refs))
        return {r["pupil_ref"]: Sex(r["sex"]) for r in rows}

    async def placements_ended(self, period: Period) -> list[PlacementFact]:
        rows = await self._conn.fetch("SELECT * FROM placements_as_recorded WHERE end_date BETWEEN $1 AND $2"
                                      " ORDER BY placement_id", period.first_day, period.last_day)
        return [_placement(r) for r in rows]

    async def attendance(self, placement_ids: Sequence[UUID], period: Period) -> list[AttendanceFact]:
        rows = await self._conn.fetch(
            "SELECT placement_id, session_date, attended, possible FROM attendance_as_recorded"
            " WHERE placement_id = ANY($1::uuid[]) AND session_date BETWEEN $2 AND $3"
            " ORDER BY placement_id, session_date, session", list(placement_ids), period.first_day, period.last_day)
        return [AttendanceFact(r["placement_id"], r["session_date"], r["attended"], r["possible"]) for r in rows]

    async def incidents(self, placement_ids: Sequence[UUID], period: Period) -> list[IncidentFact]:
        rows = await self._conn.fetch(
            "SELECT placement_id, happened_on, category, severity, record_id FROM incidents_as_recorded"
            " WHERE placement_id = ANY($1::uuid[]) AND happened_on BETWEEN $2 AND $3 ORDER BY record_id",
            list(placement_ids), period.first_day, period.last_day)
        return [IncidentFact(r["placement_id"], r["happened_on"], IncidentCategory(r["category"]),
                             Severity(r["severity"]), r["record_id"]) for r in rows]

    async def rewards(self, placement_ids: Sequence[UUID], period: Period) -> list[RewardFact]:
        rows = await self._conn.fetch(
            "SELECT placement_id, granted_on, kind, quantity FROM rewards_as_recorded"
            " WHERE placement_id = ANY($1::uuid[]) AND granted_on BETWEEN $2 AND $3 ORDER BY record_id",
            list(placement_ids), period.first_day, period.last_day)
        return [RewardFact(r["placement_id"], r["granted_on"], RewardKind(r["kind"]), r["quantity"]) for r in rows]

    async def suspensions(self, years: Sequence[str]) -> list[SuspensionFact]:
        rows = await self._conn.fetch("SELECT * FROM suspensions_as_recorded WHERE academic_year = ANY($1::text[])"
                                      " ORDER BY record_id", list(years))
        return [SuspensionFact(r["pupil_ref"], r["placement_id"], r["first_day"], r["half_days"], r["academic_year"],
                               Phase(r["phase"]), r["record_id"]) for r in rows]

    async def permanent_exclusions(self, years: Sequence[str]) -> list[PermanentExclusionFact]:
        rows = await self._conn.fetch(
            "SELECT * FROM permanent_exclusions_as_recorded WHERE academic_year = ANY($1::text[])"
            " ORDER BY record_id", list(years))
        return [PermanentExclusionFact(r["pupil_ref"], r["placement_id"], r["decided_on"], r["academic_year"],
                                       Phase(r["phase"]), r["reinstated"], r["record_id"]) for r in rows]

    async def placements_of_provision(self, provision_id: str, period: Period) -> list[PlacementFact]:
        rows = await self._conn.fetch(
            "SELECT * FROM placements_as_recorded WHERE provision_id = $1 AND start_date <= $3"
            " AND (end_date IS NULL OR end_date >= $2) ORDER BY placement_id", provision_id,
            period.first_day, period.last_day)
        return [_placement(r) for r in rows]

    async def engagement(self, placement_ids: Sequence[UUID], period: Period) -> EngagementFacts:
        """Scores (with the points taken by reductions) and progress marks of the period; targets set by its end."""
        ids = list(placement_ids)
        scores = await self._conn.fetch(
            "SELECT s.placement_id, s.scored_on, s.session, s.score, s.scale_max,"
            " coalesce((SELECT sum(r.points) FROM engagement_reductions_as_recorded r"
            " WHERE r.score_record_id = s.record_id), 0) AS reduced_by FROM engagement_scores_as_recorded s"
            " WHERE s.placement_id = ANY($1::uuid[]) AND s.scored_on BETWEEN $2 AND $3 ORDER BY s.record_id", ids,
            period.first_day, period.last_day)
        targets = await self._conn.fetch(
            "SELECT placement_id, target_id, area, set_on, due_by FROM engagement_targets_as_recorded"
            " WHERE placement_id = ANY($1::uuid[]) AND set_on <= $2 ORDER BY record_id", ids, period.last_day)
        progress = await self._conn.fetch(
            "SELECT placement_id, target_id, scored_on, progress FROM engagement_progress_as_recorded"
            " WHERE placement_id = ANY($1::uuid[]) AND scored_on BETWEEN $2 AND $3 ORDER BY record_id, target_id",
            ids, period.first_day,
            period.last_day)
        return EngagementFacts(
            scores=[EngagementScoreFact(r["placement_id"], r["scored_on"],
                                        None if r["session"] is None else Session(r["session"]), r["score"],
                                        r["scale_max"], int(r["reduced_by"])) for r in scores],
            targets=[EngagementTargetFact(r["placement_id"], r["target_id"], TargetArea(r["area"]), r["set_on"],
                                          r["due_by"]) for r in targets],
            progress=[TargetProgressFact(r["placement_id"], r["target_id"], r["scored_on"],
                                         TargetProgress(r["progress"])) for r in progress],
        )
