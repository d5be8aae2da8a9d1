"""Shared vocabulary of the pupil path: enumerations, the attendance code table, field shapes.

Every closed list a pupil event uses lives here so that the incidents service, projections and
reports agree on one spelling. National lists (exclusion reason codes, attendance session codes,
census ethnicity and SEN codes) follow the codes the Department for Education publishes; local
lists (incident categories, sanctions, rewards) follow the provider policies in the seeds.

Personal fields are nullable on purpose: when a pupil's data key is destroyed every personal field
reads back as ``None`` and the event must still load. Producers always send a value (the incidents
domain refuses commands without one); ``None`` means "erased", never "not recorded".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Annotated

from pydantic import Field

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


# ----------------------------------------------------------------------------- referral to placement


class ConsultationMethod(StrEnum):
    MEETING = "meeting"
    HOME_VISIT = "home_visit"
    PHONE = "phone"
    VIDEO_CALL = "video_call"
    LETTER = "letter"


class ParentView(StrEnum):
    """What the parent or carer said about the proposed placement (they are consulted, not asked to consent)."""

    SUPPORTS = "supports"
    SUPPORTS_WITH_CONCERNS = "supports_with_concerns"
    OPPOSES = "opposes"


class EligibilityOutcome(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"


class Professional(StrEnum):
    """Who can sit at a multidisciplinary meeting."""

    HOME_SCHOOL_HEAD = "home_school_head"
    SENCO = "senco"
    CLASS_TEACHER = "class_teacher"
    PROVISION_LEAD = "provision_lead"
    EDUCATIONAL_PSYCHOLOGIST = "educational_psychologist"
    CAMHS_CLINICIAN = "camhs_clinician"
    SOCIAL_WORKER = "social_worker"
    SPEECH_AND_LANGUAGE_THERAPIST = "speech_and_language_therapist"
    OCCUPATIONAL_THERAPIST = "occupational_therapist"
    PLAY_THERAPIST = "play_therapist"
    LA_INCLUSION_OFFICER = "la_inclusion_officer"
    PARENT_OR_CARER = "parent_or_carer"
    OTHER = "other"


class AlternativeToPlacement(StrEnum):
    """Options to weigh before placing a child outside their key stage (seed 001, section 7)."""

    IN_CLASS_SUPPORT = "in_class_support"
    HYBRID_MODEL_IN_HOME_SCHOOL = "hybrid_model_in_home_school"
    SPEECH_AND_LANGUAGE_THERAPY = "speech_and_language_therapy"
    OCCUPATIONAL_THERAPY = "occupational_therapy"
    REDUCED_TIMETABLE = "reduced_timetable"
    PARENTAL_SUPPORT = "parental_support"


class TimetableKind(StrEnum):
    FULL_TIME = "full_time"
    REDUCED = "reduced"


class PlacementEndReason(StrEnum):
    """How a placement ended (domain brief section 2, steps 7 and 8)."""

    REINTEGRATED_TO_HOME_SCHOOL = "reintegrated_to_home_school"
    MANAGED_MOVE = "managed_move"
    SPECIALIST_PROVISION = "specialist_provision"
    TRANSITION_TO_SECONDARY = "transition_to_secondary"
    PERMANENTLY_EXCLUDED = "permanently_excluded"
    LEFT_AREA = "left_area"
    # The place was withdrawn after the commissioner upheld the provider's proposal.
    PLACE_WITHDRAWN = "place_withdrawn"


class ReviewOutcome(StrEnum):
    CONTINUE = "continue"
    EXTEND = "extend"
    CHANGE_TIMETABLE = "change_timetable"
    PREPARE_REINTEGRATION = "prepare_reintegration"
    END_PLACEMENT = "end_placement"


class ReducedTimetableOutcome(StrEnum):
    EXTENDED = "extended"
    INCREASED = "increased"
    RETURNED_TO_FULL_TIME = "returned_to_full_time"


class CommissionerDecision(StrEnum):
    WITHDRAWAL_UPHELD = "withdrawal_upheld"
    WITHDRAWAL_DECLINED = "withdrawal_declined"


class VisitPart(StrEnum):
    """When in the day a transition visit happens (visits should cover different points of the day)."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    FULL_DAY = "full_day"


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


