"""The placement register on real PostgreSQL: after a pupil's erasure, no event read later adds a display-name source
back (``projections/placement_register.py``, ``ap_runtime.privacy.erased_pupils``).

Rule served (UK GDPR Art. 17; children's data): the erasure drops the pupil's sealed name sources. A details update
naming the pupil, a correction of identity or a registration recorded before the erasure but read after it (or read
again under a new id) added its source back: sealed under the destroyed key, so unreadable, but what erasure removed
must not come back at all. A registration read after an erasure that found no row to blank made a row not marked
erased. Each reason; one event per transaction, as the runner applies this projection. The row's other columns
(home school, placement terms) hold no personal value: a later home school still follows.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import ErasureReason, ErasureRequester, PupilDataErased
from ap_contracts.events.pupil_corrections import CorrectionReason, RecordAmended
from ap_contracts.events.pupils import PupilDetailsUpdated
from ap_incidents.projections.placement_register import PlacementRegisterProjection
from ap_testing.infra import NewDatabase
from ap_testing.notifications.builders import received
from ap_testing.projection_schema import apply_each, fresh_schema
from ap_testing.reporting.events import Pupil

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def dsn(new_database: NewDatabase) -> str:
    made: str = await new_database("inc_register_erased")
    return made


def _named_again(pupil: Pupil) -> list[DomainEvent]:
    """Events naming the pupil: a details update (also moving school), a correction of identity, a registration."""
    registered = pupil.registered()
    return [PupilDetailsUpdated(pupil_ref=pupil.pupil_ref, record_id=uuid4(), effective_from=date(2025, 2, 3),
                                home_school_id="school-moved", display_name="Renamed Pupil"),
            RecordAmended(pupil_ref=pupil.pupil_ref, record_id=uuid4(), target_record_id=registered.record_id,
                          target_event_type="PupilRegistered", reason=CorrectionReason.TYPING_ERROR,
                          explanation="name misspelt", corrected_identity={"display_name": "Corrected Pupil"}),
            registered]


async def _pupil_row(conn: asyncpg.Connection, schema: str, pupil: Pupil) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await conn.fetch(
        f"SELECT home_school_id, display_name_sources::text, erased FROM {schema}.register_pupils"  # nosec B608 - the test's own schema
        " WHERE pupil_ref = $1", pupil.pupil_ref)]


@pytest.mark.parametrize("reason", list(ErasureReason))
async def test_no_event_read_after_an_erasure_adds_a_name_source_back(dsn: str, reason: ErasureReason) -> None:
    pupil, unregistered = Pupil("school-a", "np-1"), Pupil("school-a", "np-1")
    erasures = [PupilDataErased(pupil_ref=p.pupil_ref, reason=reason, legal_basis="UK GDPR Art. 17(1)(a)",
                                requested_by=ErasureRequester.DATA_PROTECTION_OFFICER) for p in (pupil, unregistered)]
    named = [received(e) for e in _named_again(pupil)]
    schema = f"reg_erased_{reason.value}"
    conn = await asyncpg.connect(dsn)
    try:
        await fresh_schema(conn, schema, PlacementRegisterProjection())
        await apply_each(conn, schema, PlacementRegisterProjection(),
                         [named[-1], received(pupil.started()), *map(received, erasures)])
        assert await _pupil_row(conn, schema, pupil) == [("school-a", "[]", True)]
        # Read after the erasures: the events recorded before them, then the same again under new ids; and the
        # other pupil's registration, whose erasure came first.
        late = [*named, *(received(e, event_id=uuid4()) for e in _named_again(pupil)),
                received(unregistered.registered())]
        await apply_each(conn, schema, PlacementRegisterProjection(), late)
        assert await _pupil_row(conn, schema, pupil) == [("school-moved", "[]", True)]
        assert await _pupil_row(conn, schema, unregistered) == [("school-a", "[]", True)]
    finally:
        await conn.close()
