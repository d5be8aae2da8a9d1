"""Shared vocabulary of the pupil path: enumerations, the attendance code table, field shapes.

Every closed list a pupil event uses lives here so that the incidents service, projections and
reports agree on one spelling. National lists (exclusion reason codes, attendance session codes,
census ethnicity and SEN codes) follow the codes the Department for Education publishes; local
lists (incident categories, sanctions, rewards) follow the provider policies in the seeds.

Personal fields are nullable on purpose: when a pupil's data key is destroyed every personal field
reads back as ``None`` and the event must still load. Producers always send a value (the incidents
domain refuses commands without one); ``None`` means "erased", never "not recorded".

The lists of referral to placement, attendance and incidents live in ``placement_vocabulary``,
``attendance_vocabulary`` and ``incident_vocabulary`` (issue 10, size); every name is re-exported here.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated

from pydantic import Field

from ap_contracts.events.attendance_vocabulary import (
    ATTENDANCE_CODES,
    ATTENDANCE_CODES_VERSION,
    AttendanceCategory,
    AttendanceCode,
    AttendanceCodeInfo,
    Session,
)
from ap_contracts.events.incident_vocabulary import (
    Agency,
    ForceReason,
    IncidentCategory,
    IncidentLocation,
    IncidentTrigger,
    ItemDisposal,
    KeyworkerFocus,
    ProhibitedItem,
    RewardKind,
    SafeguardingCategory,
    SanctionType,
    SearchWitnessRole,
    Severity,
    TrainingKind,
)
from ap_contracts.events.placement_vocabulary import (
    AlternativeToPlacement,
    CommissionerDecision,
    ConsultationMethod,
    EligibilityOutcome,
    ParentView,
    PlacementEndReason,
    Professional,
    ReducedTimetableOutcome,
    ReviewOutcome,
    TimetableKind,
    VisitPart,
)
from ap_contracts.personal import Personal, RecordClass

# ----------------------------------------------------------------------------- field shapes

OrganisationId = Annotated[str, Field(min_length=1, max_length=200)]
RuleVersion = Annotated[
    str, Field(min_length=1, max_length=60, description="Version of the rule book the event was checked against")
]
ShortLabel = Annotated[str, Field(min_length=1, max_length=200)]

_ERASED = "None only after the pupil's data key was erased"

BehaviourText = Annotated[
    str | None, Personal(RecordClass.BEHAVIOUR), Field(max_length=10_000, description=_ERASED)
]
ExclusionText = Annotated[
    str | None, Personal(RecordClass.EXCLUSION), Field(max_length=10_000, description=_ERASED)
]
SafeguardingText = Annotated[
    str | None, Personal(RecordClass.SAFEGUARDING), Field(max_length=20_000, description=_ERASED)
]
SenHealthNote = Annotated[
    str | None, Personal(RecordClass.SEN_HEALTH), Field(max_length=10_000, description=_ERASED)
]
FamilyContactNote = Annotated[
    str | None, Personal(RecordClass.FAMILY_CONTACT), Field(max_length=500, description=_ERASED)
]
IdentityText = Annotated[
    str | None, Personal(RecordClass.PUPIL_IDENTITY), Field(max_length=200, description=_ERASED)
]
# Staff are named in a pupil's record only by their platform staff ids; the ids still say who was
# with which child in an incident, so they are behaviour-class personal data of the pupil.
StaffIds = Annotated[
    tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] | None,
    Personal(RecordClass.BEHAVIOUR),
    Field(description=_ERASED),
]
StaffIdText = Annotated[
    str | None, Personal(RecordClass.BEHAVIOUR), Field(max_length=200, description=_ERASED)
]


# ----------------------------------------------------------------------------- the pupil


class Sex(StrEnum):
    """Sex as recorded in the school census."""

    FEMALE = "female"
    MALE = "male"


class YearGroup(StrEnum):
    """National curriculum year group (reception to year 13)."""

    RECEPTION = "R"
    Y1 = "1"
    Y2 = "2"
    Y3 = "3"
    Y4 = "4"
    Y5 = "5"
    Y6 = "6"
    Y7 = "7"
    Y8 = "8"
    Y9 = "9"
    Y10 = "10"
    Y11 = "11"
    Y12 = "12"
    Y13 = "13"


class KeyStage(StrEnum):
    EYFS = "EYFS"
    KS1 = "KS1"
    KS2 = "KS2"
    KS3 = "KS3"
    KS4 = "KS4"
    KS5 = "KS5"


_KEY_STAGE_OF_YEAR: MappingProxyType[YearGroup, KeyStage] = MappingProxyType(
    {
        YearGroup.RECEPTION: KeyStage.EYFS,
        YearGroup.Y1: KeyStage.KS1,
        YearGroup.Y2: KeyStage.KS1,
        YearGroup.Y3: KeyStage.KS2,
        YearGroup.Y4: KeyStage.KS2,
        YearGroup.Y5: KeyStage.KS2,
        YearGroup.Y6: KeyStage.KS2,
        YearGroup.Y7: KeyStage.KS3,
        YearGroup.Y8: KeyStage.KS3,
        YearGroup.Y9: KeyStage.KS3,
        YearGroup.Y10: KeyStage.KS4,
        YearGroup.Y11: KeyStage.KS4,
        YearGroup.Y12: KeyStage.KS5,
        YearGroup.Y13: KeyStage.KS5,
    }
)


def key_stage_of(year_group: YearGroup) -> KeyStage:
    """The key stage a year group belongs to (reception counts as the early years stage)."""
    return _KEY_STAGE_OF_YEAR[year_group]


class SenStatus(StrEnum):
    """SEN provision as coded in the school census."""

    NONE = "N"
    SEN_SUPPORT = "K"
    EHCP = "E"


class Ethnicity(StrEnum):
    """Main ethnicity codes of the school census (special category data)."""

    WHITE_BRITISH = "WBRI"
    WHITE_IRISH = "WIRI"
    TRAVELLER_OF_IRISH_HERITAGE = "WIRT"
    GYPSY_ROMA = "WROM"
    ANY_OTHER_WHITE = "WOTH"
    WHITE_AND_BLACK_CARIBBEAN = "MWBC"
    WHITE_AND_BLACK_AFRICAN = "MWBA"
    WHITE_AND_ASIAN = "MWAS"
    ANY_OTHER_MIXED = "MOTH"
    INDIAN = "AIND"
    PAKISTANI = "APKN"
    BANGLADESHI = "ABAN"
    ANY_OTHER_ASIAN = "AOTH"
    BLACK_CARIBBEAN = "BCRB"
    BLACK_AFRICAN = "BAFR"
    ANY_OTHER_BLACK = "BOTH"
    CHINESE = "CHNE"
    ANY_OTHER_ETHNIC_GROUP = "OOTH"
    REFUSED = "REFU"
    NOT_YET_OBTAINED = "NOBT"


# ----------------------------------------------------------------------------- exclusion from school


class ExclusionReason(StrEnum):
    """School census exclusion reason codes (one primary reason, up to two further)."""

    PHYSICAL_ASSAULT_PUPIL = "PP"
    PHYSICAL_ASSAULT_ADULT = "PA"
    VERBAL_ABUSE_PUPIL = "VP"
    VERBAL_ABUSE_ADULT = "VA"
    BULLYING = "BU"
    RACIST_ABUSE = "RA"
    SEXUAL_ORIENTATION_GENDER_IDENTITY_ABUSE = "LG"
    DISABILITY_ABUSE = "DS"
    SEXUAL_MISCONDUCT = "SM"
    DRUG_AND_ALCOHOL = "DA"
    DAMAGE_TO_PROPERTY = "DM"
    THEFT = "TH"
    SOCIAL_MEDIA_OR_ONLINE_MISUSE = "MT"
    OFFENSIVE_WEAPON_OR_PROHIBITED_ITEM = "OW"
    DISRUPTIVE_BEHAVIOUR = "DB"
    PUBLIC_HEALTH_MEASURES = "PH"
    OTHER = "OT"


# Codes found in older census returns, mapped to today's list ("persistent disruptive behaviour").
LEGACY_EXCLUSION_REASON_CODES: MappingProxyType[str, ExclusionReason] = MappingProxyType(
    {"PD": ExclusionReason.DISRUPTIVE_BEHAVIOUR}
)


def exclusion_reason_from_code(code: str) -> ExclusionReason:
    """Read a census reason code, current or legacy; raises ValueError for anything else."""
    upper = code.strip().upper()
    legacy = LEGACY_EXCLUSION_REASON_CODES.get(upper)
    return legacy if legacy is not None else ExclusionReason(upper)


AcademicYear = Annotated[
    str, Field(pattern=r"^\d{4}/\d{2}$", description="Academic year such as '2024/25' (1 August to 31 July)")
]


def academic_year_of(day: date, start_month: int = 8) -> str:
    """The academic year a date falls in, written '2024/25'; years start on the 1st of ``start_month``."""
    first = day.year if day.month >= start_month else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


__all__ = [
    "ATTENDANCE_CODES", "ATTENDANCE_CODES_VERSION", "LEGACY_EXCLUSION_REASON_CODES", "AcademicYear", "Agency",
    "AlternativeToPlacement", "AttendanceCategory", "AttendanceCode", "AttendanceCodeInfo", "BehaviourText",
    "CommissionerDecision", "ConsultationMethod", "EligibilityOutcome", "Ethnicity", "ExclusionReason",
    "ExclusionText", "FamilyContactNote", "ForceReason", "IdentityText", "IncidentCategory", "IncidentLocation",
    "IncidentTrigger", "ItemDisposal", "KeyStage", "KeyworkerFocus", "OrganisationId", "ParentView",
    "PlacementEndReason", "Professional", "ProhibitedItem", "ReducedTimetableOutcome", "ReviewOutcome", "RewardKind",
    "RuleVersion", "SafeguardingCategory", "SafeguardingText", "SanctionType", "SearchWitnessRole", "SenHealthNote",
    "SenStatus", "Session", "Severity", "Sex", "ShortLabel", "StaffIdText", "StaffIds", "TimetableKind",
    "TrainingKind", "VisitPart", "YearGroup", "academic_year_of", "exclusion_reason_from_code", "key_stage_of",
]
