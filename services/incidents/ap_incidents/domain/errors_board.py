"""Refusals of recording a governing board's decision on an exclusion (issue 16): the board decides once on a
standing exclusion, after it was made, having told the parents of their right to an independent review.

Re-exported by ``errors``, as the other refusal modules are.
"""

from __future__ import annotations

from ap_incidents.domain.errors_base import ConflictsWithRecord, InvalidCommand


class BoardCaseUnknown(InvalidCommand):
    """No suspension or permanent exclusion of this pupil by that id that the board must consider."""

    rule_id = "board_decision.exclusion_exists"


class ExclusionWithdrawn(ConflictsWithRecord):
    """The exclusion was withdrawn in error: there is nothing left for the board to decide."""

    rule_id = "board_decision.exclusion_standing"


class BoardAlreadyDecided(ConflictsWithRecord):
    """The board already reinstated the pupil or upheld the exclusion: one decision per exclusion."""

    rule_id = "board_decision.once"


class IndependentReviewNotExplained(InvalidCommand):
    """An upheld exclusion is recorded once the parents were told of their right to an independent review."""

    rule_id = "board_decision.parents_told_of_review"


class SuspensionNotBeforeBoard(ConflictsWithRecord):
    """The board reinstates a suspension only when it had to consider it: one taking the pupil over 5 school days
    in a term on the home school's calendar (or counted without a calendar, when the board may have met)."""

    rule_id = "board_decision.suspension_before_board"
