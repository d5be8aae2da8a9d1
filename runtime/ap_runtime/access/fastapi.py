"""FastAPI wiring for access control: bearer token -> Principal, and a Guard raising HTTP errors.

The only module of ``ap_runtime.access`` that knows about HTTP. A service calls
``install_access(app, verifier=..., guard=...)`` once, takes ``principal_from_request`` as a
dependency, builds the ``ResourceContext`` from its own placement data and awaits
``guard.check(...)`` (or declares ``authorise(action, context_dependency)``). Callers state a
purpose in ``X-Access-Purpose`` (``<category>[: <short note>]``, see ``purpose``), ask for emergency
access with ``X-Break-Glass: true`` and may pass ``X-Correlation-ID``. Every 401 is logged with its
reason and the caller's address, never the token.
"""

# No ``from __future__ import annotations``: FastAPI reads these annotations at runtime, and
# ``authorise`` builds a dependency whose annotations refer to a closure variable.
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ap_runtime.access.context import ResourceContext
from ap_runtime.access.guard import AccessGuard
from ap_runtime.access.policy import Decision
from ap_runtime.access.principal import Principal
from ap_runtime.access.token_replay import TokenReplayed, WriteTokenLedger
from ap_runtime.access.tokens import TokenRejected, TokenVerifier
from ap_runtime.logging import get_logger

PURPOSE_HEADER = "X-Access-Purpose"
BREAK_GLASS_HEADER = "X-Break-Glass"
CORRELATION_HEADER = "X-Correlation-ID"

# Where the edge (the rate limiter) leaves the token it verified and the caller it named, so the route verifies
# nothing again (issue 11: once per request). Only server code writes a request's scope.
VERIFIED_SCOPE_KEY = "ap.verified_token"

log = get_logger("ap.access.http")

_bearer = HTTPBearer(auto_error=False, description="Access token minted by the AP identity service")


class Guard:
    """``AccessGuard`` for HTTP handlers. Its refusals are answered by the one problem format
    (``ap_runtime.http.problems``): 403 ``access-denied`` naming the policy rule, 422
    ``invalid-purpose``, 503 ``audit-unavailable`` or ``policy-unavailable``."""

    def __init__(self, access: AccessGuard) -> None:
        self._access = access

    async def check(
        self,
        principal: Principal,
        action: str,
        ctx: ResourceContext,
        purpose: str | None = None,
        break_glass: bool = False,
        correlation_id: uuid.UUID | None = None,
        recipients: tuple[str, ...] = (),
    ) -> Decision:
        """The audited allowing decision; raises ``AccessDenied``, ``InvalidPurpose``, ``AuditUnavailable``
        or ``PolicyError`` otherwise, for the problem handlers to answer (no conversion by hand here)."""
        return await self._access.check(
            principal,
            action,
            ctx,
            purpose=purpose,
            break_glass=break_glass,
            correlation_id=correlation_id,
            recipients=recipients,
        )


@dataclass(frozen=True, slots=True)
class AccessConfig:
    verifier: TokenVerifier
    guard: Guard | None


def install_access(app: FastAPI, *, verifier: TokenVerifier, guard: AccessGuard | None = None) -> None:
    """Make the token verifier and guard available to this module's dependencies."""
    app.state.ap_access = AccessConfig(verifier=verifier, guard=None if guard is None else Guard(guard))


def _config(request: Request) -> AccessConfig:
    config = getattr(request.app.state, "ap_access", None)
    if not isinstance(config, AccessConfig):
        raise RuntimeError("access control is not installed: call install_access(app, ...)")
    return config


def log_unauthenticated(request: Request, reason: str) -> None:
    """Record a refused token: the reason, the caller's address and the route; never the token."""
    log.warning("access.unauthenticated", reason=reason, client=request.client.host if request.client else None,
                method=request.method, path=request.url.path)


def _unauthorised(reason: str) -> HTTPException:
    description = reason.replace('"', "'")
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail={"reason": reason},
        headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'},
    )


