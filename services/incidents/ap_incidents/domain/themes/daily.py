"""Day to day on a placement: alert thresholds, attendance, incidents, sanctions, keyworker sessions
(domain brief section 2, step 4).

All of them are entries on an open placement, dated between its start and today
(``guards.dated_placement_entry``; who records them is the access policy's DAY and THR rules).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

from pydantic import Field

from ap_contracts.events.placements import AlertThresholdsAgreed
from ap_contracts.events.pupil_record import AttendanceRecorded, IncidentRecorded, KeyworkerSessionHeld, SanctionApplied
from ap_contracts.events.pupil_vocabulary import (
    AttendanceCode,
    IncidentCategory,
    IncidentLocation,
    IncidentTrigger,
    KeyworkerFocus,
    SanctionType,
    Session,
    Severity,
    TimetableKind,
)
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.identifiers import StaffId
from ap_incidents.domain.commands import Minutes, Percent, PlacementCommand, RecordedMoment, Text
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction, Corrector
from ap_incidents.domain.errors import (
    AttendanceAlreadyRecorded,
    IncidentAlreadyRecorded,
    PartTimeCodeWithoutReducedTimetable,
)
from ap_incidents.domain.errors_engagement import ScoreReductionNamesItsScore
from ap_incidents.domain.folding import NOTHING, Applied, entry_only, with_placement
from ap_incidents.domain.guards import (
    dated_placement_entry,
    local_date,
    placement_entry,
    require_incident,
    require_not_future_time,
    require_text,
    within_placement,
)
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import AttendanceMarked, IncidentOpened, PupilRecord
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


class AgreeAlertThresholds(PlacementCommand):
    agreed_on: date
    incident_severity_threshold: Severity
    attendance_threshold_percent: Percent


class RecordAttendance(PlacementCommand):
    session_date: date
    session: Session
    code: AttendanceCode


class RecordIncident(PlacementCommand):
    incident_id: UUID
    happened_at: RecordedMoment
    category: IncidentCategory
    severity: Severity
    location: IncidentLocation
    triggers: tuple[IncidentTrigger, ...] = Field(min_length=1)
    antecedents: Text = ""
    description: Text
    staff_involved: tuple[StaffId, ...] = Field(min_length=1)


class ApplySanction(PlacementCommand):
    incident_id: UUID | None = None
    applied_on: date
    sanction: SanctionType
    notes: Text = ""


class HoldKeyworkerSession(PlacementCommand):
    held_on: date
    focus: KeyworkerFocus
    duration_minutes: Minutes
    keyworker: StaffId
    notes: Text = ""


# ----------------------------------------------------------------------------- decisions


def agree_thresholds(command: AgreeAlertThresholds, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """Thresholds are agreed per placement by its parties and can change over time."""
    placement = placement_entry(command, state)
    within_placement(placement, command.agreed_on, context, "the agreement")
    return [AlertThresholdsAgreed(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, agreed_on=command.agreed_on,
        incident_severity_threshold=command.incident_severity_threshold,
        attendance_threshold_percent=command.attendance_threshold_percent,
    )]


def record_attendance(command: RecordAttendance, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """One mark per session; the part-time code only on an agreed reduced timetable."""
    placement = dated_placement_entry(command, state, context, command.session_date, "attendance")
    if (command.session_date, command.session) in placement.attendance:
        raise AttendanceAlreadyRecorded(
            f"{command.session.value} on {command.session_date} is already marked: amend that mark instead"
        )
    if command.code is AttendanceCode.PART_TIME_TIMETABLE and placement.timetable is not TimetableKind.REDUCED:
        raise PartTimeCodeWithoutReducedTimetable("code C2 is only for a pupil on an agreed reduced timetable")
    return [AttendanceRecorded(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, session_date=command.session_date, session=command.session,
        code=command.code, rule_version=context.rules.attendance_codes_version,
    )]


def record_incident(command: RecordIncident, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """An incident is recorded once, by the provider, when it has happened."""
    require_not_future_time(command.happened_at, context, "the incident")
    dated_placement_entry(command, state, context, local_date(command.happened_at), "an incident")
    if any(command.incident_id in p.incident_ids for p in state.placements.values()):
        raise IncidentAlreadyRecorded(f"incident {command.incident_id} is already recorded")
    return [IncidentRecorded(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, incident_id=command.incident_id, happened_at=command.happened_at,
        category=command.category, severity=command.severity, location=command.location,
        triggers=command.triggers, antecedents=command.antecedents,
        description=require_text(command.description, "what happened"), staff_involved=command.staff_involved,
    )]


def apply_sanction(command: ApplySanction, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """A response from the provider's list; a score reduction is its own command (it names the score reduced)."""
    placement = dated_placement_entry(command, state, context, command.applied_on, "a sanction")
    if command.sanction is SanctionType.WEEKLY_SCORE_REDUCED:
        raise ScoreReductionNamesItsScore(
            "a score reduction is recorded with ReduceEngagementScore (engagement-score-reductions), naming the "
            "score and the points, so that it lowers the rewards the score earns")
    require_incident(placement, command.incident_id)
    return [SanctionApplied(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, incident_id=command.incident_id, applied_on=command.applied_on,
        sanction=command.sanction, notes=command.notes,
    )]


