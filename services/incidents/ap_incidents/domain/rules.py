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
    YearGroup,
)


class RuleBook(BaseModel):
    """The numbers and lists behind the rules, with the national defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # england-2026.1 (issue 13): "half-termly" reviews are read on the provision's school calendar
    # (reviews_by_half_term); england-2025.2 allowed a fixed max_days_between_reviews.
    version: str = Field(default="england-2026.1", min_length=1, max_length=60)

    # DfE suspension guidance: at most 45 school days of suspension per pupil per academic year.
    suspension_cap_school_days: int = Field(default=45, ge=1)
    # Academic years run 1 August to 31 July in DfE exclusion statistics.
    academic_year_start_month: int = Field(default=8, ge=1, le=12)

    # Provider policy (seed 002): a saved-for reward item costs at most £30.
    reward_item_max_pence: int = Field(default=3000, ge=0)

    # Seed 001 section 16: at least three visits to the secondary school, for Year 6 pupils.
    min_transition_visits: int = Field(default=3, ge=1)
    transition_year_group: YearGroup = YearGroup.Y6

    # Part-time timetables are time limited (DfE attendance guidance); the limit itself is local.
    reduced_timetable_max_review_days: int = Field(default=42, ge=1)
    # AP statutory guidance: placements reviewed at least half-termly. With a recorded school calendar
    # the next review is due by the last school day of the next half term (domain/review_interval.py);
    # without one, or with reviews_by_half_term off (the england-2025.2 reading), within this many days.
    reviews_by_half_term: bool = True
    max_days_between_reviews: int = Field(default=56, ge=1)

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
