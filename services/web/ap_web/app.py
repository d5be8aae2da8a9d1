"""The web application: GOV.UK pages over the platform's services, signed in through OpenID Connect.

Rules served (issue 16): every page needs a signed-in person (WEB-SIGNIN-1); every form carries the
session's CSRF token (WEB-CSRF-1, checked before any route acts); a session idle longer than the timeout is signed out
(WEB-SESSION-1); a refusal by a service shows a page that names nothing of another organisation.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.middleware.sessions import SessionMiddleware

from ap_runtime.access import TokenIssuer
from ap_web.csrf import FORM_FIELD, csrf_token, csrf_valid
from ap_web.entrypoints.settings import WebSettings
from ap_web.identity import SignedInPerson, UnknownPlatformClaim, person_from_claims
from ap_web.incident_form import (
    CHOICES,
    RULE_FIELDS,
    SCHOOL_CLOCK,
    FieldError,
    check_answers,
    choice_items,
    command_body,
    error_links,
)
from ap_web.incidents_client import IncidentsClient

HERE = Path(__file__).resolve().parent
#: GOV.UK Frontend's compiled styles, scripts, fonts and images, installed by `make install` (npm ci).
GOVUK_DIST = HERE.parent / "node_modules" / "govuk-frontend" / "dist" / "govuk"
SESSION_PERSON, SESSION_SEEN, SESSION_ANSWERS = "person", "seen", "incident_answers"


def _templates() -> Environment:
    environment = Environment(
        loader=ChoiceLoader([
            FileSystemLoader(HERE / "templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]),
        autoescape=select_autoescape(["html"]),
    )
    environment.globals["choice_items"] = choice_items
    environment.globals["error_links"] = error_links
    environment.globals["choice_text"] = lambda name, value: CHOICES[name].get(str(value), str(value))
    environment.filters["moment"] = moment_in_words
    environment.filters["choice_word"] = lambda value, name: CHOICES[name].get(str(value), str(value))
    return environment


def moment_in_words(value: object) -> str:
    """An ISO moment as GOV.UK writes dates and times, on the school clock: 5 December 2026, 6:17pm."""
    try:
        moment = datetime.fromisoformat(str(value)).astimezone(SCHOOL_CLOCK)
    except ValueError:
        return str(value)
    return f"{moment.day} {moment:%B %Y}, {moment.hour % 12 or 12}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}"


class Pages:
    """Renders the pages with what every page needs (the person, the CSRF token)."""

    def __init__(self) -> None:
        self._environment = _templates()

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        body = self._environment.get_template(name).render(
            person=request.session.get(SESSION_PERSON), csrf_field=FORM_FIELD,
            csrf_token=csrf_token(request.session), **context)
        return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


class CsrfRefused(Exception):
    """WEB-CSRF-1: the form's token is not the session's; nothing is changed."""

    rule = "WEB-CSRF-1"


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token has been checked against the session's (WEB-CSRF-1)."""
    form = await request.form()
    if not csrf_valid(request.session, form.get(FORM_FIELD)):
        raise CsrfRefused
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def signed_in(request: Request) -> SignedInPerson | None:
    raw = request.session.get(SESSION_PERSON)
    if not isinstance(raw, dict):
        return None
    try:
        return person_from_claims(raw)
    except UnknownPlatformClaim:
        return None


