"""The base of every command of the pupil path, and the field types commands share.

Each command model lives in its theme module (``domain/themes/``), beside its decider and declaration.

Every command carries a client-chosen ``command_id``: sending the same command again (a retry after
a timeout) records nothing new. Commands hold only what the caller knows; facts the pupil record
already holds (the learner's sex, the home school, the academic year) are filled in by ``decide``.
Narratives are plain strings here; ``decide`` refuses blank ones where a rule needs them, and the
events it produces mark them personal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, ConfigDict, Field, StrictInt

from ap_contracts.events.pupil_vocabulary import (
    ExclusionReason,
)
from ap_contracts.text import TextGuardedModel

Text = Annotated[str, Field(max_length=10_000)]
LongText = Annotated[str, Field(max_length=20_000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
PositiveInt = Annotated[StrictInt, Field(ge=1)]
Minutes = Annotated[StrictInt, Field(ge=1, le=24 * 60)]
Percent = Annotated[int, Field(ge=0, le=100)]
FurtherReasons = Annotated[tuple[ExclusionReason, ...], Field(max_length=2)]



def _plausible_moment(moment: datetime) -> datetime:
    """A record's time must be a real school-era moment (year 1900-2199), not a calendar extreme."""
    if not 1900 <= moment.year <= 2199:
        raise ValueError("must be between the years 1900 and 2199")
    return moment


RecordedMoment = Annotated[AwareDatetime, AfterValidator(_plausible_moment)]

class Command(TextGuardedModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    command_id: UUID = Field(description="Chosen by the client; a retried command records nothing new")


class PupilCommand(Command):
    pupil_ref: UUID


class PlacementCommand(PupilCommand):
    placement_id: UUID
