"""HTTP read of early-warning flags (issue 14, seed 003 section 2.2), added to the notifications API by ``add_routes``.

  GET /v1/pupils/{pupil_ref}/early-warnings   the pupil's current flags: the latest of each rule for the pupil's
                                              placement in force, each with its rule, inputs and cited event ids

Authorised on stored facts and the verified token only: the pupil's placement as the trends read model recorded it
(its home school and provision) decides who may read (policy NOT-EW-1, NOT-EW-2). Another school, another provision,
the commissioner and the LA are refused (403), and so is everyone for a pupil the read model knows no placement of,
so a refusal says nothing about whether the pupil has flags.
"""

# No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at runtime.
from uuid import UUID

from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict

from ap_contracts.events.notifications import EarlyWarningRaised
from ap_notifications.domain.declarations import READ_EARLY_WARNINGS
from ap_notifications.domain.early_warning import Responsibility
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.projections import trends_store
from ap_notifications.projections.trends import TrendsProjection
from ap_runtime.access import ResourceContext
from ap_runtime.access.fastapi import CallerDep, GuardDep, HeadersDep
from ap_runtime.projection import read_model


class EarlyWarningList(BaseModel):
    """The pupil's current flags, each as it was recorded (``EarlyWarningRaised``: rule, inputs, cited events)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pupil_ref: UUID
    placement_id: UUID | None
    flags: tuple[EarlyWarningRaised, ...]


async def _placement_and_flags(services: NotificationServices, pupil_ref: UUID,
                               ) -> tuple[Responsibility | None, tuple[EarlyWarningRaised, ...]]:
    try:
        async with read_model(services.pool, TrendsProjection.name) as conn:
            responsible = await trends_store.placement(conn, None, pupil_ref)
            if responsible is None or responsible.ended:  # no placement in force: no flag is current
                return responsible, ()
            return responsible, await trends_store.current_flags(conn, responsible.placement_id)
    except LookupError:  # the trends read model was never built on this database: nothing is known
        return None, ()


def add_early_warning_routes(app: FastAPI) -> None:
    @app.get("/v1/pupils/{pupil_ref}/early-warnings", summary="A pupil's current early-warning flags")
    async def read_early_warnings(
        request: Request, pupil_ref: UUID, caller: CallerDep, headers: HeadersDep, guard: GuardDep,
    ) -> EarlyWarningList:
        services: NotificationServices = request.app.state.notifications
        responsible, flags = await _placement_and_flags(services, pupil_ref)
        ctx = ResourceContext(pupil_ref=pupil_ref) if responsible is None else ResourceContext(
            pupil_ref=pupil_ref, provision_id=responsible.provision_id, home_school_id=responsible.home_school_id)
        await guard.check(caller, READ_EARLY_WARNINGS, ctx, purpose=headers.purpose,
                          correlation_id=headers.correlation_id)
        return EarlyWarningList(pupil_ref=pupil_ref,
                                placement_id=None if responsible is None else responsible.placement_id,
                                flags=flags)
