"""The reporting projection of ``ap.commissioning.events``: the panel referrals and closed Fair Access
cases the Schools Forum tables count (seed 004; ``domain/schools_forum.py``).

Its own projection, consumer group (``ap.projection.reporting_commissioning``, under the reporting
principal's group prefix) and serving schema, so that rebuilding it replays only the commissioning
topic. Nothing personal is kept: organisation ids, the pseudonymous ``pupil_ref`` (a child referred
twice in a year counts once), dates and the school days a case waited.
"""

from __future__ import annotations

from typing import ClassVar

import asyncpg

from ap_contracts.events.commissioning_panels import FairAccessCaseClosed, PanelReferralMade
from ap_contracts.topics import COMMISSIONING_EVENTS
from ap_reporting.domain.schools_forum import FairAccessFact, PanelReferralFact
from ap_runtime.privacy.clear_fields import clear_event
from ap_runtime.projection import Projection, ReceivedEvent, read_models

DDL = """
CREATE TABLE IF NOT EXISTS panel_referrals (
    referral_id uuid PRIMARY KEY,
    panel_id    text NOT NULL,
    pupil_ref   uuid NOT NULL,
    referred_on date NOT NULL
);
CREATE TABLE IF NOT EXISTS fair_access_cases (
    case_id                   uuid PRIMARY KEY,
    panel_id                  text NOT NULL,
    closed_on                 date NOT NULL,
    school_days_without_place integer NOT NULL
);
"""


class ReportingCommissioningFactsProjection(Projection):
    name: ClassVar[str] = "reporting_commissioning"
    topics = (COMMISSIONING_EVENTS,)
    ddl: ClassVar[str] = DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        envelope = event.envelope
        e = clear_event(envelope.event_type, envelope.schema_version, event.payload)
        if isinstance(e, PanelReferralMade):
            await conn.execute("INSERT INTO panel_referrals VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                               e.referral_id, e.panel_id, e.pupil_ref, e.referred_on)
        elif isinstance(e, FairAccessCaseClosed):
            await conn.execute("INSERT INTO fair_access_cases VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                               e.case_id, e.panel_id, e.closed_on, e.school_days_without_place)


class CommissioningFactsReader:
    """The referrals and closed cases, read in one snapshot of the serving schema."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def read(self) -> tuple[list[PanelReferralFact], list[FairAccessFact]]:
        async with read_models(self._pool, [ReportingCommissioningFactsProjection.name]) as conn:
            referrals = await conn.fetch(
                "SELECT referral_id, panel_id, pupil_ref, referred_on FROM panel_referrals ORDER BY referral_id")
            cases = await conn.fetch("SELECT case_id, panel_id, closed_on, school_days_without_place"
                                     " FROM fair_access_cases ORDER BY case_id")
        return ([PanelReferralFact(r["referral_id"], r["panel_id"], r["pupil_ref"], r["referred_on"])
                 for r in referrals],
                [FairAccessFact(c["case_id"], c["panel_id"], c["closed_on"], c["school_days_without_place"])
                 for c in cases])
