"""v1 event of the pupils on roll the local authority records per school and academic year (issue 15, seed 004).

Rates per 100 pupils on roll (DfE exclusion statistics: count / headcount x 100) need the roll, which no
pupil event gives: the platform registers only the pupils it works with. The LA records each school's roll
from the school census, with the school's phase (primary, secondary, special, alternative provision), once a
year; a later record for the same school and year replaces the earlier one. The phase recorded here is the
phase an exclusion from that school counts in, so a rate's count and its denominator are split alike.
Counts only: no pupil is named.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from ap_contracts.events.commissioning_vocabulary import AcademicYear, CommissioningEvent, UserId
from ap_contracts.identifiers import OrganisationId


class SchoolPhase(StrEnum):
    """The phase of a school as the DfE exclusion statistics split schools."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    SPECIAL = "special"
    ALTERNATIVE_PROVISION = "alternative_provision"
    """pupil referral units, AP academies and AP free schools (reported separately by the DfE)"""


class PupilsOnRollRecorded(CommissioningEvent):
    """A school's pupils on roll (headcount) in an academic year, and its phase, as the LA recorded them."""

    event_type: ClassVar[str] = "PupilsOnRollRecorded"

    local_authority_id: OrganisationId
    academic_year: AcademicYear
    school_id: OrganisationId
    phase: SchoolPhase
    pupils: Annotated[int, Field(ge=0, le=1_000_000)]
    recorded_by: UserId
