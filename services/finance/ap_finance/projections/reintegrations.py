"""The read models behind the cost per successful reintegration (issue 13, value for money).

``finance_reintegrations`` keeps, from the incidents service's events, each placement's provision, home school,
end date and end reason, and the days its pupil was later suspended (first day) or permanently excluded (taking
effect). The pupil is linked only by the pseudonymous ``pupil_ref`` (to find the same pupil's later exclusions),
and an erasure (``PupilDataErased``) unlinks it; no name, narrative or sealed field is read. An event about an
erased pupil read after the erasure (late, or again under a new id) links nothing to the reference again: of a pupil
erased as recorded in error it writes nothing; of another erasure a placement's facts are kept without the
reference, and an exclusion is not kept (no reference is left to join it by). ``finance_calendars``
keeps the register's term dates (the shared read model, ``ap_runtime.school_days.stored``) so the two terms are
counted on the home school's recorded calendar.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID, uuid4

import asyncpg

from ap_contracts.events.placement_vocabulary import PlacementEndReason
from ap_contracts.events.privacy import ErasureReason, PupilDataErased
from ap_contracts.topics import INCIDENTS_EVENTS
from ap_finance.projections.placement_rows import PlacementColumns, apply_placement_event, payload_day
from ap_finance.reports.reintegration import EndedPlacement
from ap_runtime.privacy import erased_pupils
from ap_runtime.privacy.erased_pupils import Erased, erasure_of, note_erasure
from ap_runtime.projection import Projection, ReceivedEvent
from ap_runtime.projection.store import read_models
from ap_runtime.school_days import NO_CALENDARS, SchoolCalendars
from ap_runtime.school_days.stored import CalendarFactsProjection, calendars_in

REINTEGRATIONS_DDL = """
CREATE TABLE IF NOT EXISTS reintegration_placements (
    placement_id   uuid PRIMARY KEY,
    pupil_ref      uuid,
    provision_id   text,
    home_school_id text,
    end_date       date,
    reason         text
);
CREATE INDEX IF NOT EXISTS reintegration_placements_provision ON reintegration_placements (provision_id);
CREATE TABLE IF NOT EXISTS later_exclusions (
    pupil_ref uuid NOT NULL,
    from_day  date NOT NULL,
    PRIMARY KEY (pupil_ref, from_day)
);
"""
# The day an exclusion of each kind starts to count against a reintegration.
_EXCLUSION_DAY = {"SuspensionIssued": "first_day", "PermanentExclusionIssued": "effective_from"}


_COLUMNS: PlacementColumns = {
    "PlacementStarted": lambda p: {"pupil_ref": UUID(str(p["pupil_ref"])), "provision_id": str(p["provision_id"]),
                                   "home_school_id": str(p["home_school_id"])},
    "PlacementEnded": lambda p: {"end_date": payload_day(p, "end_date"), "reason": str(p["reason"])},
}

# An erased pupil's placement read after the erasure: its facts without the reference (a new row links to nobody).
_UNLINKED: PlacementColumns = {**_COLUMNS, "PlacementStarted": lambda p: {
    name: value for name, value in _COLUMNS["PlacementStarted"](p).items() if name != "pupil_ref"}}


class ReintegrationsProjection(Projection):
    """Placements' ends and their pupils' later exclusions, by pseudonymous reference (topic: incidents events)."""

    name = "finance_reintegrations"
    topics = (INCIDENTS_EVENTS,)
    ddl = REINTEGRATIONS_DDL + erased_pupils.DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        if event.event_type == PupilDataErased.event_type:
            await _erase(conn, UUID(str(event.payload["pupil_ref"])), str(event.payload["reason"]))
            return
        if event.event_type not in _COLUMNS and event.event_type not in _EXCLUSION_DAY:
            return
        # Read after the pupil's erasure (late, or again under a new id): nothing links to the reference again.
        erased = await erasure_of(conn, event.payload["pupil_ref"])
        if erased is Erased.IN_ERROR:
            return  # never there
        if await apply_placement_event(conn, "reintegration_placements", event, _COLUMNS if erased is None
                                       else _UNLINKED):
            return
        if erased is None:  # an erased pupil's exclusion has no reference left to join its placements by
            await conn.execute("INSERT INTO later_exclusions VALUES ($1, $2) ON CONFLICT DO NOTHING",
                               UUID(str(event.payload["pupil_ref"])),
                               payload_day(event.payload, _EXCLUSION_DAY[event.event_type]))


async def _erase(conn: asyncpg.Connection, pupil_ref: UUID, reason: str) -> None:
    """Erasure reaches the pupil's link: the reference is needed only to join the pupil's later exclusions to its
    placements, so an erased pupil's rows are re-keyed to a fresh random reference that no other record holds (the
    placements still count, anonymous, in the cost per successful reintegration). A record made in error is
    removed, as reporting removes its facts: it never happened. The erasure is noted (``erased_pupils``) so that
    no event about the pupil read later brings either back."""
    await note_erasure(conn, pupil_ref, reason)
    if reason == ErasureReason.RECORDED_IN_ERROR.value:
        await conn.execute("DELETE FROM reintegration_placements WHERE pupil_ref = $1", pupil_ref)
        await conn.execute("DELETE FROM later_exclusions WHERE pupil_ref = $1", pupil_ref)
        return
    unlinked = uuid4()
    await conn.execute("UPDATE reintegration_placements SET pupil_ref = $2 WHERE pupil_ref = $1", pupil_ref, unlinked)
    await conn.execute("UPDATE later_exclusions SET pupil_ref = $2 WHERE pupil_ref = $1", pupil_ref, unlinked)


class FinanceCalendarProjection(CalendarFactsProjection):
    name: ClassVar[str] = "finance_calendars"


_ENDED = """
SELECT p.home_school_id, p.end_date, p.reason,
       coalesce(array_agg(x.from_day ORDER BY x.from_day) FILTER (WHERE x.from_day IS NOT NULL), '{}') AS exclusions
FROM reintegration_placements p LEFT JOIN later_exclusions x ON x.pupil_ref = p.pupil_ref
WHERE p.provision_id = $1 AND p.end_date IS NOT NULL AND p.home_school_id IS NOT NULL
GROUP BY p.placement_id ORDER BY p.end_date, p.placement_id
"""


async def reintegration_facts(pool: asyncpg.Pool, provision_id: str) -> tuple[list[EndedPlacement], SchoolCalendars]:
    """The provision's ended placements with their pupils' later exclusions, and the recorded calendars (none
    while a read model is not built yet)."""
    names = [ReintegrationsProjection.name, FinanceCalendarProjection.name]
    async with read_models(pool, [], optional=names) as conn:
        placements: list[EndedPlacement] = []
        if await conn.fetchval("SELECT to_regclass('reintegration_placements')") is not None:
            placements = [EndedPlacement(r["home_school_id"], r["end_date"], PlacementEndReason(r["reason"]),
                                         tuple(r["exclusions"])) for r in await conn.fetch(_ENDED, provision_id)]
        calendars = NO_CALENDARS
        if await conn.fetchval("SELECT to_regclass('calendar_facts')") is not None:
            calendars = await calendars_in(conn)
        return placements, calendars
