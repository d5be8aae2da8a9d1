"""One writer per event type: fold the event's clear fields into the reporting facts.

Corrections are honoured from the moment they are recorded (``versions``: each closes the fact's current
version, and an amendment adds the amended one): an entry withdrawn in error no longer counts anywhere, an
amendment of a counted field (severity, category, attendance code, reward quantity or kind, suspension
length, engagement score) replaces the value, and a reinstated permanent exclusion stops counting. A pupil
erased because the record was made in error disappears from the figures; other erasures keep the counts,
which hold no personal data, and blank the pupil's sex. A report as recorded by an earlier moment still
shows the facts as they stood then. What an erasure removed never comes back (``erasures``): an event about the
pupil arriving after it writes no sex, and none at all about a pupil erased as recorded in error.

Writers fold into ``Versions`` (``version_batch``): a batch's events are folded in memory and written in a
few statements, with the effect of one statement per event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from ap_contracts.envelope import EventEnvelope
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.engagement import (
    EngagementScoreAmended,
    EngagementScoreRecorded,
    EngagementScoreReduced,
    EngagementTargetSet,
)
from ap_contracts.events.placements import PlacementEnded, PlacementStarted
from ap_contracts.events.privacy import PupilDataErased
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
from ap_reporting.projections.erasures import Writer, erasure_of, note_erasure, unless_erased_in_error
from ap_reporting.projections.schema import FACT_TABLES
from ap_reporting.projections.version_batch import Versions


def _registered(v: Versions, e: PupilRegistered, env: EventEnvelope) -> None:
    """A registration arriving after an erasure keeps no sex (erased in error: the writer is not called)."""
    sex = None if erasure_of(v, e.pupil_ref) is not None else e.sex.value
    v.add_new("pupils", {"pupil_ref": e.pupil_ref, "home_school_id": e.home_school_id,
                         "key_stage": e.key_stage.value, "sex": sex}, env.recorded_at)


def _details(v: Versions, e: PupilDetailsUpdated, env: EventEnvelope) -> None:
    """None is "unchanged"; a sex given after the pupil's erasure is not written back."""
    sex = None if e.sex is None or erasure_of(v, e.pupil_ref) is not None else e.sex.value
    changes = {"home_school_id": e.home_school_id, "key_stage": None if e.key_stage is None else e.key_stage.value,
               "sex": sex}
    given = {k: value for k, value in changes.items() if value is not None}
    if given:
        v.revise("pupils", {"pupil_ref": e.pupil_ref}, env.recorded_at, given)


def _started(v: Versions, e: PlacementStarted, env: EventEnvelope) -> None:
    v.add_new("placements", {
        "placement_id": e.placement_id, "pupil_ref": e.pupil_ref, "provision_id": e.provision_id,
        "home_school_id": e.home_school_id, "partnership_id": e.partnership_id, "start_date": e.start_date,
        "pupil_key_stage": e.pupil_key_stage.value, "outside_key_stage": e.outside_key_stage,
    }, env.recorded_at)


def _ended(v: Versions, e: PlacementEnded, env: EventEnvelope) -> None:
    v.revise("placements", {"placement_id": e.placement_id}, env.recorded_at,
             {"end_date": e.end_date, "end_reason": e.reason.value})


def _attendance(v: Versions, e: AttendanceRecorded, env: EventEnvelope) -> None:
    """A mark for a session already marked replaces it (the register's latest word on the session)."""
    info = ATTENDANCE_CODES[e.code]
    v.close("attendance", {"placement_id": e.placement_id, "session_date": e.session_date,
                           "session": e.session.value}, env.recorded_at)
    v.add("attendance", {
        "record_id": env.event_id, "placement_id": e.placement_id, "pupil_ref": e.pupil_ref,
        "session_date": e.session_date, "session": e.session.value, "code": e.code.value,
        "attended": info.counts_as_attended, "possible": info.counts_as_possible}, env.recorded_at)


def _record(v: Versions, table: str, env: EventEnvelope, values: dict[str, Any]) -> None:
    """A pupil-record fact keyed by its event's id."""
    v.add_new(table, {"record_id": env.event_id, **values}, env.recorded_at)


def _incident(v: Versions, e: IncidentRecorded, env: EventEnvelope) -> None:
    _record(v, "incidents", env, {"placement_id": e.placement_id, "pupil_ref": e.pupil_ref,
                                  "happened_on": e.happened_at.date(), "category": e.category.value,
                                  "severity": int(e.severity)})


def _reward(v: Versions, e: RewardGranted, env: EventEnvelope) -> None:
    _record(v, "rewards", env, {"placement_id": e.placement_id, "pupil_ref": e.pupil_ref,
                                "granted_on": e.granted_on, "kind": e.kind.value, "quantity": e.quantity})


def _target(v: Versions, e: EngagementTargetSet, env: EventEnvelope) -> None:
    _record(v, "engagement_targets", env, {
        "placement_id": e.placement_id, "pupil_ref": e.pupil_ref, "target_id": e.target_id, "area": e.area.value,
        "set_on": e.set_on, "due_by": e.due_by})


