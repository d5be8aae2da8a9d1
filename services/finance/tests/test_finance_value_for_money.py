"""Value for money through the finance API (issue 13): the cost per successful reintegration beside the cost per
placement and per pupil-day, from the incidents events finance keeps (placements' ends, the same pupils' later
suspensions, the register's term dates: clear fields only, the pupils' personal fields sealed with real keys).
Rule ``reintegration.successful`` (reintegration-2026.1): back in mainstream and not excluded again within the
four half terms after the end, on the home school's recorded calendar. On the real PostgreSQL."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import httpx
import pytest

from ap_contracts.envelope import Actor as EventActor
from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.organisations import OrganisationRegistered, TermDatesRecorded
from ap_contracts.events.pupil_vocabulary import ExclusionReason
from ap_contracts.events.school_exclusions import SuspensionIssued
from ap_finance.projections.reintegrations import FinanceCalendarProjection, ReintegrationsProjection
from ap_runtime.eventstore import EventStore, NewEvent
from ap_runtime.projection import ProjectionRunner
from ap_runtime.school_days.example import term_dates_bodies

from .conftest import (
    FINANCE_OFFICER,
    LA,
    OTHER_HOST_FINANCE,
    PROVISION,
    World,
    budget_path,
    busy_budget,
    placement_ended,
    placement_started,
)

pytestmark = pytest.mark.integration

HOME = "school-test-home"  # the home school of conftest's placements
ACTOR = EventActor(user_id="pbp-manager-1", organisation_id=PROVISION, roles=("provision_manager",))


async def _append(incidents: EventStore, stream: str, events: list[DomainEvent]) -> None:
    version = await incidents.stream_version(stream)
    await incidents.append(stream, version, [NewEvent(e, ACTOR, PROVISION, uuid4(),
                                                      event_id=getattr(e, "record_id", None) or uuid4())
                                             for e in events])


async def _placement(incidents: EventStore, start: date, end: date | None) -> UUID:
    pupil, placement = uuid4(), uuid4()
    events = [placement_started(pupil, placement, start)]
    if end is not None:
        events.append(placement_ended(pupil, placement, end))  # reintegrated to the home school
    await _append(incidents, f"pupil-{pupil}", events)
    return pupil


def _suspension(pupil: UUID, first_day: date) -> SuspensionIssued:
    return SuspensionIssued(pupil_ref=pupil, record_id=uuid4(), home_school_id=HOME, placement_id=None,
                            first_day=first_day, duration_half_days=2, academic_year="2025/26",
                            year_total_half_days=2, primary_reason=ExclusionReason.PHYSICAL_ASSAULT_PUPIL,
                            parents_informed=True, account="Pupil name here hit a peer", rule_version="test-1")


async def test_cost_per_successful_reintegration_beside_the_other_costs(
    api: httpx.AsyncClient, world: World, incidents: EventStore,
) -> None:
    await busy_budget(api)
    await _append(incidents, f"organisation-{HOME}", [
        OrganisationRegistered(organisation_id=HOME, kind=OrgKind.HOME_SCHOOL, local_authority_id=LA)])
    await _append(incidents, f"organisation-{LA}", [
        TermDatesRecorded.model_validate({**body, "organisation_id": LA, "local_authority_id": LA})
        for body in term_dates_bodies()])
    # Back home on Friday 24 October, Friday 26 September and Friday 5 September 2025: two terms (autumn 2 to
    # summer 1) end on 22 May 2026 with no exclusion: successful by 30 June 2026.
    for start, end in ((date(2025, 4, 28), date(2025, 10, 24)), (date(2025, 5, 6), date(2025, 9, 26)),
                       (date(2025, 6, 2), date(2025, 9, 5))):
        await _placement(incidents, start, end)
    # Back home on 19 December 2025 and suspended on Monday 2 February 2026: not sustained.
    suspended = await _placement(incidents, date(2025, 6, 2), date(2025, 12, 19))
    await _append(incidents, f"pupil-{suspended}", [_suspension(suspended, date(2026, 2, 2))])
    await _placement(incidents, date(2025, 9, 1), None)  # still placed: no reintegration yet
    world.runners += [ProjectionRunner(p, world.pool, "unused:9092")
                      for p in (ReintegrationsProjection(), FinanceCalendarProjection())]
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