# ----------------------------------------------------------------------------- incidents and responses


class IncidentCategory(StrEnum):
    PHYSICAL_AGGRESSION_TO_PUPIL = "physical_aggression_to_pupil"
    PHYSICAL_AGGRESSION_TO_ADULT = "physical_aggression_to_adult"
    VERBAL_ABUSE_TO_PUPIL = "verbal_abuse_to_pupil"
    VERBAL_ABUSE_TO_ADULT = "verbal_abuse_to_adult"
    BULLYING = "bullying"
    DISCRIMINATORY_LANGUAGE = "discriminatory_language"
    LOW_LEVEL_DISRUPTION = "low_level_disruption"
    REFUSAL_TO_FOLLOW_INSTRUCTIONS = "refusal_to_follow_instructions"
    DAMAGE_TO_PROPERTY = "damage_to_property"
    THEFT = "theft"
    LEAVING_SITE_WITHOUT_PERMISSION = "leaving_site_without_permission"
    SUBSTANCE_MISUSE = "substance_misuse"
    SMOKING_OR_VAPING = "smoking_or_vaping"
    PROHIBITED_ITEM = "prohibited_item"
    ONLINE_MISUSE = "online_misuse"
    SEXUALISED_BEHAVIOUR = "sexualised_behaviour"
    SELF_HARM = "self_harm"
    UNSAFE_BEHAVIOUR = "unsafe_behaviour"
    OTHER = "other"


class Severity(IntEnum):
    """Incident severity, 1 (low level) to 5 (critical); alert thresholds compare against it."""

    LOW_LEVEL = 1
    MODERATE = 2
    SERIOUS = 3
    VERY_SERIOUS = 4
    CRITICAL = 5


class IncidentLocation(StrEnum):
    CLASSROOM = "classroom"
    CORRIDOR = "corridor"
    OUTDOOR_AREA = "outdoor_area"
    DINING_AREA = "dining_area"
    TOILETS = "toilets"
    RECEPTION = "reception"
    OFF_SITE_ACTIVITY = "off_site_activity"
    TRANSPORT = "transport"
    ONLINE = "online"
    OTHER = "other"


class IncidentTrigger(StrEnum):
    TRANSITION_BETWEEN_ACTIVITIES = "transition_between_activities"
    TASK_DEMAND = "task_demand"
    PEER_CONFLICT = "peer_conflict"
    ADULT_INSTRUCTION = "adult_instruction"
    SENSORY_OVERLOAD = "sensory_overload"
    UNSTRUCTURED_TIME = "unstructured_time"
    CHANGE_OF_ROUTINE = "change_of_routine"
    EVENT_AT_HOME = "event_at_home"
    NOT_KNOWN = "not_known"
    OTHER = "other"


class SanctionType(StrEnum):
    """Responses a provider may use (seed 002). Sending a pupil home is not one: that is an unlawful
    informal exclusion, and only the home school head can exclude."""

    VERBAL_WARNING = "verbal_warning"
    REWARD_SLIP_WITHHELD = "reward_slip_withheld"
    REFLECTION_WITH_KEYWORKER = "reflection_with_keyworker"
    STAY_BEHIND_TO_FINISH_WORK = "stay_behind_to_finish_work"
    PRACTICAL_ACTIVITY_POSTPONED = "practical_activity_postponed"
    WEEKLY_SCORE_REDUCED = "weekly_score_reduced"
    RESTORATIVE_MEETING = "restorative_meeting"
    PARENT_OR_SCHOOL_MEETING = "parent_or_school_meeting"
    TIME_AWAY_FROM_GROUP = "time_away_from_group"
    REFERRED_TO_MANAGER = "referred_to_manager"


class RewardKind(StrEnum):
    REWARD_SLIP = "reward_slip"
    POINTS = "points"
    CERTIFICATE = "certificate"
    POSTCARD = "postcard"
    POSITIVE_CALL_HOME = "positive_call_home"


