"""v1 events of exclusion from school: suspensions and permanent exclusions by the home school head.

Only the head teacher of the school where the pupil is on roll may suspend or permanently exclude
(DfE, 2023/24); a provider or behaviour provision never can. Suspensions are counted per pupil per
academic year against the configured cap (45 school days by default), in half days because a
lunchtime suspension counts as half a day.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field, StrictInt

from ap_contracts.events.pupil_vocabulary import (
    AcademicYear,
    ExclusionReason,
    ExclusionText,
    OrganisationId,
    RuleVersion,
)
from ap_contracts.events.pupils import PupilEvent

HalfDays = Annotated[StrictInt, Field(ge=1, description="School days times two (a lunchtime counts as 1)")]
FurtherReasons = Annotated[tuple[ExclusionReason, ...], Field(max_length=2)]


class GovernorsDuty(StrEnum):
    """What a term's suspension total asks of the governing board (DfE suspension guidance)."""

    NONE = "none"  # 5 school days or fewer in the term
    CONSIDER_REPRESENTATIONS = "consider_representations"  # 6 to 15: consider parents' representations
    MEET = "meet"  # more than 15: the board must meet to consider reinstatement


class SuspensionIssued(PupilEvent):
    """The home school head suspended the pupil for a fixed number of school days (or half days)."""

    event_type: ClassVar[str] = "SuspensionIssued"

    home_school_id: OrganisationId
    placement_id: UUID | None = Field(description="The placement the pupil was in, if any")
    first_day: date
    duration_half_days: HalfDays
    academic_year: AcademicYear
    year_total_half_days: Annotated[StrictInt, Field(ge=1)] = Field(
        description="Suspension half days in the academic year including this one"
    )
    primary_reason: ExclusionReason
    further_reasons: FurtherReasons = ()
    parents_informed: bool
    account: ExclusionText
    rule_version: RuleVersion
    # Issue 13, counted on the home school's recorded calendar (absent when none records the days, and in
    # events before it): the term's total, the duties it brings, and the sixth school day.
    term: str | None = Field(default=None, max_length=40,
                             description="The school term the suspension starts in, as '2026-27 autumn'")
    term_total_half_days: Annotated[StrictInt, Field(ge=1)] | None = Field(
        default=None, description="Suspension half days in that term including this one")
    local_authority_told_at_once: bool | None = Field(
        default=None, description="The term total is over 5 school days: the LA (and governors) are told at once")
    governors_duty: GovernorsDuty | None = None
    last_day: date | None = Field(default=None, description="The suspension's last school day")
    full_time_education_from: date | None = Field(
        default=None, description="Over 5 school days: the sixth school day, from which the school arranges "
                                  "full-time education")
    counted_with: str | None = Field(default=None, max_length=200,
                                     description="The calendar (local authority id) the school days were counted on")


class PermanentExclusionIssued(PupilEvent):
    """The home school head permanently excluded the pupil; the local authority arranges education from day 6."""

    event_type: ClassVar[str] = "PermanentExclusionIssued"

    home_school_id: OrganisationId
    placement_id: UUID | None
    decided_on: date
    effective_from: date
    academic_year: AcademicYear
    primary_reason: ExclusionReason
    further_reasons: FurtherReasons = ()
    parents_informed: bool
    account: ExclusionText
    rule_version: RuleVersion
    # Issue 13: counted on the home school's recorded calendar (absent when none records the days).
    full_time_education_from: date | None = Field(
        default=None, description="The sixth school day from the exclusion taking effect: the LA arranges "
                                  "full-time education from it")
    counted_with: str | None = Field(default=None, max_length=200,
                                     description="The calendar (local authority id) the school days were counted on")


class PermanentExclusionReinstated(PupilEvent):
    """The governing board reinstated the pupil: the permanent exclusion no longer counts."""

    event_type: ClassVar[str] = "PermanentExclusionReinstated"

    exclusion_record_id: UUID
    home_school_id: OrganisationId
    board_met_on: date
    reasons: ExclusionText


class ExclusionUpheld(PupilEvent):
    """The governing board considered the exclusion and upheld it (issue 16).

    The board's one decision on an exclusion, the other being a reinstatement. The parents were told of the
    decision and of their right to ask for an independent review (DfE suspension and permanent exclusion
    guidance)."""

    event_type: ClassVar[str] = "ExclusionUpheld"

    exclusion_record_id: UUID = Field(description="The suspension or permanent exclusion the board considered")
    home_school_id: OrganisationId
    board_met_on: date
    parents_told_of_independent_review: bool = Field(
        description="The parents were told of the decision and of their right to an independent review")


class SuspensionReinstated(PupilEvent):
    """The governing board reinstated a suspended pupil, on a suspension whose term total it had to consider
    (over 5 school days in a term; issue 16 follow-up).

    The suspension still counts in exclusion statistics: DfE uncounts only a reinstated permanent exclusion
    (STATUTORY.md), and the pupil was out of school until the board met."""

    event_type: ClassVar[str] = "SuspensionReinstated"

    exclusion_record_id: UUID = Field(description="The suspension the board considered")
    home_school_id: OrganisationId
    board_met_on: date
    reasons: ExclusionText
