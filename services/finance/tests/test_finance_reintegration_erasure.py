"""Issue 16 follow-up: erasure reaches ``finance_reintegrations``, the one finance read model keeping a pupil reference.

The reference is needed: it joins a pupil's later suspensions to its ended placement (rule
``reintegration.successful``). A ``PupilDataErased`` unlinks it: the rows are re-keyed to a fresh random reference,
so the erased reference is found nowhere in the read model while the anonymous placement still counts in the cost
per successful reintegration; a record made in error is removed and counts no more. Real PostgreSQL, real keys.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import httpx
import pytest

from ap_contracts.events.privacy import ErasureReason, ErasureRequester, PupilDataErased
from ap_finance.projections.reintegrations import ReintegrationsProjection
from ap_runtime.eventstore import EventStore
from ap_runtime.projection import read_model

from .conftest import (
    FINANCE_OFFICER,
    World,
    append_incidents,
    budget_path,
    record_placements,
    reintegration_world,
    suspension_issued,
)

pytestmark = pytest.mark.integration


def erased(pupil: UUID, reason: ErasureReason) -> PupilDataErased:
    return PupilDataErased(pupil_ref=pupil, reason=reason, legal_basis="UK GDPR Art. 17(1)(a)",
                           requested_by=ErasureRequester.DATA_PROTECTION_OFFICER)


async def rows_naming(world: World, pupil: UUID) -> int:
    async with read_model(world.pool, ReintegrationsProjection.name) as conn:
        count: int = await conn.fetchval(
            "SELECT (SELECT count(*) FROM reintegration_placements WHERE pupil_ref = $1)"
            " + (SELECT count(*) FROM later_exclusions WHERE pupil_ref = $1)", pupil)
    return count


async def counted(api: httpx.AsyncClient) -> tuple[int, int]:
    answer = await api.get(budget_path("/reports/value-for-money?as_at=2026-06-30"), headers=FINANCE_OFFICER.headers)
    assert answer.status_code == 200, answer.text
    figures = answer.json()["reintegrations"]
    return figures["reintegrations"], figures["not_sustained"]


async def test_an_erased_pupil_is_unlinked_and_a_record_made_in_error_removed(
    api: httpx.AsyncClient, world: World, incidents: EventStore,
) -> None:
    await reintegration_world(api, world, incidents)
    kept, in_error = await record_placements(incidents, [(date(2025, 6, 2), date(2025, 12, 19))] * 2)
    for pupil in (kept, in_error):
        await append_incidents(incidents, f"pupil-{pupil}", [suspension_issued(pupil, date(2026, 2, 2))])
    await world.project(extra=incidents)
    assert await rows_naming(world, kept) == 2 and await rows_naming(world, in_error) == 2
    before = await counted(api)
    assert before == (2, 2)  # both suspended within the two terms: not sustained

    await append_incidents(incidents, f"pupil-{kept}", [erased(kept, ErasureReason.RETENTION_EXPIRED)])
    await world.project(extra=incidents)
    assert await rows_naming(world, kept) == 0
    assert await counted(api) == before  # still a reintegration not sustained, of nobody now

    await append_incidents(incidents, f"pupil-{in_error}", [erased(in_error, ErasureReason.RECORDED_IN_ERROR)])
    await world.project(extra=incidents)
    assert await rows_naming(world, in_error) == 0
    assert await counted(api) == (before[0] - 1, before[1] - 1)
