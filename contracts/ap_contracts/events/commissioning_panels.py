"""v1 events of the area panels: members and meetings, the continuum of provision, referrals to a panel,
Fair Access cases, the Children Outside of School Panel, and commissioned places (seed 003 2.1, 3.2;
seed 004; issue 13).

One stream per panel holds its constitution, members, meetings, the area's continuum of provision and
every case the panel hears, so a decision is checked against the membership it was made under. Places
commissioned are one stream per local authority and academic year. A child is named only by the
pseudonymous ``pupil_ref``; free text must never name a pupil. Waits are counted in school days with the
shared calendar (``ap_runtime.school_days``); ``counted_with`` names the calendar used.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from ap_contracts.envelope import OrgKind
from ap_contracts.events.commissioning_vocabulary import (
    AcademicYear,
    CommissioningEvent,
    LongText,
    Phase,
    ShortText,
    UserId,
)
from ap_contracts.identifiers import OrganisationId

SchoolDays = Annotated[int, Field(ge=0, le=10_000)]


class PanelKind(StrEnum):
    BEHAVIOUR_ATTENDANCE = "behaviour_attendance"
    """An area's Behaviour and Attendance Panel (Bath; Keynsham and Chew Valley; Norton Radstock)."""
    CHILDREN_OUTSIDE_SCHOOL = "children_outside_school"
    """The LA's Children Outside of School Panel (meets fortnightly, recommends school places)."""


class PanelDecision(StrEnum):
    OFFERED_SERVICE = "offered_service"
    ALLOCATED_SUPPORT = "allocated_support"
    MANAGED_MOVE = "managed_move"
    DECLINED = "declined"


class OutOfSchoolReason(StrEnum):
    PERMANENTLY_EXCLUDED = "permanently_excluded"
    PART_TIME_TIMETABLE = "part_time_timetable"
    NEW_TO_AREA = "new_to_area"
    HEALTH = "health"
    OTHER = "other"


class OutsideSchoolOutcome(StrEnum):
    SCHOOL_PLACE_RECOMMENDED = "school_place_recommended"
    ALTERNATIVE_PROVISION_ARRANGED = "alternative_provision_arranged"
    RETURNED_TO_SCHOOL = "returned_to_school"
    ELECTIVE_HOME_EDUCATION = "elective_home_education"
    LEFT_THE_AREA = "left_the_area"


class PanelConstituted(CommissioningEvent):
    event_type: ClassVar[str] = "PanelConstituted"

    panel_id: OrganisationId
    kind: PanelKind
    area_id: OrganisationId
    name: ShortText
    local_authority_id: OrganisationId
    constituted_by: UserId


class PanelMemberAppointed(CommissioningEvent):
    """A person sits on the panel for an organisation; only members decide (rule ``panel.decided_by_member``)."""

    event_type: ClassVar[str] = "PanelMemberAppointed"

    panel_id: OrganisationId
    user_id: UserId
    organisation_id: OrganisationId
    sits_as: ShortText


class PanelMemberRemoved(CommissioningEvent):
    event_type: ClassVar[str] = "PanelMemberRemoved"

    panel_id: OrganisationId
    user_id: UserId


class PanelMeetingHeld(CommissioningEvent):
    event_type: ClassVar[str] = "PanelMeetingHeld"

    panel_id: OrganisationId
    meeting_id: UUID
    held_on: date
    attended_by: tuple[UserId, ...]


class ContinuumServiceListed(CommissioningEvent):
    """One service of the area's continuum of provision (seed 003, 2.1: clear referral criteria and pathways)."""

    event_type: ClassVar[str] = "ContinuumServiceListed"

    panel_id: OrganisationId
    service_id: OrganisationId
    name: ShortText
    phases: tuple[Phase, ...]
    criteria: LongText
    referrer_kinds: tuple[OrgKind, ...]
    expected_wait_school_days: SchoolDays


class PanelReferralMade(CommissioningEvent):
    event_type: ClassVar[str] = "PanelReferralMade"

    panel_id: OrganisationId
    referral_id: UUID
    pupil_ref: UUID
    phase: Phase
    service_id: OrganisationId
    referred_by: UserId
    referred_by_organisation_id: OrganisationId
    referred_on: date


class PanelReferralDecided(CommissioningEvent):
    """The panel's decision, its date and the time taken from the referral (days and school days)."""

    event_type: ClassVar[str] = "PanelReferralDecided"

    panel_id: OrganisationId
    referral_id: UUID
    decision: PanelDecision
    decided_on: date
    meeting_id: UUID | None = None
    decided_by: UserId
    days_taken: SchoolDays
    school_days_taken: SchoolDays
    counted_with: ShortText


class FairAccessCaseOpened(CommissioningEvent):
    event_type: ClassVar[str] = "FairAccessCaseOpened"

    panel_id: OrganisationId
    case_id: UUID
    pupil_ref: UUID
    phase: Phase
    without_place_since: date
    opened_on: date
    opened_by: UserId


class FairAccessCaseClosed(CommissioningEvent):
    """Closed with a placement (school and first day) or with a recorded reason; the wait counted in school
    days without a place (from ``without_place_since`` up to the day before the place or the closing)."""

    event_type: ClassVar[str] = "FairAccessCaseClosed"

    panel_id: OrganisationId
    case_id: UUID
    closed_on: date
    placed_at: OrganisationId | None = None
    placed_on: date | None = None
    reason: LongText = ""
    closed_by: UserId
    school_days_without_place: SchoolDays
    beyond_expectation: bool
    expectation_school_days: SchoolDays = 20
    """the expectation ``beyond_expectation`` was judged against (DfE Fair Access Protocols: 20 school days)"""
    counted_with: ShortText


class OutsideSchoolCaseOpened(CommissioningEvent):
    event_type: ClassVar[str] = "OutsideSchoolCaseOpened"

    panel_id: OrganisationId
    case_id: UUID
    pupil_ref: UUID
    phase: Phase
    reason: OutOfSchoolReason
    opened_on: date
    opened_by: UserId


class OutsideSchoolOutcomeRecorded(CommissioningEvent):
    event_type: ClassVar[str] = "OutsideSchoolOutcomeRecorded"

    panel_id: OrganisationId
    case_id: UUID
    outcome: OutsideSchoolOutcome
    school_id: OrganisationId | None = None
    recorded_on: date
    recorded_by: UserId
    note: LongText = ""


class CommissionedPlacesRecorded(CommissioningEvent):
    """Places a provider is commissioned to offer in one phase and academic year (seed 004: 23 fte places)."""

    event_type: ClassVar[str] = "CommissionedPlacesRecorded"

    local_authority_id: OrganisationId
    academic_year: AcademicYear
    provider_id: OrganisationId
    phase: Phase
    places: Annotated[int, Field(ge=0, le=100_000)]
    recorded_by: UserId
