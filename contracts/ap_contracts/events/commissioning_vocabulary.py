"""The commissioning contracts' vocabulary: ``CommissioningEvent``, the base of every commissioning event,
and the words the commissioning events share (issue 13).

The commissioning service holds no personal data: a child is named only by the pseudonymous
``pupil_ref`` (UUID), and free-text fields (evidence, reasons, criteria) must never name a pupil, so
``pii_subject_field`` stays None and nothing is sealed. Events of the provider self-audit are in
``events/commissioning_quality.py``; panels, referrals, Fair Access and the Children Outside of School
Panel in ``events/commissioning_panels.py``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from ap_contracts.events.base import DomainEvent
from ap_contracts.topics import COMMISSIONING_EVENTS

AcademicYear = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}$",
          description="Academic year as the school-days calendar writes it (1 September to 31 August): '2026-27'"),
]
UserId = Annotated[str, Field(min_length=1, max_length=200)]
ShortText = Annotated[str, Field(min_length=1, max_length=200, description="Must not name a pupil")]
LongText = Annotated[str, Field(max_length=4000, description="Must not name a pupil")]


class Phase(StrEnum):
    """The phase of education a place or a referral is for (seed 003, 3.2: places by phase)."""

    PRIMARY = "primary"
    SECONDARY = "secondary"


class CommissioningEvent(DomainEvent):
    """Base of every commissioning event; no pupil data beyond the pseudonymous ``pupil_ref``."""

    topic: ClassVar[str] = COMMISSIONING_EVENTS