async def principal_from_request(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from ``Authorization: Bearer <token>``; 401 with the reason when absent or invalid."""
    if credentials is None:
        log_unauthenticated(request, "missing bearer token")
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail={"reason": "missing bearer token"},
            headers={"WWW-Authenticate": "Bearer"},
        )
    return verified_principal(request, credentials.credentials)


def remember_verified(scope: MutableMapping[str, Any], verifier: TokenVerifier, token: str,
                      principal: Principal) -> None:
    """Keep ``principal``, the caller ``verifier`` verified ``token`` to, for this request's route."""
    scope[VERIFIED_SCOPE_KEY] = (verifier, token, principal)


def verified_principal(request: Request, token: str) -> Principal:
    """The caller a bearer token names, by the app's verifier (once per request: the edge's verification of this
    very token by this verifier is taken as it is); 401 with the reason when it is refused."""
    verifier = _config(request).verifier
    known = request.scope.get(VERIFIED_SCOPE_KEY)
    if known is not None and known[0] is verifier and known[1] == token:
        principal: Principal = known[2]
        return principal
    try:
        return verifier.verify(token)
    except TokenRejected as rejected:
        log_unauthenticated(request, rejected.reason)
        raise _unauthorised(rejected.reason) from rejected


async def claim_write_token(request: Request, ledger: WriteTokenLedger, principal: Principal,
                            command_id: uuid.UUID) -> None:
    """Bind the caller's token to this write command; a token already used for another is a 401."""
    with replayed_token_refused(request):
        await ledger.claim(principal, command_id)


@contextmanager
def replayed_token_refused(request: Request) -> Iterator[None]:
    """A ``TokenReplayed`` raised inside (a write token claimed by the route's own code, not ``claim_write_token``)
    is a 401 with its reason, logged as every refused token is."""
    try:
        yield
    except TokenReplayed as replayed:
        log_unauthenticated(request, replayed.reason)
        raise _unauthorised(replayed.reason) from replayed


def guard_from_request(request: Request) -> Guard:
    """The installed ``Guard`` (dependency)."""
    guard = _config(request).guard
    if guard is None:
        raise RuntimeError("no access guard installed: pass guard= to install_access")
    return guard


@dataclass(frozen=True, slots=True)
class AccessHeaders:
    """What the caller says about this access: why, whether in an emergency, and the correlation."""

    purpose: str | None
    break_glass: bool
    correlation_id: uuid.UUID


def _correlation(value: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(value) if value else uuid.uuid4()
    except ValueError:
        return uuid.uuid4()


async def access_headers(
    purpose: Annotated[str | None, Header(alias=PURPOSE_HEADER)] = None,
    break_glass: Annotated[bool, Header(alias=BREAK_GLASS_HEADER)] = False,
    correlation: Annotated[str | None, Header(alias=CORRELATION_HEADER)] = None,
) -> AccessHeaders:
    """The access headers of the request (dependency), for handlers calling ``Guard.check``."""
    return AccessHeaders(purpose=purpose, break_glass=break_glass, correlation_id=_correlation(correlation))


# The dependencies every route takes, declared once for every service (issue 10, "Copies").
CallerDep = Annotated[Principal, Depends(principal_from_request)]
"""The verified caller of the request."""
HeadersDep = Annotated[AccessHeaders, Depends(access_headers)]
"""What the caller says about this access (purpose, break glass, correlation)."""
GuardDep = Annotated[Guard, Depends(guard_from_request)]
"""The installed access guard."""


def authorise(action: str, context: Callable[..., Any]) -> Callable[..., Awaitable[Decision]]:
    """A dependency that authorises ``action`` on the resource the ``context`` dependency resolves.

    ``context`` is itself a FastAPI dependency (it may take path parameters and other
    dependencies) returning a ``ResourceContext``. The handler receives the allowing ``Decision``,
    to pass to ``redact``.
    """

    async def dependency(
        principal: CallerDep,
        resource: Annotated[ResourceContext, Depends(context)],
        headers: HeadersDep,
        guard: GuardDep,
    ) -> Decision:
        return await guard.check(
            principal,
            action,
            resource,
            purpose=headers.purpose,
            break_glass=headers.break_glass,
            correlation_id=headers.correlation_id,
        )

    return dependency
