"""The Children Outside of School Panel's cases and outcomes, and commissioned places against demand per
phase (seed 004, seed 003 3.2; issue 13)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from ap_commissioning.domain.capacity import RecordCommissionedPlaces, capacity_against_demand, record_places
from ap_commissioning.domain.context import DecisionContext
from ap_commissioning.domain.cosp import (
    OpenOutsideSchoolCase,
    RecordOutsideSchoolOutcome,
    open_outside_school_case,
    record_outcome,
)
from ap_commissioning.domain.panel_state import fold_panel
from ap_contracts.events.commissioning_panels import CommissionedPlacesRecorded, OutsideSchoolOutcomeRecorded
from ap_contracts.events.commissioning_vocabulary import CommissioningEvent, Phase

from .commissioning_panel_history import BATH, COSP, MEMBER, STRANGER, as_user, bath_panel, cosp_panel, refused

CASE = UUID("00000000-0000-0000-0000-00000000e001")


def _open(**overrides: object) -> OpenOutsideSchoolCase:
    fields: dict[str, object] = {"command_id": uuid4(), "panel_id": COSP, "case_id": CASE, "pupil_ref": uuid4(),
                                 "phase": "primary", "reason": "part_time_timetable", "opened_on": "2026-09-16"}
    return OpenOutsideSchoolCase.model_validate({**fields, **overrides})


def _outcome(**overrides: object) -> RecordOutsideSchoolOutcome:
    fields: dict[str, object] = {"command_id": uuid4(), "panel_id": COSP, "case_id": CASE,
                                 "outcome": "school_place_recommended", "school_id": "school-demo-ashgrove",
                                 "recorded_on": "2026-09-30"}
    return RecordOutsideSchoolOutcome.model_validate({**fields, **overrides})


def _opened() -> list[CommissioningEvent]:
    return [*cosp_panel(), *open_outside_school_case(_open(), fold_panel(cosp_panel()), as_user("officer-1"))]


def test_children_outside_school_go_to_their_panel_not_an_area_panel() -> None:
    refused("panel.hears_its_kind", open_outside_school_case, _open(panel_id=BATH), bath_panel(), as_user("o"))
    refused("panel.case_opened_once", open_outside_school_case, _open(), _opened(), as_user("o"))


def test_a_member_records_the_outcome_once() -> None:
    [event] = record_outcome(_outcome(), fold_panel(_opened()), as_user(MEMBER))
    assert isinstance(event, OutsideSchoolOutcomeRecorded) and event.recorded_by == MEMBER
    done = [*_opened(), event]
    refused("panel.case_concluded_once", record_outcome, _outcome(), done, as_user(MEMBER))
    refused("panel.decided_by_member", record_outcome, _outcome(), _opened(), as_user(STRANGER))
    refused("panel.case_exists", record_outcome, _outcome(case_id=str(uuid4())), _opened(), as_user(MEMBER))


def test_a_recommended_place_names_the_school() -> None:
    refused("panel.outcome_names_school", record_outcome, _outcome(school_id=None), _opened(), as_user(MEMBER))
    [event] = record_outcome(_outcome(outcome="left_the_area", school_id=None), fold_panel(_opened()), as_user(MEMBER))
    assert isinstance(event, OutsideSchoolOutcomeRecorded)


def test_places_are_recorded_by_the_caller() -> None:
    command = RecordCommissionedPlaces(command_id=uuid4(), local_authority_id="la-demo-county",
                                       academic_year="2026-27", provider_id="prov-aspire", phase=Phase.SECONDARY,
                                       places=23)
    [event] = record_places(command, None, DecisionContext("officer-1", "la-demo-county", date(2026, 9, 1)))
    assert event == CommissionedPlacesRecorded(local_authority_id="la-demo-county", academic_year="2026-27",
                                               provider_id="prov-aspire", phase=Phase.SECONDARY, places=23,
                                               recorded_by="officer-1")


def test_capacity_against_demand_sums_providers_per_phase_and_shows_the_shortfall() -> None:
    places = {("prov-aspire", Phase.SECONDARY): 23, ("prov-other", Phase.SECONDARY): 4,
              ("prov-other", Phase.PRIMARY): 6}
    referrals = [Phase.SECONDARY] * 30 + [Phase.PRIMARY] * 2
    primary, secondary = capacity_against_demand(places, referrals)
    assert (primary.phase, primary.places_commissioned, primary.referrals, primary.shortfall) == (
        Phase.PRIMARY, 6, 2, 0)
    assert (secondary.places_commissioned, secondary.referrals, secondary.shortfall) == (27, 30, 3)
