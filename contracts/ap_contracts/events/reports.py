"""v1 report provenance: ``ReportPublished`` (issue 15, "point in time and provenance, for every report").

Publishing a report records what it was built from, so anyone can build it again and get the same bytes: the
report's kind and version, its period and as-at date, the moment it is as recorded by (only events recorded by
then are in it), the position of every stream it read (``sources``; a service reporting from read models of
topics records each partition's offset instead, ``positions``), the versions of the rules behind its figures, a digest
of its JSON, and, from the second edition on, each figure that changed since the edition before (a back-dated
correction is visible as such). It carries figures' names and values only: no pupil data, no names.

Published by the finance service for its reports (on its event topic); the reporting service records its
publications in its own event store (v1, extended compatibly: ``positions`` added, ``sources`` may be empty
when ``positions`` is not).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from ap_contracts.envelope import StrictModel
from ap_contracts.events.base import DomainEvent
from ap_contracts.identifiers import IDENTIFIER_PATTERN, OrganisationId
from ap_contracts.topics import FINANCE_EVENTS

ReportKind = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
FigureName = Annotated[str, Field(min_length=1, max_length=300)]
FigureValue = Annotated[str, Field(max_length=300)]


class ReportPeriod(StrictModel):
    """The period a report covers, both days included."""

    label: Annotated[str, Field(min_length=1, max_length=80)]
    start: date
    end: date

    @model_validator(mode="after")
    def _starts_before_it_ends(self) -> ReportPeriod:
        if self.start > self.end:
            raise ValueError("period start must be on or before its end")
        return self


class StreamPosition(StrictModel):
    """How far into one event stream a report read: every event up to ``stream_version`` and none after."""

    stream_id: Annotated[str, Field(min_length=1, max_length=200, pattern=IDENTIFIER_PATTERN)]
    stream_version: Annotated[int, Field(ge=0)]
    last_event_id: UUID | None = None


class TopicPosition(StrictModel):
    """How far into one partition of an event topic a read model had applied when a report was read from it:
    every event up to ``offset`` and none after (a service that reports from topics rather than streams)."""

    topic: Annotated[str, Field(min_length=1, max_length=249, pattern=r"^[A-Za-z0-9._-]+$")]
    partition: Annotated[int, Field(ge=0)]
    offset: Annotated[int, Field(ge=0)]


class FigureChange(StrictModel):
    """One figure that differs from the edition before: where it is in the report, then and now (as the CSV
    shows it; None where the figure did not exist)."""

    figure: FigureName
    old: FigureValue | None
    new: FigureValue | None


class ReportPublished(DomainEvent):
    """A report was published: what it is, what it was built from, and what changed since its last edition."""

    event_type: ClassVar[str] = "ReportPublished"
    topic: ClassVar[str] = FINANCE_EVENTS

    report_id: UUID
    report_kind: ReportKind
    report_version: Annotated[int, Field(ge=1)]
    edition: Annotated[int, Field(ge=1)]
    organisation_id: OrganisationId
    period: ReportPeriod
    as_at: date
    recorded_by: AwareDatetime
    sources: tuple[StreamPosition, ...] = ()
    positions: tuple[TopicPosition, ...] = ()
    rule_versions: dict[Annotated[str, Field(min_length=1, max_length=120)],
                        Annotated[str, Field(min_length=1, max_length=40)]]
    content_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    changes: tuple[FigureChange, ...] = ()

    @model_validator(mode="after")
    def _a_first_edition_changes_nothing(self) -> ReportPublished:
        if self.edition == 1 and self.changes:
            raise ValueError("a first edition has no edition before it to differ from")
        if not self.sources and not self.positions:
            raise ValueError("a publication records what it was built from: stream sources or topic positions")
        return self
