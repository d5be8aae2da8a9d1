"""v1 events of the register of organisations (stream ``organisation-<organisation_id>``).

Access to a pupil rests on stored facts about organisations, never on what a caller types: which
local authority a school belongs to (that LA answers for the school's pupils), which partnership
a provision serves and which key stages it is registered for (a placement outside them needs the
out-of-key-stage steps), and which bodies may commission places. The platform administrator keeps
the register; it holds organisation ids, codes and display names only, never pupil data. The display
name (optional, added compatibly) is what finance reports show beside an organisation's id.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupil_vocabulary import KeyStage, OrganisationId
from ap_contracts.topics import INCIDENTS_EVENTS


class OrganisationEvent(DomainEvent):
    """Base of events about one registered organisation."""

    topic: ClassVar[str] = INCIDENTS_EVENTS

    organisation_id: OrganisationId


class OrganisationRegistered(OrganisationEvent):
    """An organisation's registered facts; a later registration of the same organisation replaces them."""

    event_type: ClassVar[str] = "OrganisationRegistered"

    kind: OrgKind
    name: str | None = Field(
        default=None, min_length=1, max_length=200,
        description="Display name people read in reports (for example the school's name); absent in older events",
    )
    local_authority_id: OrganisationId | None = Field(
        default=None, description="The local authority the school, provision or commissioning body belongs to"
    )
    partnership_id: OrganisationId | None = Field(
        default=None, description="The Neighbourhood Partnership the provision serves or the school belongs to"
    )
    key_stages: tuple[KeyStage, ...] = Field(
        default=(), max_length=8, description="Key stages a provision is registered to serve"
    )

    @model_validator(mode="after")
    def _key_stages_for_provisions_only(self) -> Self:
        if self.key_stages and self.kind is not OrgKind.PROVISION:
            raise ValueError("only a provision is registered with key stages")
        return self


class SchoolTerm(StrEnum):
    AUTUMN = "autumn"
    SPRING = "spring"
    SUMMER = "summer"


class CalendarNation(StrEnum):
    """Whose bank holidays a local authority's schools keep (the ``holidays`` package's subdivision of GB)."""

    ENGLAND = "ENG"
    WALES = "WLS"


class HalfTermDates(BaseModel):
    """One half term's teaching span, first and last day included."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: SchoolTerm
    half: Literal[1, 2]
    first_day: date
    last_day: date


class TermDatesRecorded(OrganisationEvent):
    """A local authority's term dates for one academic year (half terms and INSET days), or a school's own
    (an academy's half terms, a school's extra INSET days). A later recording of the same organisation and
    academic year replaces it (issue 13: one school calendar the whole platform counts with)."""

    event_type: ClassVar[str] = "TermDatesRecorded"

    local_authority_id: OrganisationId = Field(
        description="The local authority whose calendar the dates belong to (the organisation itself for an LA)"
    )
    academic_year: str = Field(pattern=r"^\d{4}-\d{2}$", description="1 September to 31 August, as 2026-27")
    nation: CalendarNation = Field(default=CalendarNation.ENGLAND,
                                   description="Whose bank holidays apply (a local authority's recording)")
    half_terms: tuple[HalfTermDates, ...] = Field(
        default=(), max_length=6,
        description="The year's half terms; a school's recording leaves it empty unless it keeps its own terms",
    )
    inset_days: tuple[date, ...] = Field(default=(), max_length=30,
                                         description="Non-teaching (INSET) days inside the terms")
