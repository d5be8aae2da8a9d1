"""Statutory and local numbers the pupil-path rules use, as configuration with defaults.

Guidance changes (STATUTORY.md): every number here can be overridden, and each event checked
against one records ``version`` so the value that applied stays known. Change the version
whenever a value changes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ap_contracts.events.pupil_vocabulary import (
    ATTENDANCE_CODES_VERSION,
    Agency,
    PlacementEndReason,
    ProhibitedItem,
    TrainingKind,
    YearGroup,
)


class RuleBook(BaseModel):
    """The numbers and lists behind the rules, with the national defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # england-2026.2 (issue 13): a reduced timetable's review limit is counted in the provision's school days
    # where its calendar is recorded; suspensions are totalled per term and their sixth school day named on
    # the home school's calendar; force needs the training kinds named here. england-2026.1: "half-termly"
    # reviews are read on the provision's school calendar (reviews_by_half_term); england-2025.2 allowed a
    # fixed max_days_between_reviews.
    version: str = Field(default="england-2026.2", min_length=1, max_length=60)

    # DfE suspension guidance: at most 45 school days of suspension per pupil per academic year.
    suspension_cap_school_days: int = Field(default=45, ge=1)
    # DfE suspension guidance, per term, counted on the home school's calendar (issue 13, england-2026.2): a
    # term total over 5 school days is told to the LA and governors at once and the board considers
    # representations; over 15 the board must meet. From the sixth school day of a suspension the school
    # arranges full-time education.
    suspension_term_told_at_once_over_days: int = Field(default=5, ge=1)
    suspension_term_governors_meet_over_days: int = Field(default=15, ge=1)
    suspension_provision_from_school_day: int = Field(default=6, ge=2)
    # DfE guidance: the governing board considers a permanent exclusion, or suspensions over the meeting
    # threshold, within 15 school days of being told (read only by the LA's list of exclusions awaiting it).
    governors_consider_within_school_days: int = Field(default=15, ge=1)
    # Academic years run 1 August to 31 July in DfE exclusion statistics.
    academic_year_start_month: int = Field(default=8, ge=1, le=12)

    # Provider policy (seed 002): a saved-for reward item costs at most £30.
    reward_item_max_pence: int = Field(default=3000, ge=0)

    # Provider policy (seed 002 section 5.1, issue 14): the scale keyworkers score engagement on, per session or
    # per day. Added to england-2026.2 without changing any earlier number (no engagement event predates it).
    engagement_score_min: int = Field(default=0, ge=0, le=100)
    engagement_score_max: int = Field(default=5, ge=1, le=100)

    # Seed 001 section 16: at least three visits to the secondary school, for Year 6 pupils.
    min_transition_visits: int = Field(default=3, ge=1)
    transition_year_group: YearGroup = YearGroup.Y6

    # Part-time timetables are time limited (DfE attendance guidance); the limit itself is local.
    reduced_timetable_max_review_days: int = Field(default=42, ge=1)  # where no school calendar is recorded
    # england-2026.2: with the provision's calendar recorded, within this many of its school days (six weeks).
    reduced_timetable_max_review_school_days: int = Field(default=30, ge=1)
    # AP statutory guidance: placements reviewed at least half-termly. With a recorded school calendar
    # the next review is due by the last school day of the next half term (domain/review_interval.py);
    # without one, or with reviews_by_half_term off (the england-2025.2 reading), within this many days.
    reviews_by_half_term: bool = True
    max_days_between_reviews: int = Field(default=56, ge=1)

    # Training that gates (issue 13; seed 002: physical restraint training before any physical intervention;
    # seed 001 section 8, seed 003 outcome 4): the kinds force needs on the day (an expired or revoked
    # training does not count), the kinds recorded only with their expiry (refreshed), and the kinds that
    # name their programme (Steps or the LA's equivalent; a CPD course).
    training_required_for_force: frozenset[TrainingKind] = frozenset({TrainingKind.PHYSICAL_INTERVENTION})
    training_kinds_that_expire: frozenset[TrainingKind] = frozenset(
        {TrainingKind.BEHAVIOUR_APPROACH, TrainingKind.DE_ESCALATION})
    training_kinds_naming_programme: frozenset[TrainingKind] = frozenset(
        {TrainingKind.BEHAVIOUR_APPROACH, TrainingKind.CPD})

    # DfE searching guidance: weapons, controlled drugs and stolen items are delivered to police.
    items_for_police: frozenset[ProhibitedItem] = frozenset(
        {ProhibitedItem.KNIFE_OR_WEAPON, ProhibitedItem.CONTROLLED_DRUG, ProhibitedItem.STOLEN_ITEM}
    )
    # Retained or disposed of, never handed back to the learner.
    items_never_returned: frozenset[ProhibitedItem] = frozenset(
        {ProhibitedItem.ALCOHOL, ProhibitedItem.TOBACCO_OR_CIGARETTE_PAPERS, ProhibitedItem.FIREWORK}
    )

    # Seed 001 section 15: parents' permission before involving external services, except where
    # the referral is itself a safeguarding or police matter.
    agencies_without_parent_permission: frozenset[Agency] = frozenset(
        {Agency.CHILDRENS_SOCIAL_CARE, Agency.POLICE}
    )

    # A multidisciplinary meeting brings different professions together: at least this many (seed 001, s.7).
    min_meeting_professions: int = Field(default=2, ge=2)

    # Ending a place (seed 000: a provider never withdraws a place alone). The provider gives alone only
    # reasons resting on another party's recorded decision: the commissioner's upheld withdrawal, the home
    # school head's permanent exclusion, a Year 6 transition plan. A reintegration needs the home school's
    # confirmation that it takes the pupil back; every other reason goes through the commissioner.
    # (england-2025.2 added these and the meeting rule.)
    provider_end_reasons: frozenset[PlacementEndReason] = frozenset({
        PlacementEndReason.PLACE_WITHDRAWN, PlacementEndReason.PERMANENTLY_EXCLUDED,
        PlacementEndReason.TRANSITION_TO_SECONDARY,
    })
    end_reasons_confirmed_by_home_school: frozenset[PlacementEndReason] = frozenset(
        {PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL}
    )

    attendance_codes_version: str = ATTENDANCE_CODES_VERSION

    @property
    def suspension_cap_half_days(self) -> int:
        return self.suspension_cap_school_days * 2


DEFAULT_RULES = RuleBook()
