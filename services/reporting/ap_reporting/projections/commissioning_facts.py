"""The reporting projection of ``ap.commissioning.events``: the panel referrals and closed Fair Access
cases the Schools Forum tables count (seed 004; ``domain/schools_forum.py``).

Its own projection, consumer group (``ap.projection.reporting_commissioning``, under the reporting
principal's group prefix) and serving schema, so that rebuilding it replays only the commissioning
topic. Nothing personal is kept: organisation ids, the pseudonymous ``pupil_ref`` (a child referred
twice in a year counts once), dates and the school days a case waited, and the pupils on roll the LA
records per school and year with the school's phase (the denominators of the rates per 100 on roll; a
later record for the school and year supersedes the earlier one), and each partnership's annual narrative
as published (``AnnualNarrativePublished``: the approved text of every section; drafts never reach reporting).
Rows are versions (``versions``), so a report as recorded by a past moment reads them as they stood.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import ClassVar

import asyncpg

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_headcounts import PupilsOnRollRecorded, SchoolPhase
from ap_contracts.events.commissioning_narrative import AnnualNarrativePublished
from ap_contracts.events.commissioning_panels import FairAccessCaseClosed, PanelReferralMade
from ap_contracts.events.reports import TopicPosition
from ap_contracts.topics import COMMISSIONING_EVENTS
from ap_reporting.domain.annual_narrative import NARRATIVE_SECTIONS, AnnualNarrative, ApprovedText
from ap_reporting.domain.schools_forum import FairAccessFact, PanelReferralFact
from ap_reporting.domain.schools_forum_phases import SchoolRoll
from ap_reporting.projections.folded import FoldedProjection
from ap_reporting.projections.positions import DDL as POSITIONS_DDL
from ap_reporting.projections.positions import read_positions
from ap_reporting.projections.serving import serving
from ap_reporting.projections.version_batch import Fold, Versions
from ap_reporting.projections.versions import as_recorded_by, versioned
from ap_runtime.privacy.clear_fields import clear_event
from ap_runtime.projection import ReceivedEvent

DDL = """
CREATE TABLE IF NOT EXISTS panel_referrals (
    referral_id uuid NOT NULL,
    panel_id    text NOT NULL,
    pupil_ref   uuid NOT NULL,
    referred_on date NOT NULL
);
CREATE TABLE IF NOT EXISTS fair_access_cases (
    case_id                   uuid NOT NULL,
    panel_id                  text NOT NULL,
    closed_on                 date NOT NULL,
    school_days_without_place integer NOT NULL
);
CREATE TABLE IF NOT EXISTS pupils_on_roll (
    academic_year text NOT NULL,
    school_id     text NOT NULL,
    phase         text NOT NULL,
    pupils        integer NOT NULL
);
CREATE TABLE IF NOT EXISTS narrative_sections (
    partnership_id text NOT NULL,
    academic_year  text NOT NULL,
    section        text NOT NULL,
    version        integer NOT NULL,
    text           text NOT NULL,
    published_by   text NOT NULL
);
""" + versioned("panel_referrals", ("referral_id",)) + versioned("fair_access_cases", ("case_id",)) \
    + versioned("pupils_on_roll", ("academic_year", "school_id")) \
    + versioned("narrative_sections", ("partnership_id", "academic_year", "section")) + POSITIONS_DDL


_KEYS = {"panel_referrals": ("referral_id",), "fair_access_cases": ("case_id",),
         "pupils_on_roll": ("academic_year", "school_id"),
         "narrative_sections": ("partnership_id", "academic_year", "section")}


class ReportingCommissioningFactsProjection(FoldedProjection):
    name: ClassVar[str] = "reporting_commissioning"
    topics = (COMMISSIONING_EVENTS,)
    ddl: ClassVar[str] = DDL
    keys: ClassVar[Mapping[str, tuple[str, ...]]] = _KEYS

    def fold_of(self, event: ReceivedEvent) -> Fold | None:
        envelope = event.envelope
        e = clear_event(envelope.event_type, envelope.schema_version, event.payload)
        return None if e is None else partial(_fold, e, envelope.recorded_at)


def _fold(e: DomainEvent, at: datetime, v: Versions) -> None:
    if isinstance(e, PanelReferralMade):
        v.add_new("panel_referrals", {"referral_id": e.referral_id, "panel_id": e.panel_id,
                                      "pupil_ref": e.pupil_ref, "referred_on": e.referred_on}, at)
    elif isinstance(e, FairAccessCaseClosed):
        v.add_new("fair_access_cases", {"case_id": e.case_id, "panel_id": e.panel_id, "closed_on": e.closed_on,
                                        "school_days_without_place": e.school_days_without_place}, at)
    elif isinstance(e, PupilsOnRollRecorded):
        _roll(v, e, at)
    elif isinstance(e, AnnualNarrativePublished):
        for s in e.sections:
            v.add_new("narrative_sections", {
                "partnership_id": e.partnership_id, "academic_year": e.academic_year.replace("-", "/"),
                "section": s.section.value, "version": s.version, "text": s.text,
                "published_by": e.published_by}, at)


def _roll(v: Versions, e: PupilsOnRollRecorded, at: datetime) -> None:
    """The school's roll for the year (written ``2013/14``, as the reports write years); a later record
    supersedes the current one (the runner applies each event once)."""
    year = e.academic_year.replace("-", "/")
    v.close("pupils_on_roll", {"academic_year": year, "school_id": e.school_id}, at)
    v.add("pupils_on_roll", {"academic_year": year, "school_id": e.school_id, "phase": e.phase.value,
                             "pupils": e.pupils}, at)


class CommissioningFactsReader:
    """The referrals and closed cases, read in one snapshot of the serving schema as recorded by ``recorded_by``
    (None: now; ``versions``)."""

    def __init__(self, pool: asyncpg.Pool, recorded_by: datetime | None = None) -> None:
        self._pool = pool
        self._recorded_by = recorded_by
        self.positions: tuple[TopicPosition, ...] = ()
        """The read model's positions as the last read saw them (what a publication records)."""

    async def read(self) -> tuple[list[PanelReferralFact], list[FairAccessFact]]:
        async with serving(self._pool, [ReportingCommissioningFactsProjection.name]) as conn:
            await as_recorded_by(conn, self._recorded_by)
            self.positions = await read_positions(conn)
            referrals = await conn.fetch("SELECT referral_id, panel_id, pupil_ref, referred_on"
                                         " FROM panel_referrals_as_recorded ORDER BY referral_id")
            cases = await conn.fetch("SELECT case_id, panel_id, closed_on, school_days_without_place"
                                     " FROM fair_access_cases_as_recorded ORDER BY case_id")
        return ([PanelReferralFact(r["referral_id"], r["panel_id"], r["pupil_ref"], r["referred_on"])
                 for r in referrals],
                [FairAccessFact(c["case_id"], c["panel_id"], c["closed_on"], c["school_days_without_place"])
                 for c in cases])


