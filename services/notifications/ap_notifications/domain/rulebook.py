"""The lists and numbers behind the alert rules, as configuration with defaults (BRIEF.md section 5).

Thresholds themselves are agreed per placement and travel in the placement's events; what is
here is local policy that applies to every placement: which search finds go to the DSL, which
rewards are worth a message home, how much attendance history a rate needs before it can alert,
and the safeguarding file transfer deadline (KCSIE: 5 school days).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ap_contracts.events.pupil_vocabulary import PlacementEndReason, ProhibitedItem, RewardKind


class AlertRuleBook(BaseModel):
    """Configuration of the alert rules; change ``version`` whenever a value changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # alerts-2026.1 (issue 13): the transfer's school days are the receiving setting's calendar's
    # (half terms, INSET days, bank holidays), no longer weekdays; alerts-2025.1 counted weekdays.
    version: str = Field(default="alerts-2026.1", min_length=1, max_length=60)

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


DEFAULT_RULE_BOOK = AlertRuleBook()
