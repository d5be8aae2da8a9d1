"""What a journey's routes reach: the ``WebContext`` (pages, settings, drafts, a client per service) and
the ``Journey`` a journey module declares (its router, its tasks, its template helpers).

A route takes ``web: Web`` (the context of the running application) and ``person: Person``
(``ap_web.session``); a service not configured for this deployment has no client (None), and its pages
say so rather than fail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ap_web.drafts import DraftStore
from ap_web.entrypoints.settings import WebSettings
from ap_web.pages import Pages, Task
from ap_web.service_client import ServiceClient, ServiceUnavailable
from ap_web.session import draft_id

__all__ = ["Journey", "ServiceNotConfigured", "ServiceUnavailable", "Web", "WebContext", "web_context"]


@dataclass(frozen=True, slots=True)
class Journey:
    """One journey module's contribution: its routes, its tasks (navigation and start page) and the
    functions its templates call (registered as Jinja globals under their keys)."""

    router: APIRouter
    tasks: tuple[Task, ...] = ()
    template_globals: Mapping[str, Callable[..., Any]] = field(default_factory=dict)


class ServiceNotConfigured(Exception):
    """The deployment names no base URL for a service a page needs (its ``AP_WEB_<SERVICE>_URL``)."""


@dataclass(frozen=True, slots=True)
class WebContext:
    pages: Pages
    settings: WebSettings
    drafts: DraftStore
    incidents: ServiceClient | None = None
    finance: ServiceClient | None = None
    reporting: ServiceClient | None = None
    notifications: ServiceClient | None = None
    commissioning: ServiceClient | None = None

    def client(self, name: str) -> ServiceClient:
        """The named service's client, or ``ServiceNotConfigured`` (shown as the service-problem page)."""
        found = getattr(self, name, None)
        if not isinstance(found, ServiceClient):
            raise ServiceNotConfigured(name)
        return found

    async def save_draft(self, request: Request, journey: str, answers: dict[str, Any]) -> None:
        await self.drafts.save(draft_id(request.session), journey, answers)

    async def load_draft(self, request: Request, journey: str) -> dict[str, Any] | None:
        return await self.drafts.load(draft_id(request.session), journey)

    async def discard_draft(self, request: Request, journey: str) -> None:
        await self.drafts.discard(draft_id(request.session), journey)


def web_context(request: Request) -> WebContext:
    context: WebContext = request.app.state.web
    return context


Web = Annotated[WebContext, Depends(web_context)]