async def read_rolls(pool: asyncpg.Pool, years: list[str], recorded_by: datetime | None = None) -> list[SchoolRoll]:
    """The schools' rolls recorded for the years, as recorded by ``recorded_by`` (None: now)."""
    async with serving(pool, [ReportingCommissioningFactsProjection.name]) as conn:
        await as_recorded_by(conn, recorded_by)
        rows = await conn.fetch("SELECT academic_year, school_id, phase, pupils FROM pupils_on_roll_as_recorded"
                                " WHERE academic_year = ANY($1::text[]) ORDER BY academic_year, school_id", years)
    return [SchoolRoll(r["academic_year"], r["school_id"], SchoolPhase(r["phase"]), r["pupils"]) for r in rows]


async def read_narrative(pool: asyncpg.Pool, partnership_id: str, academic_year: str,
                         recorded_by: datetime | None = None) -> AnnualNarrative:
    """The partnership's narrative for the year (``2024/25``) as published by ``recorded_by``; empty before."""
    async with serving(pool, [ReportingCommissioningFactsProjection.name]) as conn:
        await as_recorded_by(conn, recorded_by)
        rows = await conn.fetch("SELECT section, version, text, published_by FROM narrative_sections_as_recorded"
                                " WHERE partnership_id = $1 AND academic_year = $2", partnership_id, academic_year)
    by_section = {r["section"]: r for r in rows}
    sections = tuple(ApprovedText(name, by_section[name]["version"], by_section[name]["text"])
                     for name in NARRATIVE_SECTIONS if name in by_section)
    return AnnualNarrative(partnership_id, academic_year, sections, rows[0]["published_by"] if rows else None)
