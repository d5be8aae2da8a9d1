"""HTTP route of escalation chains (issue 14), added to the notifications API by ``api.add_routes``.

  POST /v1/organisations/{organisation_id}/escalation-chain   the organisation's head sets its chain

Authorised on the path's organisation and the verified token only (policy NOT-ESC-1, own organisation): a
head of another organisation is refused. The body names roles, never people or organisations, so a chain
cannot send an alert outside the organisation it was sent to.
"""

# No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at runtime.
from collections.abc import Awaitable, Callable
from uuid import UUID

from fastapi import FastAPI, Request
from pydantic import ConfigDict, Field

from ap_contracts.events.notifications import EscalationRole
from ap_contracts.text import TextGuardedModel
from ap_notifications.domain.commands import SetEscalationChain
from ap_notifications.domain.declarations import SET_ESCALATION_CHAIN
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_runtime.access import Principal, ResourceContext
from ap_runtime.access.fastapi import CallerDep, GuardDep, HeadersDep

Claim = Callable[[Request, Principal, UUID], Awaitable[None]]


class EscalationChainRequest(TextGuardedModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    steps: tuple[EscalationRole, ...] = Field(min_length=1, max_length=len(EscalationRole))


class EscalationChainView(TextGuardedModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    organisation_id: str
    steps: tuple[EscalationRole, ...]
    changed: bool


def add_escalation_routes(app: FastAPI, claim: Claim) -> None:
    @app.post(SET_ESCALATION_CHAIN.path, summary=SET_ESCALATION_CHAIN.summary)
    async def set_escalation_chain(
        request: Request, organisation_id: str, body: EscalationChainRequest, caller: CallerDep,
        headers: HeadersDep, guard: GuardDep,
    ) -> EscalationChainView:
        services: NotificationServices = request.app.state.notifications
        await guard.check(caller, SET_ESCALATION_CHAIN.action, ResourceContext(organisation_id=organisation_id),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        command = SetEscalationChain(organisation_id=organisation_id, steps=body.steps, by_user_id=caller.user_id)
        command_id = await services.escalation.chain_command_id(command)
        await claim(request, caller, command_id)
        outcome = await services.escalation.set_chain(command, caller, command_id, headers.correlation_id)
        steps = await services.escalation.chain(organisation_id)
        return EscalationChainView(organisation_id=organisation_id, steps=steps,
                                   changed=bool(outcome.event_ids) and not outcome.duplicate)