def _score(v: Versions, e: EngagementScoreRecorded, env: EventEnvelope) -> None:
    _record(v, "engagement_scores", env, {
        "placement_id": e.placement_id, "pupil_ref": e.pupil_ref, "scored_on": e.scored_on,
        "session": None if e.session is None else e.session.value, "score": e.score, "scale_max": e.scale_max})
    for mark in e.progress:
        v.add_new("engagement_progress", {
            "record_id": env.event_id, "placement_id": e.placement_id, "pupil_ref": e.pupil_ref,
            "target_id": mark.target_id, "scored_on": e.scored_on, "progress": mark.progress.value},
            env.recorded_at)


def _reduction(v: Versions, e: EngagementScoreReduced, env: EventEnvelope) -> None:
    _record(v, "engagement_reductions", env, {
        "placement_id": e.placement_id, "pupil_ref": e.pupil_ref, "score_record_id": e.score_record_id,
        "points": e.points})


def _score_amended(v: Versions, e: EngagementScoreAmended, env: EventEnvelope) -> None:
    """The amended score counts from now on; reductions already taken from it still count (issue 16)."""
    v.revise("engagement_scores", {"record_id": e.score_record_id}, env.recorded_at,
             {"score": e.score, "scale_max": e.scale_max})


def _phase(v: Versions, pupil_ref: UUID, placement_id: UUID | None) -> str:
    """The pupil's school phase as registered now (the placement's record of it when not registered)."""
    pupils = v.current("pupils", {"pupil_ref": pupil_ref})
    placements = v.current("placements", {"placement_id": placement_id})  # looked up always: the plan sees it
    stage = pupils[0]["key_stage"] if pupils else None
    if stage is None and placements:
        stage = placements[0]["pupil_key_stage"]
    return phase_of(None if stage is None else KeyStage(stage)).value


def _suspension(v: Versions, e: SuspensionIssued, env: EventEnvelope) -> None:
    _record(v, "suspensions", env, {
        "pupil_ref": e.pupil_ref, "placement_id": e.placement_id, "first_day": e.first_day,
        "half_days": e.duration_half_days, "academic_year": e.academic_year,
        "phase": _phase(v, e.pupil_ref, e.placement_id)})


def _permanent(v: Versions, e: PermanentExclusionIssued, env: EventEnvelope) -> None:
    _record(v, "permanent_exclusions", env, {
        "pupil_ref": e.pupil_ref, "placement_id": e.placement_id, "decided_on": e.decided_on,
        "academic_year": e.academic_year, "phase": _phase(v, e.pupil_ref, e.placement_id)})


def _reinstated(v: Versions, e: PermanentExclusionReinstated, env: EventEnvelope) -> None:
    v.revise("permanent_exclusions", {"record_id": e.exclusion_record_id}, env.recorded_at, {"reinstated": True})


def _withdrawn(v: Versions, e: RecordWithdrawnInError, env: EventEnvelope) -> None:
    for table in FACT_TABLES:
        v.close(table, {"record_id": e.target_record_id}, env.recorded_at)


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


def _amended(v: Versions, e: RecordAmended, env: EventEnvelope) -> None:
    amended = _amended_columns(e)
    if amended is not None:
        table, changes = amended
        v.revise(table, {"record_id": e.target_record_id}, env.recorded_at, changes)


def _erased(v: Versions, e: PupilDataErased, env: EventEnvelope) -> None:
    """Data recorded in error leaves every figure. Any other erasure keeps the counts (no personal data) but
    blanks the pupil's sex, the one census field of the person, so nothing personal stays linked to the
    reference; the version before it still answers a report as recorded by an earlier moment. The erasure is
    noted, so that no later event about the pupil brings back what it removed."""
    if not note_erasure(v, e, env.recorded_at):
        v.revise("pupils", {"pupil_ref": e.pupil_ref}, env.recorded_at, {"sex": None})
        return
    for table in (*FACT_TABLES, "placements", "pupils"):
        v.close(table, {"pupil_ref": e.pupil_ref}, env.recorded_at)


# Writers of a new fact about a pupil: none writes once the pupil was erased as recorded in error. The others
# change only current versions, which that erasure closed.
_ABOUT_A_PUPIL: dict[type[DomainEvent], Writer] = {
    PupilRegistered: _registered, PlacementStarted: _started, AttendanceRecorded: _attendance,
    IncidentRecorded: _incident, RewardGranted: _reward, SuspensionIssued: _suspension,
    PermanentExclusionIssued: _permanent, EngagementTargetSet: _target, EngagementScoreRecorded: _score,
    EngagementScoreReduced: _reduction,
}
WRITERS: dict[type[DomainEvent], Writer] = {
    **{event: unless_erased_in_error(writer) for event, writer in _ABOUT_A_PUPIL.items()},
    PupilDetailsUpdated: _details, PlacementEnded: _ended, PermanentExclusionReinstated: _reinstated,
    RecordWithdrawnInError: _withdrawn, RecordAmended: _amended, PupilDataErased: _erased,
    EngagementScoreAmended: _score_amended,
}
