"""The commissioning service's projections, as ``ap projections`` builds them (``ap_runtime.projection.registry``)."""

from __future__ import annotations

from ap_commissioning.adapters.event_store import commissioning_dsn
from ap_commissioning.projections.calendars import CommissioningCalendarProjection
from ap_runtime.projection.registry import RegisteredProjection, pooled

PROJECTIONS = (
    RegisteredProjection(CommissioningCalendarProjection.name, "commissioning",
                         pooled(CommissioningCalendarProjection, commissioning_dsn)),
)
