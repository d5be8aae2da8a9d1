"""Refusals of the panels, referrals, Fair Access and the Children Outside of School Panel (issue 13)."""

from __future__ import annotations

from uuid import UUID

from ap_commissioning.domain.errors import CommissioningRefused
from ap_runtime.refusal import RefusalKind


class PanelNotConstituted(CommissioningRefused):
    rule_id = "panel.exists"
    kind = RefusalKind.NOT_FOUND
    says = "panel {panel_id} has not been constituted"
    panel_id: str


class PanelAlreadyConstituted(CommissioningRefused):
    rule_id = "panel.constituted_once"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "panel {panel_id} is already constituted"
    panel_id: str


class PanelHearsAnotherKind(CommissioningRefused):
    """Referrals and Fair Access cases go to an area's Behaviour and Attendance Panel; children outside
    of school to the Children Outside of School Panel (seed 004)."""

    rule_id = "panel.hears_its_kind"
    kind = RefusalKind.BREAKS_RULE
    says = "panel {panel_id} is a {panel_kind} panel and does not hear {case}"
    panel_id: str
    panel_kind: str
    case: str


class AlreadyAMember(CommissioningRefused):
    rule_id = "panel.member_appointed_once"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "{user_id} already sits on this panel"
    user_id: str


class NotAPanelMember(CommissioningRefused):
    """Only the panel decides: a decision, a case closed or an outcome recorded by someone not sitting on
    the panel is refused (issue 13; seed 004: "managers attending panels ... given the authority to make
    decisions")."""

    rule_id = "panel.decided_by_member"
    kind = RefusalKind.RESERVED_TO_ANOTHER_PARTY
    says = "{user_id} does not sit on panel {panel_id}"
    user_id: str
    panel_id: str


class MeetingAttendedByNonMember(CommissioningRefused):
    rule_id = "panel.attended_by_members"
    kind = RefusalKind.BREAKS_RULE
    says = "attended_by: not members of the panel: {members}"
    user_ids: list[str]

    @property
    def members(self) -> str:
        return ", ".join(sorted(self.user_ids))


class MeetingNotRecorded(CommissioningRefused):
    rule_id = "panel.meeting_recorded"
    kind = RefusalKind.NOT_FOUND
    says = "meeting_id: no meeting {meeting_id} of this panel is recorded"
    meeting_id: UUID


class MeetingAlreadyRecorded(CommissioningRefused):
    rule_id = "panel.meeting_recorded_once"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "meeting {meeting_id} is already recorded"
    meeting_id: UUID


class ServiceNotInContinuum(CommissioningRefused):
    rule_id = "panel.service_in_continuum"
    kind = RefusalKind.NOT_FOUND
    says = "service_id: {service_id} is not in this area's continuum of provision"
    service_id: str


class PhaseNotServed(CommissioningRefused):
    rule_id = "panel.phase_served"
    kind = RefusalKind.BREAKS_RULE
    says = "phase: {service_id} does not serve the {phase} phase"
    service_id: str
    phase: str


class ReferrerNotOnPathway(CommissioningRefused):
    """The continuum says who may refer to each service (seed 003, 2.1: clear referral criteria and pathways)."""

    rule_id = "panel.referrer_on_pathway"
    kind = RefusalKind.RESERVED_TO_ANOTHER_PARTY
    says = "a {org_kind} may not refer to {service_id}"
    service_id: str
    org_kind: str


class CaseAlreadyOpened(CommissioningRefused):
    rule_id = "panel.case_opened_once"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "case or referral {case_id} is already recorded"
    case_id: UUID


class CaseNotFound(CommissioningRefused):
    rule_id = "panel.case_exists"
    kind = RefusalKind.NOT_FOUND
    says = "no case or referral {case_id} is recorded on this panel"
    case_id: UUID


class CaseAlreadyConcluded(CommissioningRefused):
    rule_id = "panel.case_concluded_once"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "case or referral {case_id} is already decided or closed"
    case_id: UUID


class DateBeforeCase(CommissioningRefused):
    rule_id = "panel.dates_in_order"
    kind = RefusalKind.BREAKS_RULE
    says = "{field_name}: falls before {earlier}"
    field_name: str
    earlier: str


class DateInTheFuture(CommissioningRefused):
    """What a panel records happened: a referral, meeting, decision, case or outcome is dated today or earlier
    (a placement may start later)."""

    rule_id = "panel.dated_today_or_earlier"
    kind = RefusalKind.BREAKS_RULE
    says = "{field_name}: {day} is after today, {today}"
    field_name: str
    day: str
    today: str


class ClosedWithoutPlacementOrReason(CommissioningRefused):
    """A Fair Access case ends with a school place or a recorded reason, never silently (issue 13)."""

    rule_id = "fair_access.closed_with_placement_or_reason"
    kind = RefusalKind.BREAKS_RULE
    says = "placed_at / reason: a Fair Access case is closed with a placement or a recorded reason"
