"""Panels per area, their members and meetings, and the area's continuum of provision (seed 003 2.1,
seed 004; issue 13).

Rules served: a panel is constituted once (``panel.constituted_once``); only its members attend its
meetings (``panel.attended_by_members``) and decide (``panel.decided_by_member``, checked by the case
deciders with ``require_member``); the continuum lists each service with its criteria, the phases it
serves, who may refer and the expected wait, so a referral is checked against the pathway it uses.
The calendar the panel counts school days with comes in the ``DecisionContext`` (the LA's; by default
the packaged example of the demo LA).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TypeVar
from uuid import UUID

from pydantic import Field

from ap_commissioning.domain.context import CommissioningCommand, DecisionContext
from ap_commissioning.domain.panel_errors import (
    AlreadyAMember,
    CaseAlreadyConcluded,
    CaseAlreadyOpened,
    CaseNotFound,
    DateInTheFuture,
    MeetingAlreadyRecorded,
    MeetingAttendedByNonMember,
    NotAPanelMember,
    PanelAlreadyConstituted,
    PanelHearsAnotherKind,
    PanelNotConstituted,
)
from ap_commissioning.domain.panel_state import PanelState, panel_stream_id
from ap_contracts.envelope import OrgKind
from ap_contracts.events.commissioning_panels import (
    ContinuumServiceListed,
    PanelConstituted,
    PanelKind,
    PanelMeetingHeld,
    PanelMemberAppointed,
    PanelMemberRemoved,
    SchoolDays,
)
from ap_contracts.events.commissioning_vocabulary import CommissioningEvent, LongText, Phase, ShortText, UserId
from ap_contracts.identifiers import OrganisationId
from ap_runtime.access.context import ResourceContext

CaseT = TypeVar("CaseT")


class PanelCommand(CommissioningCommand):
    """The path names the panel; the body never names who acts (the token does)."""

    panel_id: OrganisationId


class ConstitutePanel(PanelCommand):
    """A local authority constitutes one of its panels (only as itself: the policy compares
    ``local_authority_id`` with the caller's organisation)."""

    local_authority_id: OrganisationId
    kind: PanelKind
    area_id: OrganisationId
    name: ShortText


class AppointPanelMember(PanelCommand):
    user_id: UserId
    organisation_id: OrganisationId
    sits_as: ShortText


class RemovePanelMember(PanelCommand):
    user_id: UserId


class RecordPanelMeeting(PanelCommand):
    meeting_id: UUID
    held_on: date
    attended_by: tuple[UserId, ...] = Field(min_length=1)


class ListContinuumService(PanelCommand):
    service_id: OrganisationId
    name: ShortText
    phases: tuple[Phase, ...] = Field(min_length=1)
    criteria: LongText = Field(min_length=1)
    referrer_kinds: tuple[OrgKind, ...] = Field(min_length=1)
    expected_wait_school_days: SchoolDays


def event_fields(command: CommissioningCommand, *, exclude: frozenset[str] = frozenset()) -> dict[str, object]:
    """The command's fields an event carries: all but the client's command id (and ``exclude``)."""
    fields: dict[str, object] = command.model_dump(exclude={"command_id", *exclude})
    return fields


def panel_stream(command: PanelCommand) -> str:
    return panel_stream_id(command.panel_id)


def panel_resource(command: PanelCommand, state: PanelState) -> ResourceContext:
    """The panel's stored local authority and the organisations its members sit for; before the panel is
    constituted, the local authority constituting it (policy: only as itself)."""
    authority = state.local_authority_id or getattr(command, "local_authority_id", None)
    return ResourceContext(organisation_id=authority, panel_organisations=frozenset(state.members.values()))


def require_panel(state: PanelState, panel_id: str, hears: PanelKind | None = None, case: str = "") -> None:
    """The panel exists and, when ``hears`` is given, is of the kind that hears this case."""
    if state.kind is None:
        raise PanelNotConstituted(panel_id)
    if hears is not None and state.kind is not hears:
        raise PanelHearsAnotherKind(panel_id, state.kind.value, case)


def require_member(state: PanelState, panel_id: str, user_id: str) -> None:
    """Rule ``panel.decided_by_member``: the person deciding sits on the panel now."""
    if user_id not in state.members:
        raise NotAPanelMember(user_id, panel_id)


def require_not_future(context: DecisionContext, **days: date) -> None:
    """Rule ``panel.dated_today_or_earlier``: each named date of the command is today or earlier."""
    for field_name, day in days.items():
        if day > context.today:
            raise DateInTheFuture(field_name, day.isoformat(), context.today.isoformat())


def require_new_case(state: PanelState, case_id: UUID) -> None:
    """Rule ``panel.case_opened_once``: a referral or case id names one case of the panel."""
    if case_id in state.referrals or case_id in state.fair_access or case_id in state.outside_school:
        raise CaseAlreadyOpened(case_id)


def check_new_case(state: PanelState, command: PanelCommand, hears: PanelKind, case: str, case_id: UUID,
                   context: DecisionContext, **days: date) -> None:
    """A case opened before the panel that hears its kind (``panel.hears_its_kind``), under a new id
    (``panel.case_opened_once``), dated today or earlier (``panel.dated_today_or_earlier``)."""
    require_panel(state, command.panel_id, hears, case)
    require_new_case(state, case_id)
    require_not_future(context, **days)


def case_to_conclude(state: PanelState, panel_id: str, cases: Mapping[UUID, CaseT], case_id: UUID,
                     context: DecisionContext, concluded: Callable[[CaseT], bool], **days: date) -> CaseT:
    """The case a member concludes (decides, closes, records the outcome of): it is before this panel
    (``panel.case_exists``), the caller sits on the panel (``panel.decided_by_member``), it is not
    concluded yet (``panel.case_concluded_once``) and the conclusion is dated today or earlier."""
    require_panel(state, panel_id)
    case = cases.get(case_id)
    if case is None:
        raise CaseNotFound(case_id)
    require_member(state, panel_id, context.user_id)
    if concluded(case):
        raise CaseAlreadyConcluded(case_id)
    require_not_future(context, **days)
    return case


def constitute_panel(command: ConstitutePanel, state: PanelState,
                     context: DecisionContext) -> list[CommissioningEvent]:
    if state.kind is not None:
        raise PanelAlreadyConstituted(command.panel_id)
    return [PanelConstituted(**event_fields(command), constituted_by=context.user_id)]


def appoint_member(command: AppointPanelMember, state: PanelState, _: DecisionContext) -> list[CommissioningEvent]:
    require_panel(state, command.panel_id)
    if command.user_id in state.members:
        raise AlreadyAMember(command.user_id)
    return [PanelMemberAppointed(**event_fields(command))]


def remove_member(command: RemovePanelMember, state: PanelState, _: DecisionContext) -> list[CommissioningEvent]:
    require_panel(state, command.panel_id)
    require_member(state, command.panel_id, command.user_id)
    return [PanelMemberRemoved(**event_fields(command))]


def record_meeting(command: RecordPanelMeeting, state: PanelState,
                   context: DecisionContext) -> list[CommissioningEvent]:
    require_panel(state, command.panel_id)
    require_not_future(context, held_on=command.held_on)
    if command.meeting_id in state.meetings:
        raise MeetingAlreadyRecorded(command.meeting_id)
    strangers = [user for user in command.attended_by if user not in state.members]
    if strangers:
        raise MeetingAttendedByNonMember(strangers)
    return [PanelMeetingHeld(**event_fields(command))]


def list_service(command: ListContinuumService, state: PanelState, _: DecisionContext) -> list[CommissioningEvent]:
    """List (or list again, replacing) one service of the area's continuum of provision."""
    require_panel(state, command.panel_id, PanelKind.BEHAVIOUR_ATTENDANCE, "the continuum of provision")
    return [ContinuumServiceListed(**event_fields(command))]
