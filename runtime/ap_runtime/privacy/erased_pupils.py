"""The pupils a read model has seen erased, so that no event about one applied later brings back what erasure removed.

Rule served (UK GDPR Art. 17; children's data): after ``PupilDataErased`` nothing erased comes back. An event about
the pupil can still reach a projection after the erasure: recorded before it but delivered late, delivered again
under a new id, replayed in another order, or from another service's topic (the pupil's own stream refuses anything
after an erasure, but topics are not ordered with each other). So a projection that keeps pupil-linked rows keeps
this table in its own schema beside them, notes each erasure in it and asks it before writing about a pupil:

- any erasure: nothing personal, and no link to the pupil's reference that the erasure removed, is written again;
- an erasure of data recorded in error: nothing about the pupil is written again (the pupil was never there).

What each projection stops for each is said in its own module. Only the pseudonymous reference and whether the
record was made in error are kept: no personal data. (Reporting keeps the same facts as versions, for its reports
as recorded by an earlier moment: ``ap_reporting.projections.erasures``.)
"""

from __future__ import annotations

from enum import Enum
from uuid import UUID

import asyncpg

from ap_contracts.events.privacy import ErasureReason

DDL = """
CREATE TABLE IF NOT EXISTS erased_pupils (
    pupil_ref uuid PRIMARY KEY,
    in_error  boolean NOT NULL
);
"""


class Erased(Enum):
    """How a pupil was erased, as far as what may still be written about them."""

    OTHERWISE = "otherwise"  # retention expired, request upheld, court order: nothing personal, no link again
    IN_ERROR = "in_error"  # recorded in error: nothing at all again


async def note_erasure(conn: asyncpg.Connection, pupil_ref: object, reason: object) -> Erased:
    """Record the erasure (one in error outranks an earlier one of another reason); returns how the pupil stands."""
    in_error = str(reason) == ErasureReason.RECORDED_IN_ERROR.value
    stands: bool = await conn.fetchval(
        "INSERT INTO erased_pupils VALUES ($1, $2) ON CONFLICT (pupil_ref)"
        " DO UPDATE SET in_error = erased_pupils.in_error OR EXCLUDED.in_error RETURNING in_error",
        _ref(pupil_ref), in_error)
    return Erased.IN_ERROR if stands else Erased.OTHERWISE


async def erasure_of(conn: asyncpg.Connection, pupil_ref: object) -> Erased | None:
    """How the pupil an event names (its ``pupil_ref``: a UUID, or its text in a raw payload) was erased; None when
    not erased or when the event names no pupil."""
    ref = _ref(pupil_ref)
    if ref is None:
        return None
    in_error: bool | None = await conn.fetchval("SELECT in_error FROM erased_pupils WHERE pupil_ref = $1", ref)
    return None if in_error is None else Erased.IN_ERROR if in_error else Erased.OTHERWISE


def _ref(pupil_ref: object) -> UUID | None:
    if pupil_ref is None or isinstance(pupil_ref, UUID):
        return pupil_ref
    return UUID(str(pupil_ref))
