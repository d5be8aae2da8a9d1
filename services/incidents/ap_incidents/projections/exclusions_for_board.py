"""Exclusions for the governing board: each permanent exclusion, and each suspension whose term total makes the
board meet, with the board's decision once recorded (issue 16; STATUTORY.md: the board considers reinstatement
within 15 school days).

Rules served: a local authority's officers see the exclusions in its schools awaiting the board, overdue ones
too, without a scan of the event store per request. A reinstatement or an upheld decision closes the row; an
exclusion withdrawn in error leaves the list; an amendment replaces the clear values it names. The LA answering
for each school is the register of organisations' (``OrganisationRegistered``, on the same topic), kept here as
the placement register keeps it, so the read filters by authority in SQL. No personal field is held (the
account of the exclusion is left out; the pupil is named by the pseudonymous reference only), so nothing is
sealed and erasure leaves the rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg

from ap_contracts.topics import INCIDENTS_EVENTS
from ap_incidents.projections.placement_register import ORGANISATIONS_DDL, organisation_registered
from ap_runtime.projection import Projection, ReceivedEvent

DDL = """
CREATE TABLE IF NOT EXISTS exclusions_for_board (
    record_id      uuid PRIMARY KEY,
    pupil_ref      uuid NOT NULL,
    kind           text NOT NULL,
    home_school_id text NOT NULL,
    facts          jsonb NOT NULL,
    withdrawn      boolean NOT NULL DEFAULT false,
    decision       text
);
CREATE INDEX IF NOT EXISTS exclusions_for_board_awaiting_idx ON exclusions_for_board (home_school_id)
    WHERE decision IS NULL AND NOT withdrawn;
""" + ORGANISATIONS_DDL

#: The clear values of an exclusion the list shows (the account is personal and never held).
CLEAR_FIELDS = ("decided_on", "effective_from", "first_day", "duration_half_days", "term", "term_total_half_days",
                "governors_duty", "primary_reason", "full_time_education_from")

_KINDS = {"PermanentExclusionIssued": "permanent_exclusion", "SuspensionIssued": "suspension"}
_DECISIONS = {"PermanentExclusionReinstated": "reinstated", "SuspensionReinstated": "reinstated",
              "ExclusionUpheld": "upheld"}


def _before_board(event_type: str, p: Mapping[str, Any]) -> bool:
    """A permanent exclusion always; a suspension when its term total makes the board meet."""
    return event_type == "PermanentExclusionIssued" or p.get("governors_duty") == "meet"


def _clear(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: values[name] for name in CLEAR_FIELDS if name in values}


class ExclusionsForBoardProjection(Projection):
    name = "incidents_exclusions_for_board"
    topics: tuple[str, ...] = (INCIDENTS_EVENTS,)
    ddl = DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        p, event_type = event.payload, event.event_type
        if event_type in _KINDS and _before_board(event_type, p):
            await conn.execute(
                "INSERT INTO exclusions_for_board (record_id, pupil_ref, kind, home_school_id, facts)"
                " VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (record_id) DO NOTHING",
                UUID(str(p["record_id"])), UUID(str(p["pupil_ref"])), _KINDS[event_type], p["home_school_id"],
                json.dumps(_clear(p)))
        elif event_type in _DECISIONS:
            await conn.execute("UPDATE exclusions_for_board SET decision = $2"
                               " WHERE record_id = $1 AND decision IS NULL",
                               UUID(str(p["exclusion_record_id"])), _DECISIONS[event_type])
        elif event_type == "RecordWithdrawnInError":
            await conn.execute("UPDATE exclusions_for_board SET withdrawn = true WHERE record_id = $1",
                               UUID(str(p["target_record_id"])))
        elif event_type == "RecordAmended" and p.get("target_event_type") in _KINDS:
            await conn.execute("UPDATE exclusions_for_board SET facts = facts || $2::jsonb WHERE record_id = $1",
                               UUID(str(p["target_record_id"])), json.dumps(_clear(p.get("corrected_values") or {})))
        elif event_type == "OrganisationRegistered":
            await organisation_registered(conn, p)