def create_app(settings: WebSettings, issuer: TokenIssuer) -> FastAPI:
    app = FastAPI(title="Alternative Provision", docs_url=None, redoc_url=None, openapi_url=None)
    pages = Pages()
    incidents = IncidentsClient(settings.incidents_url, issuer)
    oauth = OAuth()
    oauth.register(
        name="platform", client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile platform", "code_challenge_method": "S256"},
    )

    @app.middleware("http")
    async def idle_timeout(request: Request, call_next: Any) -> Response:
        """WEB-SESSION-1: an idle session is cleared; its next page asks to sign in again."""
        now = time.time()
        seen = request.session.get(SESSION_SEEN)
        if isinstance(seen, (int, float)) and now - seen > settings.idle_timeout_seconds:
            request.session.clear()
            request.session["timed_out"] = True
        if request.session.get(SESSION_PERSON):
            request.session[SESSION_SEEN] = now
        response: Response = await call_next(request)
        return response

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _error: CsrfRefused) -> Response:
        return pages.render(request, "refused.html", status=403, heading="Your form could not be sent",
                            message="Go back to the page, reload it and try again.")

    # The session middleware, added last, runs first: the idle timeout above sees the session.
    app.add_middleware(SessionMiddleware, secret_key=settings.session_secret.get_secret_value(),
                       session_cookie="ap_session",
                       max_age=settings.idle_timeout_seconds * 3, same_site="lax",
                       https_only=settings.secure_cookies)
    app.mount("/assets", StaticFiles(directory=GOVUK_DIST / "assets"), name="assets")
    app.mount("/govuk", StaticFiles(directory=GOVUK_DIST), name="govuk")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/", response_class=HTMLResponse)
    async def start(request: Request) -> Response:
        timed_out = bool(request.session.pop("timed_out", False))
        return pages.render(request, "start.html", timed_out=timed_out)

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
            return pages.render(request, "refused.html", status=403, heading="You cannot sign in to this service",
                                message="Your account is not set up for this service. Ask your organisation's "
                                        "administrator.")
        request.session.clear()  # a fresh session at sign-in: nothing carried over from before
        request.session[SESSION_PERSON] = person.as_session()
        request.session[SESSION_SEEN] = time.time()
        return RedirectResponse("/", status_code=303)

    @app.post("/sign-out")
    async def sign_out(request: Request, _form: CheckedForm) -> Response:
        request.session.clear()
        return pages.render(request, "signed_out.html")

    def needs_sign_in() -> Response:
        return RedirectResponse("/", status_code=303)

    @app.get("/incidents/new", response_class=HTMLResponse)
    async def incident_question(request: Request) -> Response:
        if signed_in(request) is None:
            return needs_sign_in()
        answers = request.session.get(SESSION_ANSWERS) or {}
        return pages.render(request, "incident_question.html", answers=answers, errors=[])

    @app.post("/incidents/new")
    async def incident_answers(request: Request, form: CheckedForm) -> Response:
        if signed_in(request) is None:
            return needs_sign_in()
        answers: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in (
            "pupil_ref", "placement_id", "happened_on", "happened_time", "category", "severity", "location",
            "description")}
        answers["triggers"] = [str(value) for value in form.getlist("triggers")]
        errors = check_answers(answers)
        if errors:
            return pages.render(request, "incident_question.html", status=422, answers=answers, errors=errors)
        answers["command_id"], answers["incident_id"] = str(uuid.uuid4()), str(uuid.uuid4())
        request.session[SESSION_ANSWERS] = answers
        return RedirectResponse("/incidents/check", status_code=303)

    @app.get("/incidents/check", response_class=HTMLResponse)
    async def incident_check(request: Request) -> Response:
        if signed_in(request) is None:
            return needs_sign_in()
        answers = request.session.get(SESSION_ANSWERS)
        if not answers:
            return RedirectResponse("/incidents/new", status_code=303)
        return pages.render(request, "incident_check.html", answers=answers)

    @app.post("/incidents/check")
    async def incident_send(request: Request, _form: CheckedForm) -> Response:
        person = signed_in(request)
        if person is None:
            return needs_sign_in()
        answers = request.session.get(SESSION_ANSWERS)
        if not answers:
            return RedirectResponse("/incidents/new", status_code=303)
        answer = await incidents.record_incident(person, answers["pupil_ref"], command_body(answers, person.user_id))
        if answer.status in (200, 201):
            request.session.pop(SESSION_ANSWERS, None)
            return pages.render(request, "incident_done.html", answers=answers)
        if answer.status >= 500:
            return service_problem(request)
        if answer.status in (401, 403, 404):
            return refused(request)
        # A validation or rule refusal: shown against the fields, in the service's own words; nothing stored.
        errors = [FieldError(_field_of(str(item.get("field", ""))), str(item.get("problem", "")))
                  for item in answer.body.get("errors") or []]
        if not errors:
            field = RULE_FIELDS.get(str(answer.body.get("rule")), "description")
            errors = [FieldError(field, str(answer.body.get("detail") or "The incident could not be recorded. "
                                            "Check your answers and try again."))]
        return pages.render(request, "incident_question.html", status=422, answers=answers, errors=errors)

    @app.get("/pupils/{pupil_ref}/behaviour-log", response_class=HTMLResponse)
    async def behaviour_log(request: Request, pupil_ref: uuid.UUID) -> Response:
        person = signed_in(request)
        if person is None:
            return needs_sign_in()
        answer = await incidents.behaviour_log(person, str(pupil_ref))
        if answer.status >= 500:
            return service_problem(request)
        if answer.status != 200:
            return refused(request)
        return pages.render(request, "behaviour_log.html", pupil_ref=str(pupil_ref),
                            entries=answer.body.get("entries") or answer.body.get("items") or [])

    def service_problem(request: Request) -> Response:
        """The service behind could not answer (e.g. the access audit is down): nothing was done; try later."""
        return pages.render(request, "refused.html", status=503, heading="Sorry, there is a problem with the service",
                            message="Try again later. Nothing you entered has been recorded.")

    def refused(request: Request) -> Response:
        """One page for 'not yours' and 'not there': it names nothing, so it reveals nothing."""
        return pages.render(request, "refused.html", status=404, heading="Page not found",
                            message="If you typed the web address, check it is correct. If you followed a link, "
                                    "the record may not be one your organisation can see.")

    return app


FIELDS = ("pupil_ref", "placement_id", "happened_on", "category", "severity", "location", "triggers",
          "description")


def _field_of(service_field: str) -> str:
    """The page's field for a service's field name (``happened_at`` is asked as a date and a time)."""
    head = service_field.split(".")[0].split("[")[0]
    if head == "happened_at":
        return "happened_on"
    return head if head in FIELDS else "description"
