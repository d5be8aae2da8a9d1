"""The reporting projection of exclusion reasons: each suspension's and permanent exclusion's primary
reason code (DfE school census codes, ``ExclusionReason``), for the Schools Forum's "reasons by DfE
code" table (issue 15, seed 004), with the excluding school and a suspension's half days for its tables by
phase of school (``domain/schools_forum_phases.py``). Its own projection and schema beside the facts projection, so the
facts tables are not widened while others change them.

Counted as the DfE exclusion statistics count reasons: one per exclusion, by its primary reason;
a permanent exclusion the governing board reinstated does not count (marked, kept for the record);
a record withdrawn in error, or a pupil erased as recorded in error, counts nowhere from then on, and an
exclusion of that pupil arriving after the erasure is not counted either (``erasures``). Rows are
versions of the facts (``versions``), so the reasons as recorded by an earlier moment can be read again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import asyncpg

from ap_contracts.envelope import EventEnvelope
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import PupilDataErased
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
from ap_reporting.projections import erasures
from ap_reporting.projections.erasures import erasure_of, note_erasure
from ap_reporting.projections.folded import FoldedProjection
from ap_reporting.projections.positions import DDL as POSITIONS_DDL
from ap_reporting.projections.positions import read_positions
from ap_reporting.projections.serving import serving
from ap_reporting.projections.version_batch import Fold, Versions
from ap_reporting.projections.versions import as_recorded_by, versioned
from ap_runtime.privacy.clear_fields import clear_event
from ap_runtime.projection import ReceivedEvent

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
""" + versioned("exclusion_reasons", ("record_id",)) + erasures.DDL


_KEYS = {"exclusion_reasons": ("record_id",), erasures.TABLE: erasures.KEY}
# The events that change the reasons: others are not read at all (a rebuild's marks are most of the topic).
_READ = frozenset(c.event_type for c in (SuspensionIssued, PermanentExclusionIssued, PermanentExclusionReinstated,
                                         RecordWithdrawnInError, PupilDataErased))


def _fold(e: DomainEvent | None, envelope: EventEnvelope) -> Fold | None:
    """What the event does to the reasons (None: nothing)."""
    at = envelope.recorded_at
    if isinstance(e, SuspensionIssued | PermanentExclusionIssued):
        row = {"record_id": envelope.event_id, "pupil_ref": e.pupil_ref,
               "kind": SUSPENSION if isinstance(e, SuspensionIssued) else PERMANENT,
               "academic_year": e.academic_year, "reason": e.primary_reason.value,
               "home_school_id": e.home_school_id,
               "half_days": e.duration_half_days if isinstance(e, SuspensionIssued) else 0}
        return lambda v: _issued(v, row, at)
    if isinstance(e, PermanentExclusionReinstated):
        reinstated = {"record_id": e.exclusion_record_id}
        return lambda v: v.revise("exclusion_reasons", reinstated, at, {"reinstated": True})
    if isinstance(e, RecordWithdrawnInError):
        withdrawn = {"record_id": e.target_record_id}
        return lambda v: v.close("exclusion_reasons", withdrawn, at)
    if isinstance(e, PupilDataErased):
        erasure = e
        return lambda v: _erased(v, erasure, at)
    return None


def _issued(v: Versions, row: dict[str, Any], at: datetime) -> None:
    """An exclusion of a pupil erased as recorded in error is not counted, whenever it arrives."""
    if erasure_of(v, row["pupil_ref"]) is not True:
        v.add_new("exclusion_reasons", row, at)


def _erased(v: Versions, e: PupilDataErased, at: datetime) -> None:
    """Data recorded in error counts nowhere; any other erasure keeps the reasons (no personal data)."""
    if note_erasure(v, e, at):
        v.close("exclusion_reasons", {"pupil_ref": e.pupil_ref}, at)


class ExclusionReasonsProjection(FoldedProjection):
    name: ClassVar[str] = "reporting_exclusion_reasons"
    topics = (INCIDENTS_EVENTS,)
    ddl: ClassVar[str] = DDL + POSITIONS_DDL
    keys: ClassVar[Mapping[str, tuple[str, ...]]] = _KEYS

    def fold_of(self, event: ReceivedEvent) -> Fold | None:
        envelope = event.envelope
        if envelope.event_type not in _READ:
            return None
        return _fold(clear_event(envelope.event_type, envelope.schema_version, event.payload), envelope)


async def read_exclusion_reasons(pool: asyncpg.Pool, years: list[str], recorded_by: datetime | None = None,
                                 positions: list[TopicPosition] | None = None) -> list[ExclusionReasonFact]:
    """The reasons of the years' exclusions as recorded by ``recorded_by`` (None: now; ``versions``); the read
    model's positions in the same snapshot are added to ``positions`` if given."""
    async with serving(pool, [ExclusionReasonsProjection.name]) as conn:
        await as_recorded_by(conn, recorded_by)
        if positions is not None:
            positions.extend(await read_positions(conn))
        rows = await conn.fetch("SELECT kind, academic_year, reason, reinstated, pupil_ref, home_school_id, half_days,"
                                " record_id FROM exclusion_reasons_as_recorded WHERE academic_year = ANY($1::text[])"
                                " ORDER BY record_id", years)
    return [ExclusionReasonFact(r["kind"], r["academic_year"], ExclusionReason(r["reason"]), r["reinstated"],
                                r["pupil_ref"], r["home_school_id"], r["half_days"], r["record_id"]) for r in rows]
