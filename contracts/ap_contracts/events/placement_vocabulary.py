"""Vocabulary of referral to placement: consultation, eligibility, professionals, timetables, endings and reviews.

Moved from ``pupil_vocabulary.py`` (issue 10, size), which re-exports every name, so imports from it
keep working; see its docstring for the rules every closed list follows.
"""


from __future__ import annotations

from enum import StrEnum

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