class KeyworkerFocus(StrEnum):
    REFLECTION_ON_BEHAVIOUR = "reflection_on_behaviour"
    ANGER_AWARENESS = "anger_awareness"
    CONFLICT_RESOLUTION = "conflict_resolution"
    SOCIAL_SKILLS = "social_skills"
    WELLBEING = "wellbeing"
    TARGET_SETTING = "target_setting"
    REINTEGRATION_PLANNING = "reintegration_planning"
    OTHER = "other"


class ForceReason(StrEnum):
    """Why reasonable force was used: only to prevent harm or serious damage, as a last resort."""

    PREVENT_HARM_TO_SELF = "prevent_harm_to_self"
    PREVENT_HARM_TO_OTHERS = "prevent_harm_to_others"
    PREVENT_SERIOUS_DAMAGE_TO_PROPERTY = "prevent_serious_damage_to_property"


class TrainingKind(StrEnum):
    PHYSICAL_INTERVENTION = "physical_intervention"
    SAFEGUARDING = "safeguarding"
    SEARCHING = "searching"


class ProhibitedItem(StrEnum):
    """Items staff may search for (DfE searching, screening and confiscation, 2022)."""

    KNIFE_OR_WEAPON = "knife_or_weapon"
    ALCOHOL = "alcohol"
    CONTROLLED_DRUG = "controlled_drug"
    STOLEN_ITEM = "stolen_item"
    TOBACCO_OR_CIGARETTE_PAPERS = "tobacco_or_cigarette_papers"
    FIREWORK = "firework"
    PORNOGRAPHIC_IMAGE = "pornographic_image"
    ARTICLE_FOR_OFFENCE_OR_HARM = "article_for_offence_or_harm"
    BANNED_BY_SCHOOL_RULES = "banned_by_school_rules"


class SearchWitnessRole(StrEnum):
    """The role of an adult from outside the provision's staff who witnessed a search (DfE searching guidance:
    a second adult, normally staff; the role says why this adult could stand in)."""

    POLICE_OFFICER = "police_officer"
    HOME_SCHOOL_STAFF = "home_school_staff"
    SOCIAL_WORKER = "social_worker"
    AGENCY_STAFF = "agency_staff"
    YOUTH_WORKER = "youth_worker"


class ItemDisposal(StrEnum):
    RETAINED = "retained"
    RETURNED = "returned"
    DISPOSED = "disposed"
    HANDED_TO_POLICE = "handed_to_police"


class SafeguardingCategory(StrEnum):
    PHYSICAL_ABUSE = "physical_abuse"
    EMOTIONAL_ABUSE = "emotional_abuse"
    SEXUAL_ABUSE = "sexual_abuse"
    NEGLECT = "neglect"
    CHILD_ON_CHILD_ABUSE = "child_on_child_abuse"
    SEXUAL_EXPLOITATION = "sexual_exploitation"
    CRIMINAL_EXPLOITATION = "criminal_exploitation"
    DOMESTIC_ABUSE = "domestic_abuse"
    RADICALISATION = "radicalisation"
    ONLINE_SAFETY = "online_safety"
    SELF_HARM = "self_harm"
    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_MISUSE = "substance_misuse"
    FEMALE_GENITAL_MUTILATION = "female_genital_mutilation"
    MISSING_EDUCATION = "missing_education"
    OTHER = "other"


class Agency(StrEnum):
    CAMHS = "camhs"
    EDUCATIONAL_PSYCHOLOGY = "educational_psychology"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    EARLY_HELP = "early_help"
    SCHOOL_NURSING = "school_nursing"
    SPEECH_AND_LANGUAGE = "speech_and_language"
    OCCUPATIONAL_THERAPY = "occupational_therapy"
    EDUCATION_WELFARE = "education_welfare"
    BEHAVIOUR_INCLUSION_SUPPORT = "behaviour_inclusion_support"
    TARGETED_YOUTH_SERVICE = "targeted_youth_service"
    YOUTH_JUSTICE = "youth_justice"
    DRUG_AND_ALCOHOL_SERVICE = "drug_and_alcohol_service"
    POLICE = "police"
    OTHER = "other"


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
