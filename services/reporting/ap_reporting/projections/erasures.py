"""The pupils a reporting read model has seen erased, so that no later event brings back what erasure removed.

Rule served (UK GDPR Art. 17; children's data): after ``PupilDataErased`` nothing erased comes back. An event
about the pupil can still arrive after the erasure: delivered late or again under a new id, from a replay in
another order, or from a producer other than the pupil's stream (which itself refuses anything after an
erasure). Without a record of the erasure, a ``PupilDetailsUpdated`` naming the sex would write the sex back
into the row the erasure blanked, and a fact about a pupil erased as recorded in error would count again.
So each read model that keeps pupil facts keeps this table beside them and its writers consult it:

- any erasure: the pupil's sex (the one clear field of the person reporting keeps) is never written again;
- an erasure of data recorded in error: nothing about the pupil is written again (the pupil was never there).

Only the pseudonymous reference and whether the record was made in error are kept: no personal data. Rows are
versions (``versions``) like the facts beside them; an erasure in error after another erasure revises the row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from ap_contracts.envelope import EventEnvelope
from ap_contracts.events.privacy import ErasureReason, PupilDataErased
from ap_reporting.projections.version_batch import Versions
from ap_reporting.projections.versions import versioned

TABLE = "erased_pupils"
KEY = ("pupil_ref",)
DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    pupil_ref uuid NOT NULL,
    in_error  boolean NOT NULL
);
""" + versioned(TABLE, KEY)

Writer = Callable[[Versions, Any, EventEnvelope], None]


def erasure_of(v: Versions, pupil_ref: UUID) -> bool | None:
    """Whether the pupil was erased as recorded in error (True), erased for another reason (False), or not
    erased (None)."""
    found = v.current(TABLE, {"pupil_ref": pupil_ref})
    return None if not found else bool(found[0]["in_error"])


def note_erasure(v: Versions, e: PupilDataErased, at: datetime) -> bool:
    """Record the erasure (an erasure in error outranks an earlier one of another reason); returns whether
    this one is of data recorded in error."""
    in_error = e.reason is ErasureReason.RECORDED_IN_ERROR
    before = erasure_of(v, e.pupil_ref)
    if before is None:
        v.add(TABLE, {"pupil_ref": e.pupil_ref, "in_error": in_error}, at)
    elif in_error and not before:
        v.revise(TABLE, {"pupil_ref": e.pupil_ref}, at, {"in_error": True})
    return in_error


def unless_erased_in_error(writer: Writer) -> Writer:
    """``writer`` for an event about a pupil (its ``pupil_ref``), skipped once the pupil was erased as
    recorded in error: a fact about a pupil who was never there does not count again."""
    def guarded(v: Versions, e: Any, env: EventEnvelope) -> None:
        if erasure_of(v, e.pupil_ref) is not True:
            writer(v, e, env)
    return guarded
