"""Vocabulary of attendance: sessions, categories, and the national attendance code table as data.

Moved from ``pupil_vocabulary.py`` (issue 10, size), which re-exports every name, so imports from it
keep working; see its docstring for the rules every closed list follows.
"""


from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

# ----------------------------------------------------------------------------- attendance


class Session(StrEnum):
    AM = "AM"
    PM = "PM"


class AttendanceCategory(StrEnum):
    PRESENT = "present"
    APPROVED_OFF_SITE = "approved_off_site"
    AUTHORISED_ABSENCE = "authorised_absence"
    UNAUTHORISED_ABSENCE = "unauthorised_absence"
    ADMINISTRATIVE = "administrative"


class AttendanceCode(StrEnum):
    """Session codes of the School Attendance (Pupil Registration) (England) Regulations 2024."""

    PRESENT_AM = "/"
    PRESENT_PM = "\\"
    LATE_BEFORE_CLOSE = "L"
    LA_ARRANGED_PROVISION = "K"
    EDUCATIONAL_VISIT = "V"
    SPORTING_ACTIVITY = "P"
    WORK_EXPERIENCE = "W"
    OTHER_APPROVED_ACTIVITY = "B"
    DUAL_REGISTERED = "D"
    REGULATED_PERFORMANCE_OR_EMPLOYMENT_ABROAD = "C1"
    MEDICAL_OR_DENTAL = "M"
    INTERVIEW = "J1"
    STUDY_LEAVE = "S"
    NOT_OF_COMPULSORY_AGE = "X"
    TRANSPORT_NOT_AVAILABLE = "Y1"
    WIDESPREAD_TRAVEL_DISRUPTION = "Y2"
    PART_OF_PREMISES_CLOSED = "Y3"
    WHOLE_SITE_CLOSED = "Y4"
    CRIMINAL_JUSTICE_DETENTION = "Y5"
    PUBLIC_HEALTH = "Y6"
    OTHER_UNAVOIDABLE_CAUSE = "Y7"
    PART_TIME_TIMETABLE = "C2"
    EXCEPTIONAL_LEAVE = "C"
    SUSPENDED_OR_EXCLUDED_NO_PROVISION = "E"
    ILLNESS = "I"
    RELIGIOUS_OBSERVANCE = "R"
    TRAVELLING_FOR_OCCUPATION = "T"
    HOLIDAY_NOT_AGREED = "G"
    NO_REASON_YET = "N"
    OTHER_UNAUTHORISED = "O"
    LATE_AFTER_CLOSE = "U"
    NOT_YET_ON_ROLL = "Z"
    PLANNED_CLOSURE = "#"


@dataclass(frozen=True, slots=True)
class AttendanceCodeInfo:
    """How one session code counts: ``possible`` sessions are the denominator of attendance rates."""

    category: AttendanceCategory
    counts_as_attended: bool
    counts_as_possible: bool
    meaning: str


def _code(category: AttendanceCategory, meaning: str) -> AttendanceCodeInfo:
    attended = category in (AttendanceCategory.PRESENT, AttendanceCategory.APPROVED_OFF_SITE)
    possible = category is not AttendanceCategory.ADMINISTRATIVE
    return AttendanceCodeInfo(category, attended, possible, meaning)


def _not_possible(category: AttendanceCategory, meaning: str) -> AttendanceCodeInfo:
    return AttendanceCodeInfo(category, False, False, meaning)


