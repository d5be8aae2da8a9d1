"""The demo LA's example panels and continuum (seed 003 2.1, seed 004) are bodies the deciders accept: each
area's panel is constituted and lists every example service; the seed's three areas and its Children Outside
of School Panel are there."""

from __future__ import annotations

from uuid import uuid4

from ap_commissioning.domain.continuum import EXAMPLE_CONTINUUM, EXAMPLE_PANELS
from ap_commissioning.domain.panel_state import fold_panel
from ap_commissioning.domain.panels import ConstitutePanel, ListContinuumService, constitute_panel, list_service
from ap_contracts.envelope import OrgKind
from ap_contracts.events.commissioning_panels import PanelKind
from ap_contracts.events.commissioning_vocabulary import CommissioningEvent

from .commissioning_panel_history import LA, as_user

OFFICER = as_user("la-officer-1", OrgKind.LOCAL_AUTHORITY)


def test_the_seeds_panel_areas_and_the_children_outside_school_panel() -> None:
    assert [p.name for p in EXAMPLE_PANELS] == [
        "Bath Panel", "Keynsham and Chew Valley Panel", "Norton Radstock Panel", "Children Outside of School Panel"]
    assert [p.kind for p in EXAMPLE_PANELS].count(PanelKind.CHILDREN_OUTSIDE_SCHOOL) == 1


def test_every_area_panel_lists_every_example_service() -> None:
    for panel in (p for p in EXAMPLE_PANELS if p.kind is PanelKind.BEHAVIOUR_ATTENDANCE):
        history: list[CommissioningEvent] = list(constitute_panel(ConstitutePanel(
            command_id=uuid4(), panel_id=panel.panel_id, local_authority_id=LA, kind=panel.kind,
            area_id=panel.area_id, name=panel.name), fold_panel([]), OFFICER))
        for body in EXAMPLE_CONTINUUM:
            command = ListContinuumService.model_validate({"command_id": uuid4(), "panel_id": panel.panel_id, **body})
            history += list_service(command, fold_panel(history), OFFICER)
        assert set(fold_panel(history).services) == {body["service_id"] for body in EXAMPLE_CONTINUUM}
