"""The web application: GOV.UK pages over the platform's services, signed in through OpenID Connect.

``create_app`` builds the ``WebContext`` (pages, settings, the draft store, a client per configured service)
and includes each journey of ``ap_web.journeys.JOURNEYS`` (how to add one: that package's docstring).

Rules served (issue 16): every page needs a signed-in person (WEB-SIGNIN-1); every form carries the
session's CSRF token (WEB-CSRF-1, checked before any route acts); a session idle longer than the timeout is
signed out (WEB-SESSION-1); a refusal by a service shows a page that names nothing of another organisation.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from ap_runtime.access import TokenIssuer
from ap_runtime.access.tokens import ServiceAudience
from ap_web.context import ServiceNotConfigured, ServiceUnavailable, WebContext
from ap_web.drafts import DraftStore
from ap_web.entrypoints.settings import WebSettings
from ap_web.identity import UnknownPlatformClaim, person_from_claims
from ap_web.journeys import load_journeys
from ap_web.pages import HERE, Pages
from ap_web.refusals import NotFound, error_links, error_messages, refused, service_problem
from ap_web.service_client import ServiceClient
from ap_web.session import SESSION_DRAFT, SESSION_PERSON, SESSION_SEEN, CheckedForm, CsrfRefused, NeedsSignIn

#: GOV.UK Frontend's compiled styles, scripts, fonts and images, installed by `make install` (npm ci).
GOVUK_DIST = HERE.parent / "node_modules" / "govuk-frontend" / "dist" / "govuk"


def build_context(settings: WebSettings, issuer: TokenIssuer, pages: Pages) -> WebContext:
    """The context every route reaches: a client for each service whose URL the settings give."""
    def client(url: str | None, audience: ServiceAudience) -> ServiceClient | None:
        return ServiceClient(url, issuer, audience) if url else None

    return WebContext(
        pages=pages, settings=settings, drafts=DraftStore(settings.dsn, settings.idle_timeout_seconds),
        incidents=client(settings.incidents_url, ServiceAudience.INCIDENTS),
        finance=client(settings.finance_url, ServiceAudience.FINANCE),
        reporting=client(settings.reporting_url, ServiceAudience.REPORTING),
        notifications=client(settings.notifications_url, ServiceAudience.NOTIFICATIONS),
        commissioning=client(settings.commissioning_url, ServiceAudience.COMMISSIONING))


def create_app(settings: WebSettings, issuer: TokenIssuer) -> FastAPI:
    journeys = load_journeys()
    template_globals: dict[str, Any] = {"error_links": error_links, "error_messages": error_messages}
    for journey in journeys:
        template_globals.update(journey.template_globals)
    pages = Pages([task for journey in journeys for task in journey.tasks], template_globals)
    web = build_context(settings, issuer, pages)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await web.drafts.close()

    app = FastAPI(title="Alternative Provision", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.web = web

    @app.get("/health", include_in_schema=False)
    async def health() -> Response:
        """The probes' address (deploy/k8s/35-web.yaml): the process serves; it reads no session, sets no cookie."""
        return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})

    _guard(app, web)
    _sign_in_routes(app, web)
    for journey in journeys:
        app.include_router(journey.router)
    # The session middleware, added last, runs first: the idle timeout (``_guard``) sees the session.
    app.add_middleware(SessionMiddleware, secret_key=settings.session_secret.get_secret_value(),
                       session_cookie="ap_session", max_age=settings.idle_timeout_seconds * 3, same_site="lax",
                       https_only=settings.secure_cookies)
    app.mount("/assets", StaticFiles(directory=GOVUK_DIST / "assets"), name="assets")
    app.mount("/govuk", StaticFiles(directory=GOVUK_DIST), name="govuk")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def _guard(app: FastAPI, web: WebContext) -> None:
    """The idle timeout and the pages for a refused form, a missing sign-in and a service not configured."""

    @app.middleware("http")
    async def idle_timeout(request: Request, call_next: Any) -> Response:
        """WEB-SESSION-1: an idle session is cleared (its drafts too); its next page asks to sign in again."""
        now = time.time()
        seen = request.session.get(SESSION_SEEN)
        if isinstance(seen, (int, float)) and now - seen > web.settings.idle_timeout_seconds:
            await _end_session(request, web)
            request.session["timed_out"] = True
        if request.session.get(SESSION_PERSON):
            request.session[SESSION_SEEN] = now
        response: Response = await call_next(request)
        return response

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _error: CsrfRefused) -> Response:
        return web.pages.render(request, "refused.html", status=403, heading="Your form could not be sent",
                                message="Go back to the page, reload it and try again.")

    @app.exception_handler(NeedsSignIn)
    async def needs_sign_in(_request: Request, _error: NeedsSignIn) -> Response:
        return RedirectResponse("/", status_code=303)

    # A malformed reference in an address (not a UUID) is as not found as another organisation's pupil.
    @app.exception_handler(NotFound)
    @app.exception_handler(RequestValidationError)
    async def not_found(request: Request, _error: Exception) -> Response:
        return refused(web.pages, request)

    @app.exception_handler(ServiceNotConfigured)
    @app.exception_handler(ServiceUnavailable)
    async def not_available(request: Request, _error: Exception) -> Response:
        return service_problem(web.pages, request)


async def _end_session(request: Request, web: WebContext) -> None:
    """Clear the session and delete its drafts: nothing typed about a child outlives the session."""
    draft = request.session.get(SESSION_DRAFT)
    if isinstance(draft, str):
        await web.drafts.discard(draft)
    request.session.clear()


def _sign_in_routes(app: FastAPI, web: WebContext) -> None:
    settings = web.settings
    oauth = OAuth()
    oauth.register(
        name="platform", client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile platform", "code_challenge_method": "S256"},
    )

    @app.get("/", response_class=HTMLResponse)
    async def start(request: Request) -> Response:
        timed_out = bool(request.session.pop("timed_out", False))
        return web.pages.render(request, "start.html", timed_out=timed_out)

    @app.post("/sign-in")
    async def sign_in(request: Request, _form: CheckedForm) -> Response:
        redirect: Response = await oauth.platform.authorize_redirect(request, str(request.url_for("signed_in")))
        return redirect

    @app.get("/auth/callback", name="signed_in")
    async def callback(request: Request) -> Response:
        try:
            token = await oauth.platform.authorize_access_token(request)
            person = person_from_claims(token.get("userinfo") or {})
        except (OAuthError, UnknownPlatformClaim):
            return web.pages.render(request, "refused.html", status=403,
                                    heading="You cannot sign in to this service",
                                    message="Your account is not set up for this service. Ask your organisation's "
                                            "administrator.")
        await _end_session(request, web)  # a fresh session at sign-in: nothing carried over from before
        request.session[SESSION_PERSON] = person.as_session()
        request.session[SESSION_SEEN] = time.time()
        return RedirectResponse("/", status_code=303)

    @app.post("/sign-out")
    async def sign_out(request: Request, _form: CheckedForm) -> Response:
        await _end_session(request, web)
        return web.pages.render(request, "signed_out.html")
