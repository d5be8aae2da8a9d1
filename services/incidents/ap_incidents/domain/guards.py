"""Checks shared by many decisions; each raises the error named after the rule it serves."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ap_incidents.domain.commands import PlacementCommand
from ap_incidents.domain.context import SCHOOL_TIME_ZONE, DecisionContext
from ap_incidents.domain.errors import (
    DatedInFuture,
    DateOutsidePlacement,
    DatesOutOfOrder,
    IncidentUnknown,
    NarrativeRequired,
    PlacementAlreadyEnded,
    PlacementUnknown,
    PupilNotRegistered,
    PupilRecordErased,
    ReferralUnknown,
)
from ap_incidents.domain.state import Placement, PupilRecord, Referral


def require_open_record(state: PupilRecord, pupil_ref: UUID) -> None:
    """Pupil-path rules apply to a registered pupil whose record has not been erased."""
    if state.erased:
        raise PupilRecordErased("this pupil's record was erased; nothing more can be recorded")
    if not state.registered:
        raise PupilNotRegistered(f"pupil {pupil_ref} is not registered")
    if state.pupil_ref != pupil_ref:
        raise ValueError(f"command for pupil {pupil_ref} applied to the stream of {state.pupil_ref}")


def require_text(value: str, what: str) -> str:
    """Narratives a rule depends on (a reason, a plan, an account) cannot be left blank."""
    if not value.strip():
        raise NarrativeRequired(f"{what} must be written down")
    return value


def require_not_future(day: date, context: DecisionContext, what: str) -> None:
    if day > context.today:
        raise DatedInFuture(f"{what} ({day}) is after today ({context.today})")


def require_not_future_time(moment: datetime, context: DecisionContext, what: str) -> None:
    if moment > context.now:
        raise DatedInFuture(f"{what} ({moment.isoformat()}) is in the future")


def require_order(earlier: date, later: date, what: str) -> None:
    if later < earlier:
        raise DatesOutOfOrder(f"{what}: {later} is before {earlier}")


def local_date(moment: datetime) -> date:
    return moment.astimezone(SCHOOL_TIME_ZONE).date()


def referral_of(state: PupilRecord, referral_id: UUID) -> Referral:
    referral = state.referrals.get(referral_id)
    if referral is None:
        raise ReferralUnknown(f"no referral {referral_id} in this pupil's record")
    return referral


def open_placement(state: PupilRecord, placement_id: UUID) -> Placement:
    """Nothing is recorded against an ended placement except corrections."""
    placement = state.placements.get(placement_id)
    if placement is None:
        raise PlacementUnknown(f"no placement {placement_id} in this pupil's record")
    if not placement.active:
        raise PlacementAlreadyEnded(f"placement {placement_id} ended on {placement.ended_on}")
    return placement


def within_placement(placement: Placement, day: date, context: DecisionContext, what: str) -> None:
    """Entries fall between the placement's start and today."""
    if day < placement.start_date:
        raise DateOutsidePlacement(f"{what} ({day}) is before the placement started ({placement.start_date})")
    require_not_future(day, context, what)


def placement_entry(command: PlacementCommand, state: PupilRecord) -> Placement:
    """Entries on a placement (day to day, reviews, thresholds, plans, its end) go on an open placement of a
    registered pupil.

    Who records them is the access policy's alone (DAY-1 to DAY-5, SG-RAISE, SG-REF-1, REV, THR, TRN, PLC):
    it judges the caller against the provision and commissioner of THE placement the command names and the
    pupil's home school (incidents ``application/resource_context.py``), so it is not repeated here (issue
    10, one rule one owner; the retired ``placement.provider_records`` and ``placement.parties_only``).
    """
    require_open_record(state, command.pupil_ref)
    return open_placement(state, command.placement_id)


def dated_placement_entry(command: PlacementCommand, state: PupilRecord, context: DecisionContext,
                          day: date, what: str) -> Placement:
    """An entry about a day of the placement: on an open placement, between its start and today."""
    placement = placement_entry(command, state)
    within_placement(placement, day, context, what)
    return placement


def require_incident(placement: Placement, incident_id: UUID | None) -> None:
    """Responses point at an incident recorded on the same placement."""
    if incident_id is not None and incident_id not in placement.incident_ids:
        raise IncidentUnknown(f"no incident {incident_id} on this placement")
