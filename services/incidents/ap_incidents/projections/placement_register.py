"""Placement register: who is placed where, since when, on what timetable, reviewed when, and how it ended.

Rules served: a local authority must know every alternative provision placement of the pupils it
answers for (s19 duty): each party sees the placements it answers for, the query filtering by
relationship on stored facts only. The pupil's current home school follows registrations, details
updates and confirmed transfers; the local authority answering for each school is the register of
organisations' (``OrganisationRegistered``, on the same topic), so a row is judged by the LA of the
pupil's home school as registered now, whichever event arrived first. The
pupil's display name is the only personal value held, and it is held sealed with the pupil's key
as the events carried it (``display_name_sources``, newest first: a registration, a details update
or a correction of identity; the query opens the newest that names the pupil, for callers who may
see identity). The sources are dropped when ``PupilDataErased`` arrives, without a rebuild, and
the placement rows (the counts) stay. The erasure is noted (``erased_pupils``), so that a registration, details update
or correction of identity read after it (late, or again under a new id) adds no source back, whatever the reason;
the row's other columns are organisation ids and placement terms, which no erasure removes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ap_contracts.envelope import OrgKind
from ap_contracts.topics import INCIDENTS_EVENTS
from ap_incidents.projections.placement_terms import CHANGE_FIELDS, current_terms
from ap_incidents.projections.sealed_personal import sealed_source
from ap_runtime.privacy import erased_pupils
from ap_runtime.privacy.erased_pupils import erasure_of, note_erasure
from ap_runtime.projection import Projection, ReceivedEvent

# The register of organisations as far as access needs it: the LA answering for each organisation (also kept by
# the exclusions-for-board read model, which filters by it).
ORGANISATIONS_DDL = """
CREATE TABLE IF NOT EXISTS register_organisations (
    organisation_id    text PRIMARY KEY,
    local_authority_id text
);
"""

DDL = """
CREATE TABLE IF NOT EXISTS register_pupils (
    pupil_ref      uuid PRIMARY KEY,
    home_school_id text NOT NULL,
    display_name_sources jsonb NOT NULL DEFAULT '[]'::jsonb,
    erased         boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS placements (
    placement_id                  uuid PRIMARY KEY,
    pupil_ref                     uuid NOT NULL,
    record_id                     uuid NOT NULL,
    provision_id                  text NOT NULL,
    home_school_id                text NOT NULL,
    commissioner_id               text NOT NULL,
    partnership_id                text NOT NULL,
    key_stage                     text NOT NULL,
    outside_key_stage             boolean NOT NULL,
    start_date                    date NOT NULL,
    planned_end_date              date NOT NULL,
    start_terms                   jsonb NOT NULL,
    changes                       jsonb NOT NULL DEFAULT '[]'::jsonb,
    timetable                     text NOT NULL,
    reduced_timetable_review_date date,
    next_review_date              date,
    incident_severity_threshold   integer,
    attendance_threshold_percent  integer,
    status                        text NOT NULL DEFAULT 'active',
    end_date                      date,
    end_reason                    text,
    end_record_id                 uuid,
    destination_id                text,
    last_stream_version           integer NOT NULL
);
CREATE INDEX IF NOT EXISTS placements_pupil_idx ON placements (pupil_ref);
CREATE INDEX IF NOT EXISTS placements_provision_idx ON placements (provision_id);
CREATE INDEX IF NOT EXISTS placements_home_school_idx ON placements (home_school_id);
CREATE INDEX IF NOT EXISTS placements_commissioner_idx ON placements (commissioner_id);
CREATE INDEX IF NOT EXISTS placements_partnership_idx ON placements (partnership_id);
""" + ORGANISATIONS_DDL + erased_pupils.DDL

_START_TERMS = ("timetable", "reduced_timetable_review_date", "planned_review_date",
                "incident_severity_threshold", "attendance_threshold_percent")


def _uuid(value: Any) -> UUID | None:
    return None if value is None else UUID(str(value))


def _day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


def _name_source(event: ReceivedEvent, field: str) -> dict[str, Any] | None:
    source = sealed_source(event.event_type, event.envelope.schema_version, field, event.payload.get(field))
    return None if source is None else dict(source)


async def _name_changed(conn: asyncpg.Connection, event: ReceivedEvent, field: str) -> None:
    """A sealed field that may name the pupil anew becomes the newest source of the display name, unless the pupil
    was erased (whatever the reason: a source read after the erasure never comes back, even unreadable)."""
    source = _name_source(event, field)
    if source is not None and await erasure_of(conn, event.payload["pupil_ref"]) is None:
        await conn.execute("UPDATE register_pupils SET display_name_sources = $2::jsonb || display_name_sources"
                           " WHERE pupil_ref = $1", _uuid(event.payload["pupil_ref"]), json.dumps([source]))


async def organisation_registered(conn: asyncpg.Connection, p: Mapping[str, Any]) -> None:
    """The latest registration holds: the LA an organisation belongs to (a local authority answers for itself)."""
    authority = p["organisation_id"] if p["kind"] == OrgKind.LOCAL_AUTHORITY.value else p.get("local_authority_id")
    await conn.execute(
        "INSERT INTO register_organisations (organisation_id, local_authority_id) VALUES ($1, $2)"
        " ON CONFLICT (organisation_id) DO UPDATE SET local_authority_id = EXCLUDED.local_authority_id",
        p["organisation_id"], authority,
    )


class PlacementRegisterProjection(Projection):
    name = "incidents_placement_register"
    topics: tuple[str, ...] = (INCIDENTS_EVENTS,)
    needs_personal_data = False  # the display name is stored sealed, as received

    def __init__(self, topics: tuple[str, ...] | None = None) -> None:
        if topics:
            self.topics = topics

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(DDL)

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        if event.event_type in _REGISTER_FACT_EVENTS:
            await _register_fact(conn, event)
        else:
            await self._placement_event(conn, event)

    async def _placement_event(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        """A placement row started, ended, changed or corrected."""
        p = event.payload
        version = event.envelope.stream_version
        match event.event_type:
            case "PlacementStarted":
                await self._started(conn, p, version)
            case "PlacementEnded":
                await conn.execute(
                    "UPDATE placements SET status = 'ended', end_date = $2, end_reason = $3, destination_id = $4,"
                    " end_record_id = $5, last_stream_version = $6 WHERE placement_id = $1",
                    _uuid(p["placement_id"]), _day(p["end_date"]), p["reason"], p.get("destination_id"),
                    _uuid(p["record_id"]), version,
                )
            case "RecordAmended":
                await self._amended(conn, p, version)
                if p.get("target_event_type") in ("PupilRegistered", "PupilDetailsUpdated"):
                    await _name_changed(conn, event, "corrected_identity")
            case "RecordWithdrawnInError":
                await self._change_entry(conn, p, version, withdrawn=True)
            case event_type if event_type in CHANGE_FIELDS:
                change = {"record_id": p["record_id"], "event_type": event_type, "withdrawn": False,
                          "values": {f: p.get(f) for f in CHANGE_FIELDS[event_type]}}
                await self._with_changes(conn, _uuid(p["placement_id"]), version, lambda cs: [*cs, change])

    async def _started(self, conn: asyncpg.Connection, p: Mapping[str, Any], version: int) -> None:
        start = {name: p.get(name) for name in _START_TERMS}
        await conn.execute(
            "INSERT INTO placements (placement_id, pupil_ref, record_id, provision_id, home_school_id,"
            " commissioner_id, partnership_id, key_stage, outside_key_stage, start_date, planned_end_date,"
            " start_terms, timetable, reduced_timetable_review_date, next_review_date,"
            " incident_severity_threshold, attendance_threshold_percent, last_stream_version)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14, $15, $16, $17, $18)"
            " ON CONFLICT (placement_id) DO NOTHING",
            _uuid(p["placement_id"]), _uuid(p["pupil_ref"]), _uuid(p["record_id"]), p["provision_id"],
            p["home_school_id"], p["commissioner_id"], p["partnership_id"], p["key_stage"], p["outside_key_stage"],
            _day(p["start_date"]), _day(p["planned_end_date"]), json.dumps(start), p["timetable"],
            _day(p.get("reduced_timetable_review_date")), _day(p.get("planned_review_date")),
            p.get("incident_severity_threshold"), p.get("attendance_threshold_percent"), version,
        )

    async def _amended(self, conn: asyncpg.Connection, p: Mapping[str, Any], version: int) -> None:
        corrected = p.get("corrected_values") or {}
        target = _uuid(p["target_record_id"])
        match p.get("target_event_type"):
            case "PlacementStarted" if "partnership_id" in corrected:
                await conn.execute("UPDATE placements SET partnership_id = $2, last_stream_version = $3"
                                   " WHERE record_id = $1", target, corrected["partnership_id"], version)
            case "PlacementEnded" if "destination_id" in corrected:
                await conn.execute("UPDATE placements SET destination_id = $2, last_stream_version = $3"
                                   " WHERE end_record_id = $1", target, corrected["destination_id"], version)
            case event_type if event_type in CHANGE_FIELDS:
                await self._change_entry(conn, p, version, values=corrected)

    async def _change_entry(self, conn: asyncpg.Connection, p: Mapping[str, Any], version: int, *,
                            withdrawn: bool = False, values: Mapping[str, Any] | None = None) -> None:
        """Withdraw or amend an earlier term-changing entry of one of the pupil's placements."""
        target = str(p["target_record_id"])
        placement_id = await conn.fetchval(
            "SELECT placement_id FROM placements WHERE pupil_ref = $1"
            " AND changes @> jsonb_build_array(jsonb_build_object('record_id', $2::text))",
            _uuid(p["pupil_ref"]), target,
        )
        if placement_id is None:
            return

        def corrected(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
            for change in changes:
                if change["record_id"] == target:
                    change["withdrawn"] = change["withdrawn"] or withdrawn
                    change["values"].update({k: v for k, v in (values or {}).items() if k in change["values"]})
            return changes

        await self._with_changes(conn, placement_id, version, corrected)

    @staticmethod
    async def _with_changes(conn: asyncpg.Connection, placement_id: UUID | None, version: int,
                            update: Any) -> None:
        row = await conn.fetchrow("SELECT start_terms, changes FROM placements WHERE placement_id = $1 FOR UPDATE",
                                  placement_id)
        if row is None:
            return
        changes = update(json.loads(row["changes"]))
        terms = current_terms(json.loads(row["start_terms"]), changes)
        await conn.execute(
            "UPDATE placements SET changes = $2::jsonb, timetable = $3, reduced_timetable_review_date = $4,"
            " next_review_date = $5, incident_severity_threshold = $6, attendance_threshold_percent = $7,"
            " last_stream_version = $8 WHERE placement_id = $1",
            placement_id, json.dumps(changes), terms.timetable, _day(terms.reduced_timetable_review_date),
            _day(terms.next_review_date), terms.incident_severity_threshold, terms.attendance_threshold_percent,
            version,
        )


# Facts about pupils and organisations the register joins to its placements (current home school,
# the school's local authority, the sealed name, erasure).
_REGISTER_FACT_EVENTS = frozenset({"PupilRegistered", "PupilDetailsUpdated", "PupilTransferConfirmed",
                                   "OrganisationRegistered", "PupilDataErased"})


async def _register_fact(conn: asyncpg.Connection, event: ReceivedEvent) -> None:
    """A pupil's home school or name, an organisation's local authority, or a pupil's erasure."""
    p = event.payload
    match event.event_type:
        case "PupilRegistered":
            await _registered(conn, event)
        case "PupilDetailsUpdated":
            await conn.execute(
                "UPDATE register_pupils SET home_school_id = coalesce($2, home_school_id) WHERE pupil_ref = $1",
                _uuid(p["pupil_ref"]), p.get("home_school_id"),
            )
            await _name_changed(conn, event, "display_name")
        case "PupilTransferConfirmed":
            await conn.execute("UPDATE register_pupils SET home_school_id = $2 WHERE pupil_ref = $1",
                               _uuid(p["pupil_ref"]), p["to_school_id"])
        case "OrganisationRegistered":
            await organisation_registered(conn, p)
        case "PupilDataErased":
            await note_erasure(conn, p["pupil_ref"], p["reason"])
            await conn.execute("UPDATE register_pupils SET display_name_sources = '[]'::jsonb, erased = true"
                               " WHERE pupil_ref = $1", _uuid(p["pupil_ref"]))


async def _registered(conn: asyncpg.Connection, event: ReceivedEvent) -> None:
    """The pupil's row, named by the registration's sealed name; a registration read after the pupil's erasure (the
    erasure found no row to blank) makes the row erased, without the name."""
    erased = await erasure_of(conn, event.payload["pupil_ref"]) is not None
    name = None if erased else _name_source(event, "display_name")
    await conn.execute(
        "INSERT INTO register_pupils (pupil_ref, home_school_id, display_name_sources, erased)"
        " VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (pupil_ref) DO NOTHING",
        _uuid(event.payload["pupil_ref"]), event.payload["home_school_id"],
        json.dumps([] if name is None else [name]), erased,
    )
