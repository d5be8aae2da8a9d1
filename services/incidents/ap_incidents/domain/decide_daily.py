"""Day-to-day decisions of a placement: attendance, incidents, sanctions, rewards, keyworker sessions.

All of them are the provider's entries on an open placement, dated between its start and today
(see ``guards.provider_entry``).
"""

from __future__ import annotations

from uuid import UUID

from ap_contracts.events.placements import AlertThresholdsAgreed
from ap_contracts.events.pupil_record import (
    AttendanceRecorded,
    IncidentRecorded,
    KeyworkerSessionHeld,
    RewardGranted,
    RewardRedeemed,
    SanctionApplied,
)
from ap_contracts.events.pupil_vocabulary import AttendanceCode, TimetableKind
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.money import format_pounds
from ap_incidents.domain.commands import (
    AgreeAlertThresholds,
    ApplySanction,
    GrantReward,
    HoldKeyworkerSession,
    RecordAttendance,
    RecordIncident,
    RedeemReward,
)
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.errors import (
    AttendanceAlreadyRecorded,
    IncidentAlreadyRecorded,
    IncidentUnknown,
    InsufficientRewardSlips,
    PartTimeCodeWithoutReducedTimetable,
    RewardItemOverLimit,
)
from ap_incidents.domain.guards import (
    local_date,
    party_entry,
    provider_entry,
    require_not_future_time,
    require_text,
    within_placement,
)
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import Placement, PupilRecord


def require_incident(placement: Placement, incident_id: UUID | None) -> None:
    """Responses point at an incident recorded on the same placement."""
    if incident_id is not None and incident_id not in placement.incident_ids:
        raise IncidentUnknown(f"no incident {incident_id} on this placement")


def agree_thresholds(command: AgreeAlertThresholds, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """Thresholds are agreed per placement by its parties and can change over time."""
    placement = party_entry(command, state, context)
    within_placement(placement, command.agreed_on, context, "the agreement")
    return [AlertThresholdsAgreed(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, agreed_on=command.agreed_on,
        incident_severity_threshold=command.incident_severity_threshold,
        attendance_threshold_percent=command.attendance_threshold_percent,
    )]


def record_attendance(command: RecordAttendance, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """One mark per session; the part-time code only on an agreed reduced timetable."""
    placement = provider_entry(command, state, context, command.session_date, "attendance")
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
    provider_entry(command, state, context, local_date(command.happened_at), "an incident")
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
    placement = provider_entry(command, state, context, command.applied_on, "a sanction")
    require_incident(placement, command.incident_id)
    return [SanctionApplied(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, incident_id=command.incident_id, applied_on=command.applied_on,
        sanction=command.sanction, notes=command.notes,
    )]


def grant_reward(command: GrantReward, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    provider_entry(command, state, context, command.granted_on, "a reward")
    return [RewardGranted(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, granted_on=command.granted_on, kind=command.kind,
        quantity=command.quantity, reason=command.reason,
    )]


def redeem_reward(command: RedeemReward, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """Slips spent never exceed slips held, and no single item costs more than the configured maximum."""
    placement = provider_entry(command, state, context, command.redeemed_on, "a redemption")
    limit = context.rules.reward_item_max_pence
    if command.cost_pence > limit:
        raise RewardItemOverLimit(
            f"{command.item} costs {format_pounds(command.cost_pence)}; items are limited to {format_pounds(limit)}"
        )
    if command.slips_spent > placement.slip_balance:
        raise InsufficientRewardSlips(
            f"{command.slips_spent} slips needed but only {placement.slip_balance} held on this placement"
        )
    return [RewardRedeemed(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, redeemed_on=command.redeemed_on, item=command.item,
        cost_pence=command.cost_pence, slips_spent=command.slips_spent, rule_version=context.rules.version,
    )]


def hold_keyworker_session(
    command: HoldKeyworkerSession, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    provider_entry(command, state, context, command.held_on, "a keyworker session")
    return [KeyworkerSessionHeld(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, held_on=command.held_on, focus=command.focus,
        duration_minutes=command.duration_minutes, keyworker=command.keyworker, notes=command.notes,
    )]
