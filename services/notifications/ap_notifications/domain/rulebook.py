"""The lists and numbers behind the alert rules, as configuration with defaults (BRIEF.md section 5).

Thresholds themselves are agreed per placement and travel in the placement's events; what is
here is local policy that applies to every placement: which search finds go to the DSL, which
rewards are worth a message home, how much attendance history a rate needs before it can alert,
the safeguarding file transfer deadline (KCSIE: 5 school days), which absences are told the same day,
the statutory suspension counts (DfE suspension guidance), the overdue-work periods and how recent the event an
alert is decided from must be for the alert to be sent (issue 14).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ap_contracts.events.pupil_vocabulary import AttendanceCategory, PlacementEndReason, ProhibitedItem, RewardKind


class AlertRuleBook(BaseModel):
    """Configuration of the alert rules; change ``version`` whenever a value changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # alerts-2026.3 (issue 14): alerts decided from an event are sent only while the event is recent (below), so a
    # rebuild or a new deployment reading the topic from its beginning never messages anyone about the past.
    # alerts-2026.2 (issue 14): same-day absence notices, parents told of force and finds, suspension and
    # exclusion points, overdue work escalated to the owner's manager.
    # alerts-2026.1 (issue 13): the transfer's school days are the receiving setting's calendar's
    # (half terms, INSET days, bank holidays), no longer weekdays; alerts-2025.1 counted weekdays.
    version: str = Field(default="alerts-2026.3", min_length=1, max_length=60)

    # BRIEF.md section 5: the DSL hears of every drug or weapon found in a search.
    dsl_search_items: frozenset[ProhibitedItem] = frozenset(
        {ProhibitedItem.CONTROLLED_DRUG, ProhibitedItem.KNIFE_OR_WEAPON}
    )
    # Parents hear of rewards achieved; a reward slip per session would be noise, a certificate is news.
    parent_reward_kinds: frozenset[RewardKind] = frozenset({RewardKind.CERTIFICATE, RewardKind.POSTCARD})
    # An attendance rate over one or two sessions says nothing: wait for a school week of marks.
    attendance_min_possible_sessions: int = Field(default=10, ge=1)

    # KCSIE: the child-protection file reaches the new setting's DSL within 5 of its school days.
    transfer_school_days: int = Field(default=5, ge=1)
    # Placement endings where the pupil goes on to another setting whose DSL must receive the file.
    transfer_end_reasons: frozenset[PlacementEndReason] = frozenset(
        {
            PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL,
            PlacementEndReason.MANAGED_MOVE,
            PlacementEndReason.SPECIALIST_PROVISION,
            PlacementEndReason.TRANSITION_TO_SECONDARY,
        }
    )

    # Issue 14, same day: a morning mark in these categories reaches the home school and the commissioner the day
    # it is recorded. Unauthorised absence only: an authorised one (illness, a part-time timetable) was arranged.
    # No SLA records a reporting time yet, so the notice goes when the mark is read, at high priority.
    same_day_absence_categories: frozenset[AttendanceCategory] = frozenset({AttendanceCategory.UNAUTHORISED_ABSENCE})

    # DfE suspension guidance: the governing board must meet over 15 school days of suspension in a term; at most
    # 45 school days in an academic year, and the head and the LA are warned when the year's total reaches 40.
    governors_meet_over_school_days: int = Field(default=15, ge=1)
    suspension_year_cap_school_days: int = Field(default=45, ge=1)
    suspension_cap_warning_school_days: int = Field(default=40, ge=1)

    # Issue 14, overdue work: the owner is told the day after the due date; if still overdue this many days after
    # that, the owner's manager is told as well.
    overdue_manager_after_days: int = Field(default=5, ge=1)
    # DfE Fair Access Protocols: a child is offered a school place within 20 school days of being without one;
    # counted here in weekdays (every school day is one, so the alert is never later than the school-day count).
    fair_access_school_days: int = Field(default=20, ge=1)

    # Issue 14, never about the past: an alert decided from an event is sent only while the event was recorded at
    # most this many days before now; an older cause is history (``domain/recency.py``). A week covers a worker
    # that was down over a half-term weekend; anything older is read again only by a rebuild or a new deployment,
    # and a rule added since must not message parents, heads and the LA about months-old events.
    recent_cause_days: int = Field(default=7, ge=0)
    # Rules whose harm in missing outweighs the staleness of a late message: a DSL still needs to know.
    recent_cause_days_by_rule: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=lambda: {
        "safeguarding_concern": 14, "drug_or_weapon_found": 14, "break_glass_access": 14,
        "safeguarding_file_offered": 14})
    # Notices whose whole point is the same day: sent only on the day (England) their cause was recorded.
    same_day_only_rules: frozenset[str] = frozenset(
        {"absence_same_day", "physical_intervention_parents", "search_find_parents", "pupil_sent_home"})


DEFAULT_RULE_BOOK = AlertRuleBook()
