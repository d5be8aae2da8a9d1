"""Value for money through the finance API (issue 13): the cost per successful reintegration beside the cost per
placement and per pupil-day, from the incidents events finance keeps (placements' ends, the same pupils' later
suspensions, the register's term dates: clear fields only, the pupils' personal fields sealed with real keys).
Rule ``reintegration.successful`` (reintegration-2026.1): back in mainstream and not excluded again within the
four half terms after the end, on the home school's recorded calendar. On the real PostgreSQL."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from ap_runtime.eventstore import EventStore

from .conftest import (
    FINANCE_OFFICER,
    OTHER_HOST_FINANCE,
    World,
    append_incidents,
    budget_path,
    busy_budget,
    record_placements,
    reintegration_world,
    suspension_issued,
)

pytestmark = pytest.mark.integration


async def test_cost_per_successful_reintegration_beside_the_other_costs(
    api: httpx.AsyncClient, world: World, incidents: EventStore,
) -> None:
    await reintegration_world(api, world, incidents)
    # Back home on Friday 24 October, Friday 26 September and Friday 5 September 2025: two terms (autumn 2 to
    # summer 1) end on 22 May 2026 with no exclusion: successful by 30 June 2026.
    await record_placements(incidents, [(date(2025, 4, 28), date(2025, 10, 24)),
                                        (date(2025, 5, 6), date(2025, 9, 26)), (date(2025, 6, 2), date(2025, 9, 5))])
    # Back home on 19 December 2025 and suspended on Monday 2 February 2026: not sustained.
    [suspended] = await record_placements(incidents, [(date(2025, 6, 2), date(2025, 12, 19))])
    await append_incidents(incidents, f"pupil-{suspended}", [suspension_issued(suspended, date(2026, 2, 2))])
    await record_placements(incidents, [(date(2025, 9, 1), None)])  # still placed: no reintegration yet
    await world.project(extra=incidents)

    answer = await api.get(budget_path("/reports/value-for-money?as_at=2026-06-30"), headers=FINANCE_OFFICER.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    ledger = (await api.get(budget_path("/ledger"), headers=FINANCE_OFFICER.headers)).json()
    actual = body["actual_pence"]
    assert actual > 0 and actual == sum(line["actual_pence"] for line in ledger["lines"])
    reintegrations = body["reintegrations"]
    assert (reintegrations["rule"], reintegrations["rule_version"]) == ("reintegration.successful",
                                                                          "reintegration-2026.1")
    assert (reintegrations["reintegrations"], reintegrations["successful"], reintegrations["not_sustained"],
            reintegrations["pending"], reintegrations["not_counted"]) == (4, 3, 1, 0, 0)
    assert reintegrations["cost_per_successful_reintegration_pence"] == (2 * actual + 3) // 6  # / 3, half up
    assert body["placement_costs"]["placements"] == 5
    assert "Pupil name here" not in answer.text and str(suspended) not in answer.text

    # On 21 May 2026 the two terms have not passed: the three are pending, nothing is a success yet.
    early = (await api.get(budget_path("/reports/value-for-money?as_at=2026-05-21"),
                           headers=FINANCE_OFFICER.headers)).json()["reintegrations"]
    assert (early["successful"], early["pending"], early["cost_per_successful_reintegration_pence"]) == (0, 3, None)


async def test_another_host_school_may_not_read_the_provisions_value_for_money(
    api: httpx.AsyncClient, world: World,
) -> None:
    await busy_budget(api)
    answer = await api.get(budget_path("/reports/value-for-money"), headers=OTHER_HOST_FINANCE.headers)
    assert answer.status_code == 403, answer.text
