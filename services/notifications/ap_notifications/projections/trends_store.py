"""Tables of the trends read model (issue 14, early warning) and the reads the rules and the API make.

Clear facts only, in the projection's own schema (the runner sets ``search_path``): the pseudonymous ``pupil_ref``,
the organisations responsible for the pupil, dates, session codes, severities, suspension start days and engagement
scores; never a narrative (the worker reads no sealed field). Each fact is kept under its event id, the id a flag
cites. The flags raised are kept here too, for the read API.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import asyncpg

from ap_contracts.events.notifications import EarlyWarningRaised
from ap_contracts.events.privacy import PupilDataErased
from ap_contracts.events.pupil_vocabulary import AttendanceCode
from ap_notifications.domain.early_warning import Fact, PupilTrends, Responsibility, marked
from ap_runtime.privacy import erased_pupils
from ap_runtime.privacy.erased_pupils import erasure_of, note_erasure

DDL = """
CREATE TABLE IF NOT EXISTS trend_placements (
    placement_id   uuid PRIMARY KEY,
    pupil_ref      uuid NOT NULL,
    home_school_id text NOT NULL,
    provision_id   text NOT NULL,
    start_date     date NOT NULL,
    ended_on       date
);
CREATE INDEX IF NOT EXISTS trend_placements_by_pupil ON trend_placements (pupil_ref, start_date DESC);
CREATE TABLE IF NOT EXISTS trend_marks (
    pupil_ref uuid NOT NULL, day date NOT NULL, session text NOT NULL, code text NOT NULL, event_id uuid NOT NULL,
    PRIMARY KEY (pupil_ref, day, session)
);
CREATE TABLE IF NOT EXISTS trend_incidents (
    event_id uuid PRIMARY KEY, pupil_ref uuid NOT NULL, day date NOT NULL, severity smallint NOT NULL
);
CREATE TABLE IF NOT EXISTS trend_suspensions (
    event_id uuid PRIMARY KEY, pupil_ref uuid NOT NULL, first_day date NOT NULL
);
CREATE TABLE IF NOT EXISTS trend_scores (
    event_id uuid PRIMARY KEY, pupil_ref uuid NOT NULL, day date NOT NULL, score smallint NOT NULL,
    scale_max smallint NOT NULL
);
CREATE TABLE IF NOT EXISTS early_warning_flags (
    flag_id      uuid PRIMARY KEY,
    pupil_ref    uuid NOT NULL,
    placement_id uuid NOT NULL,
    rule_name    text NOT NULL,
    window_end   date NOT NULL,
    flag         jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS flags_by_pupil ON early_warning_flags (pupil_ref, rule_name, window_end DESC);
""" + erased_pupils.DDL  # pupils erased: an event about one read after the erasure keeps nothing

FACT_TABLES = ("trend_marks", "trend_incidents", "trend_suspensions", "trend_scores")
# How far back a pupil's facts are read for one decision: two windows of the longest rule, in calendar days, with
# room for the holidays a school-day window spans.
LOOKBACK = timedelta(days=366)


async def setup(conn: asyncpg.Connection) -> None:
    await conn.execute(DDL)


async def placement(conn: asyncpg.Connection, placement_id: UUID | None, pupil_ref: UUID) -> Responsibility | None:
    """The placement named, else the pupil's latest (a suspension recorded outside any placement)."""
    if placement_id is not None:
        row = await conn.fetchrow("SELECT * FROM trend_placements WHERE placement_id = $1", placement_id)
    else:
        row = await conn.fetchrow(
            "SELECT * FROM trend_placements WHERE pupil_ref = $1 ORDER BY start_date DESC LIMIT 1", pupil_ref)
    if row is None:
        return None
    return Responsibility(row["placement_id"], row["home_school_id"], row["provision_id"], row["ended_on"] is not None)


async def trends_of(conn: asyncpg.Connection, pupil_ref: UUID, as_of: date) -> PupilTrends:
    """What the rules read of one pupil, up to ``as_of``."""
    args = (pupil_ref, as_of - LOOKBACK, as_of)
    marks = await conn.fetch("SELECT * FROM trend_marks WHERE pupil_ref = $1 AND day BETWEEN $2 AND $3", *args)
    incidents = await conn.fetch(
        "SELECT * FROM trend_incidents WHERE pupil_ref = $1 AND day BETWEEN $2 AND $3", *args)
    suspensions = await conn.fetch(
        "SELECT * FROM trend_suspensions WHERE pupil_ref = $1 AND first_day BETWEEN $2 AND $3", *args)
    scores = await conn.fetch("SELECT * FROM trend_scores WHERE pupil_ref = $1 AND day BETWEEN $2 AND $3", *args)
    return PupilTrends(
        pupil_ref=pupil_ref, as_of=as_of,
        marks=tuple(marked(r["event_id"], r["day"], AttendanceCode(r["code"])) for r in marks),
        incidents=tuple(Fact(r["event_id"], r["day"], r["severity"]) for r in incidents),
        suspensions=tuple(Fact(r["event_id"], r["first_day"]) for r in suspensions),
        scores=tuple(Fact(r["event_id"], r["day"], r["score"], r["scale_max"]) for r in scores),
    )


async def last_flagged(conn: asyncpg.Connection, pupil_ref: UUID) -> dict[str, date]:
    """The last day of the window of the pupil's latest flag of each rule."""
    rows = await conn.fetch(
        "SELECT rule_name, max(window_end) AS window_end FROM early_warning_flags WHERE pupil_ref = $1"
        " GROUP BY rule_name", pupil_ref)
    return {r["rule_name"]: r["window_end"] for r in rows}


async def save_flag(conn: asyncpg.Connection, flag: EarlyWarningRaised) -> None:
    """Keep a flag raised (a replay keeps the first)."""
    await conn.execute(
        "INSERT INTO early_warning_flags VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (flag_id) DO NOTHING",
        flag.notification_id, flag.pupil_ref, flag.placement_id, flag.rule_name, flag.window_end,
        flag.model_dump_json())


async def forget_fact(conn: asyncpg.Connection, event_id: UUID) -> None:
    """An entry withdrawn in error no longer counts in any trend (flags raised before keep what they cited)."""
    for table in FACT_TABLES:
        await conn.execute(f"DELETE FROM {table} WHERE event_id = $1", event_id)  # noqa: S608  # nosec B608 - table names are constants


async def forget_pupil(conn: asyncpg.Connection, erasure: PupilDataErased) -> None:
    """Erasure: nothing of the pupil stays in the read model, flags included; the erasure itself is noted (only the
    pseudonymous reference, ``erased_pupils``) so that nothing about the pupil is kept again (``erased``)."""
    for table in (*FACT_TABLES, "trend_placements", "early_warning_flags"):
        await conn.execute(f"DELETE FROM {table} WHERE pupil_ref = $1", erasure.pupil_ref)  # noqa: S608  # nosec B608 - table names are constants
    await note_erasure(conn, erasure.pupil_ref, erasure.reason)


async def erased(conn: asyncpg.Connection, pupil_ref: object) -> bool:
    """Whether the pupil (an event's ``pupil_ref``, None for an event about no pupil) was erased, for any reason."""
    return await erasure_of(conn, pupil_ref) is not None


async def current_flags(conn: asyncpg.Connection, placement_id: UUID) -> tuple[EarlyWarningRaised, ...]:
    """The flags in force for a placement: the latest of each rule (a later flag of a rule replaces the earlier)."""
    rows = await conn.fetch(
        "SELECT DISTINCT ON (rule_name) flag FROM early_warning_flags WHERE placement_id = $1"
        " ORDER BY rule_name, window_end DESC", placement_id)
    return tuple(EarlyWarningRaised.model_validate_json(r["flag"]) for r in rows)
