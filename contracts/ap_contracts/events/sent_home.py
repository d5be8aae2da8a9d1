"""v1 event of a pupil sent home from the provision for the rest of a day (issue 14; seed 002 appendices 2 and 3).

Seed 002: a learner under the influence (or suspected to be) is isolated and their parents called to collect
them, and a learner who refuses a search is not let in; in both cases the Attendance Officer is told of this
unauthorised absence, which is not an exclusion (STATUTORY.md: only a head teacher excludes, and sending a pupil
home as an informal exclusion is unlawful). The record says when, from which session, and why, as a code; no
narrative, so nothing here is personal beyond the pupil's pseudonymous reference.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from ap_contracts.events.placements import PlacementEvent
from ap_contracts.events.pupil_vocabulary import RuleVersion, Session


class SentHomeReason(StrEnum):
    """The seed's two occasions, and any other the provision records (its policy names which)."""

    SUSPECTED_UNDER_INFLUENCE = "suspected_under_influence"  # seed 002 appendix 2: parents collect
    REFUSED_SEARCH = "refused_search"  # seed 002 appendix 3: not let in after refusing a search
    OTHER = "other"


class SentHomeRecorded(PlacementEvent):
    """The pupil left the provision for the rest of the day from ``from_session``: an unauthorised absence."""

    event_type: ClassVar[str] = "SentHomeRecorded"

    sent_on: date
    from_session: Session
    reason: SentHomeReason
    collected_by_parent: bool
    rule_version: RuleVersion
