"""What may be corrected, by whom, and which fields an amendment may touch: the shape of one event's rule.

Each theme module states, per event it emits, its ``Correction`` (``EventRule.correction``);
``domain/declarations.py`` gathers them by event type for the corrections theme. An amendment never
changes a field the pupil record's rules read (a slip count, a suspension's days, a placement's dates):
those fields are ``locked`` and such entries are withdrawn in error and recorded again, so the rules are
checked afresh. Identity fields and rule versions never change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the pupil record's types import nothing from here; kept out of the import cycle
    from pydantic import JsonValue

    from ap_incidents.domain.context import DecisionContext
    from ap_incidents.domain.state import PupilRecord, RecordEntry

    AmendmentCheck = Callable[[Mapping[str, JsonValue], RecordEntry, PupilRecord, DecisionContext], None]

IDENTITY_FIELDS = frozenset({
    "pupil_ref", "record_id", "placement_id", "referral_id", "incident_id", "proposal_id", "concern_id",
    "exclusion_record_id", "rule_version",
})


class Corrector(Enum):
    """Who may correct an entry: whoever could have made it."""

    PROVIDER = "provider"
    COMMISSIONER = "commissioner"
    HOME_SCHOOL_HEAD = "home_school_head"
    HOME_SCHOOL = "home_school"
    PLACEMENT_PARTY = "placement_party"


@dataclass(frozen=True, slots=True)
class Correction:
    """How one kind of entry is corrected.

    ``corrector``: by default any party to the placement, or the home school before a placement exists.
    ``locked``: fields an amendment may not change, besides the identity fields. ``withdrawable``: whether
    it may be withdrawn in error (registration, the referral chain and a placement's start and end shape
    everything after them; they are amended, or superseded by a new decision). ``correctable``: False for
    corrections themselves (a wrong correction is answered by another correction of the original entry).
    ``amendment_check``: the rules an amended value must meet that the type alone does not state (a board's
    meeting day against its exclusion and today), given the checked values by field name.
    """

    corrector: Corrector = Corrector.PLACEMENT_PARTY
    locked: frozenset[str] = frozenset()
    withdrawable: bool = False
    correctable: bool = True
    amendment_check: AmendmentCheck | None = None

    @property
    def locked_fields(self) -> frozenset[str]:
        return IDENTITY_FIELDS | self.locked


NOT_CORRECTABLE = Correction(correctable=False)
