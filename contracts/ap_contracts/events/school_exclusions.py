"""v1 events of exclusion from school: suspensions and permanent exclusions by the home school head.

Only the head teacher of the school where the pupil is on roll may suspend or permanently exclude
(DfE, 2023/24); a provider or behaviour provision never can. Suspensions are counted per pupil per
academic year against the configured cap (45 school days by default), in half days because a
lunchtime suspension counts as half a day.
"""

from __future__ import annotations

from datetime import date
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


class PermanentExclusionReinstated(PupilEvent):
    """The governing board reinstated the pupil: the permanent exclusion no longer counts."""

    event_type: ClassVar[str] = "PermanentExclusionReinstated"

    exclusion_record_id: UUID
    home_school_id: OrganisationId
    board_met_on: date
    reasons: ExclusionText