_A = AttendanceCategory
# The national table as data: a change of regulations is a change of this table, not of code.
ATTENDANCE_CODES_VERSION = "pupil-registration-regulations-2024"
ATTENDANCE_CODES: MappingProxyType[AttendanceCode, AttendanceCodeInfo] = MappingProxyType(
    {
        AttendanceCode.PRESENT_AM: _code(_A.PRESENT, "present in the morning session"),
        AttendanceCode.PRESENT_PM: _code(_A.PRESENT, "present in the afternoon session"),
        AttendanceCode.LATE_BEFORE_CLOSE: _code(_A.PRESENT, "arrived late, before the register closed"),
        AttendanceCode.LA_ARRANGED_PROVISION: _code(
            _A.APPROVED_OFF_SITE, "attending provision arranged by the local authority"
        ),
        AttendanceCode.EDUCATIONAL_VISIT: _code(_A.APPROVED_OFF_SITE, "on an educational visit or trip"),
        AttendanceCode.SPORTING_ACTIVITY: _code(_A.APPROVED_OFF_SITE, "taking part in an approved sporting activity"),
        AttendanceCode.WORK_EXPERIENCE: _code(_A.APPROVED_OFF_SITE, "on work experience"),
        AttendanceCode.OTHER_APPROVED_ACTIVITY: _code(
            _A.APPROVED_OFF_SITE, "attending another approved educational activity off site"
        ),
        AttendanceCode.DUAL_REGISTERED: _not_possible(
            _A.APPROVED_OFF_SITE, "attending the other school where the pupil is also registered"
        ),
        AttendanceCode.REGULATED_PERFORMANCE_OR_EMPLOYMENT_ABROAD: _code(
            _A.AUTHORISED_ABSENCE, "leave for a regulated performance or for regulated employment abroad"
        ),
        AttendanceCode.MEDICAL_OR_DENTAL: _code(_A.AUTHORISED_ABSENCE, "leave for a medical or dental appointment"),
        AttendanceCode.INTERVIEW: _code(_A.AUTHORISED_ABSENCE, "leave for an interview"),
        AttendanceCode.STUDY_LEAVE: _code(_A.AUTHORISED_ABSENCE, "study leave"),
        AttendanceCode.NOT_OF_COMPULSORY_AGE: _not_possible(
            _A.AUTHORISED_ABSENCE, "not of compulsory school age and not required to attend"
        ),
        AttendanceCode.TRANSPORT_NOT_AVAILABLE: _not_possible(
            _A.AUTHORISED_ABSENCE, "usual school transport not available"
        ),
        AttendanceCode.WIDESPREAD_TRAVEL_DISRUPTION: _not_possible(
            _A.AUTHORISED_ABSENCE, "widespread disruption to travel"
        ),
        AttendanceCode.PART_OF_PREMISES_CLOSED: _not_possible(
            _A.AUTHORISED_ABSENCE, "part of the premises unexpectedly closed"
        ),
        AttendanceCode.WHOLE_SITE_CLOSED: _not_possible(_A.AUTHORISED_ABSENCE, "whole site unexpectedly closed"),
        AttendanceCode.CRIMINAL_JUSTICE_DETENTION: _not_possible(
            _A.AUTHORISED_ABSENCE, "held in criminal justice detention"
        ),
        AttendanceCode.PUBLIC_HEALTH: _not_possible(
            _A.AUTHORISED_ABSENCE, "attendance prevented by public health guidance or law"
        ),
        AttendanceCode.OTHER_UNAVOIDABLE_CAUSE: _not_possible(
            _A.AUTHORISED_ABSENCE, "another unavoidable cause prevented attendance"
        ),
        AttendanceCode.PART_TIME_TIMETABLE: _code(
            _A.AUTHORISED_ABSENCE, "not expected this session under an agreed temporary part-time timetable"
        ),
        AttendanceCode.EXCEPTIONAL_LEAVE: _code(_A.AUTHORISED_ABSENCE, "leave granted in exceptional circumstances"),
        AttendanceCode.SUSPENDED_OR_EXCLUDED_NO_PROVISION: _code(
            _A.AUTHORISED_ABSENCE, "suspended or excluded with no alternative provision arranged"
        ),
        AttendanceCode.ILLNESS: _code(_A.AUTHORISED_ABSENCE, "illness"),
        AttendanceCode.RELIGIOUS_OBSERVANCE: _code(_A.AUTHORISED_ABSENCE, "day set apart for religious observance"),
        AttendanceCode.TRAVELLING_FOR_OCCUPATION: _code(
            _A.AUTHORISED_ABSENCE, "travelling with parents for their occupation"
        ),
        AttendanceCode.HOLIDAY_NOT_AGREED: _code(_A.UNAUTHORISED_ABSENCE, "holiday not agreed by the school"),
        AttendanceCode.NO_REASON_YET: _code(_A.UNAUTHORISED_ABSENCE, "reason for absence not yet given"),
        AttendanceCode.OTHER_UNAUTHORISED: _code(_A.UNAUTHORISED_ABSENCE, "absent for another or unknown reason"),
        AttendanceCode.LATE_AFTER_CLOSE: _code(_A.UNAUTHORISED_ABSENCE, "arrived after the register closed"),
        AttendanceCode.NOT_YET_ON_ROLL: _not_possible(_A.ADMINISTRATIVE, "prospective pupil not yet on roll"),
        AttendanceCode.PLANNED_CLOSURE: _not_possible(_A.ADMINISTRATIVE, "planned whole or partial closure"),
    }
)
