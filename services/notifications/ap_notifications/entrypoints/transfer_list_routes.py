"""``GET /v1/safeguarding-transfers``: the file transfers the caller's organisation sends or receives (issue 16),
so that a receiving DSL reaches each transfer without being given its address.

Rules served: the list is the DSL's (policy NOT-DSL-1, the same read as one transfer's state); each transfer is
then judged and audited on its own pupil as ``GET /v1/safeguarding-transfers/{transfer_id}`` judges it, and only
transfers naming the caller's organisation as sender or receiving DSL are ever read.
"""

# No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at runtime.
from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel

from ap_contracts.personal import RecordClass
from ap_notifications.adapters.transfer_index import StoreTransferIndex
from ap_notifications.domain.declarations import READ_NOTIFICATIONS
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.http_models import TransferView
from ap_runtime.access import ResourceContext
from ap_runtime.access.fastapi import CallerDep, GuardDep, HeadersDep

TransferReader = Callable[[NotificationServices, UUID], Awaitable[TransferView]]


class TransferList(BaseModel):
    organisation_id: str
    transfers: list[TransferView]


def _services(request: Request) -> NotificationServices:
    services: NotificationServices = request.app.state.notifications
    return services


def add_transfer_list_routes(app: FastAPI, read: TransferReader) -> None:
    """The list route; ``read`` gives one transfer's view as the single read shows it."""

    @app.get("/v1/safeguarding-transfers")
    async def list_transfers(caller: CallerDep, headers: HeadersDep, guard: GuardDep,
                             services: Annotated[NotificationServices, Depends(_services)]) -> TransferList:
        own = caller.organisation_id
        await guard.check(caller, READ_NOTIFICATIONS,
                          ResourceContext(organisation_id=own, record_class=RecordClass.SAFEGUARDING),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        views = [await read(services, transfer_id)
                 for transfer_id in await StoreTransferIndex(services.pool).transfer_ids_of(own)]
        for view in views:
            await guard.check(caller, READ_NOTIFICATIONS, ResourceContext(
                pupil_ref=view.pupil_ref, organisation_id=own, record_class=RecordClass.SAFEGUARDING),
                purpose=headers.purpose, correlation_id=headers.correlation_id)
        return TransferList(organisation_id=own, transfers=views)
