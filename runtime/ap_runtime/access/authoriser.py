"""The port an application service asks about access: ``AccessGuard`` or the HTTP ``Guard``.

Rule served (issue 10, "Layers" and "Copies"): the application layer depends on this small interface, not
on the guard that implements it, and every service names the same one. ``check`` returns the audited
allowing decision or raises (``AccessDenied``, audited too); the resource is positional because the two
guards name it differently.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from ap_runtime.access.context import ResourceContext
from ap_runtime.access.policy import Decision
from ap_runtime.access.principal import Principal


class Authoriser(Protocol):
    """``AccessGuard`` or the HTTP ``Guard``: returns the audited allowing decision or raises."""

    async def check(
        self,
        principal: Principal,
        action: str,
        ctx: ResourceContext,
        /,
        *,
        purpose: str | None = None,
        correlation_id: UUID | None = None,
    ) -> Decision: ...
