"""The incidents service's projections, as ``ap projections`` builds them (see ``ap_runtime.projection.registry``).

Neither decrypts: personal values stay sealed in the read models, so no key is needed to run or
rebuild them.
"""

from __future__ import annotations

from ap_incidents.entrypoints.bootstrap import EVENTS_DATABASE
from ap_incidents.entrypoints.settings import incidents_settings
from ap_incidents.projections import (
    AttendanceMarksProjection,
    BehaviourLogProjection,
    ExclusionsForBoardProjection,
    PlacementRegisterProjection,
)
from ap_runtime.projection.registry import RegisteredProjection, pooled
from ap_runtime.settings import database_dsn


def _read_dsn() -> str:
    return incidents_settings().read_dsn or database_dsn(EVENTS_DATABASE)


PROJECTIONS = (
    RegisteredProjection(BehaviourLogProjection.name, "incidents", pooled(BehaviourLogProjection, _read_dsn)),
    RegisteredProjection(PlacementRegisterProjection.name, "incidents",
                         pooled(PlacementRegisterProjection, _read_dsn)),
    RegisteredProjection(AttendanceMarksProjection.name, "incidents", pooled(AttendanceMarksProjection, _read_dsn)),
    RegisteredProjection(ExclusionsForBoardProjection.name, "incidents",
                         pooled(ExclusionsForBoardProjection, _read_dsn)),
)
