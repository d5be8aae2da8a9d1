"""EXAMPLE DATA for the demo LA: its three Behaviour and Attendance Panel areas, the Children Outside of School
Panel and each area's continuum of provision, as the command bodies that record them (seed 003 2.1, seed 004).

The areas and the Children Outside of School Panel are the seed's (B&NES: Bath; Keynsham and Chew Valley;
Midsomer Norton and Radstock). The services are drawn from what seed 004 says the panels do (small-group
intervention programmes such as anger management and transition, building school staff's capacity, managed
moves) and from the LA's full-time alternative provision (23 places, KS1 to 4); their criteria and expected
waits are illustrative, not an authority's. A real LA records its own through ``POST /v1/panels/...``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ap_contracts.envelope import OrgKind
from ap_contracts.events.commissioning_panels import PanelKind
from ap_contracts.events.commissioning_vocabulary import Phase


@dataclass(frozen=True, slots=True)
class ExamplePanel:
    panel_id: str
    area_id: str
    name: str
    kind: PanelKind = PanelKind.BEHAVIOUR_ATTENDANCE


EXAMPLE_PANELS = (
    ExamplePanel("panel-bath", "bath", "Bath Panel"),
    ExamplePanel("panel-keynsham-chew-valley", "keynsham-chew-valley", "Keynsham and Chew Valley Panel"),
    ExamplePanel("panel-norton-radstock", "norton-radstock", "Norton Radstock Panel"),
    ExamplePanel("panel-children-outside-school", "la-wide", "Children Outside of School Panel",
                 PanelKind.CHILDREN_OUTSIDE_SCHOOL),
)

_BOTH = [Phase.PRIMARY.value, Phase.SECONDARY.value]
_SCHOOLS = [OrgKind.HOME_SCHOOL.value]

EXAMPLE_CONTINUUM: tuple[dict[str, Any], ...] = (
    {"service_id": "svc-group-interventions", "name": "Small-group intervention programmes",
     "phases": _BOTH, "referrer_kinds": _SCHOOLS, "expected_wait_school_days": 10,
     "criteria": "Pupils the school has identified early (anger management, transition); school-based support "
                 "and a Common Assessment Framework already in place"},
    {"service_id": "svc-staff-capacity", "name": "Training and mentoring for school staff",
     "phases": _BOTH, "referrer_kinds": _SCHOOLS, "expected_wait_school_days": 20,
     "criteria": "A school building its own staff's capacity to run intervention programmes"},
    {"service_id": "svc-managed-move", "name": "Managed move to another school of the area",
     "phases": [Phase.SECONDARY.value], "referrer_kinds": _SCHOOLS, "expected_wait_school_days": 15,
     "criteria": "At risk of permanent exclusion; parents agree; a receiving school in the panel area"},
    {"service_id": "svc-full-time-ap", "name": "Full-time alternative provision (KS1 to 4)",
     "phases": _BOTH, "referrer_kinds": [OrgKind.LOCAL_AUTHORITY.value, OrgKind.HOME_SCHOOL.value],
     "expected_wait_school_days": 5,
     "criteria": "Permanently excluded, or otherwise without a suitable full-time education (Education Act "
                 "1996 s19): from the sixth school day"},
)
"""Each a ``ListContinuumService`` body (without ``command_id`` and the path's ``panel_id``)."""