def hold_keyworker_session(
    command: HoldKeyworkerSession, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    dated_placement_entry(command, state, context, command.held_on, "a keyworker session")
    return [KeyworkerSessionHeld(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, held_on=command.held_on, focus=command.focus,
        duration_minutes=command.duration_minutes, keyworker=command.keyworker, notes=command.notes,
    )]


# ----------------------------------------------------------------------------- folds (evolve)


def _attendance(event: AttendanceRecorded, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    marks = placement.attendance | {(event.session_date, event.session)}
    effect = AttendanceMarked(event.placement_id, event.session_date, event.session)
    return with_placement(state, replace(placement, attendance=marks)), effect


def _incident(event: IncidentRecorded, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    incidents = placement.incident_ids | {event.incident_id}
    effect = IncidentOpened(event.placement_id, event.incident_id)
    return with_placement(state, replace(placement, incident_ids=incidents)), effect


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(AgreeAlertThresholds, agree_thresholds, "incidents.agree_alert_thresholds",
            (AlertThresholdsAgreed,), "alert-thresholds", "Agree a placement's alert thresholds"),
        CommandDeclaration(RecordAttendance, record_attendance, "incidents.record_attendance", (AttendanceRecorded,),
            "attendance", "Record a session's attendance"),
        CommandDeclaration(RecordIncident, record_incident, "incidents.record_incident", (IncidentRecorded,),
            "incidents", "Record an incident"),
        CommandDeclaration(ApplySanction, apply_sanction, "incidents.apply_sanction", (SanctionApplied,), "sanctions",
            "Apply a sanction"),
        CommandDeclaration(HoldKeyworkerSession, hold_keyworker_session, "incidents.record_keyworker_session",
            (KeyworkerSessionHeld,), "keyworker-sessions", "Record a keyworker session"),
    ),
    events={
        AlertThresholdsAgreed: EventRule(entry_only, Correction(withdrawable=True)),
        AttendanceRecorded: EventRule(_attendance, Correction(
            Corrector.PROVIDER,
            locked=frozenset({"session", "session_date"}),
            withdrawable=True,
        )),
        IncidentRecorded: EventRule(_incident, Correction(Corrector.PROVIDER, withdrawable=True)),
        SanctionApplied: EventRule(entry_only, Correction(Corrector.PROVIDER, withdrawable=True)),
        KeyworkerSessionHeld: EventRule(entry_only, Correction(Corrector.PROVIDER, withdrawable=True)),
    },
)
