"""Vocabulary of incidents and responses: categories, severity, sanctions, rewards, searches, safeguarding.

Moved from ``pupil_vocabulary.py`` (issue 10, size), which re-exports every name, so imports from it
keep working; see its docstring for the rules every closed list follows.
"""


from __future__ import annotations

from enum import IntEnum, StrEnum

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
    """What a member of staff is trained in (seed 002: physical restraint before force; seed 001 section 8 and
    seed 003 outcome 4: the LA's behaviour approach, de-escalation and positive handling, and CPD)."""

    PHYSICAL_INTERVENTION = "physical_intervention"
    SAFEGUARDING = "safeguarding"
    SEARCHING = "searching"
    BEHAVIOUR_APPROACH = "behaviour_approach"  # Steps or the LA's equivalent, named as the programme
    DE_ESCALATION = "de_escalation"  # de-escalation and positive handling techniques
    CPD = "cpd"  # continuing professional development, the course named as the programme


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
