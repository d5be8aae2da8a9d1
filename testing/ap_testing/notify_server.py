"""A local stand-in for GOV.UK Notify's API that checks every request against Notify's published API.

What it checks, in Notify's order (docs.notifications.service.gov.uk/rest-api.html):
1. the path and method: ``POST /v2/notifications/email`` or ``/v2/notifications/sms`` (404 otherwise);
2. the ``Authorization: Bearer <JWT>`` header: a JWT with header ``{"typ": "JWT", "alg": "HS256"}``, signed
   HS256 with the secret part of the API key, ``iss`` the service id, ``iat`` within 30 seconds of now
   (401 AuthError without a token, 403 AuthError for a bad one);
3. answers scripted by the test (``answer_next``): 429 RateLimitError / TooManyRequestsError, 500, 403, 400;
4. the JSON body against Notify's schema: ``email_address`` (or ``phone_number``, a UK mobile number) and
   ``template_id`` (a UUID of a template the server knows) required, ``personalisation`` an object with every
   placeholder the template names, ``reference`` a string, no other property (400 ValidationError /
   BadRequestError otherwise, in Notify's ``{"status_code", "errors": [{"error", "message"}]}`` shape);
then 201 with the notification's id, reference, content and template, as Notify answers.

It runs a plain ``http.server`` on loopback in a thread (the official client is synchronous). Every request is
kept in ``requests`` with the status answered; ``accepted`` are those answered 201.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID, uuid4

import jwt

JWT_BOUND_SECONDS = 30
PATHS = {"/v2/notifications/email": "email_address", "/v2/notifications/sms": "phone_number"}
OPTIONAL = {
    "email_address": {"personalisation", "reference", "email_reply_to_id", "one_click_unsubscribe_url",
                      "scheduled_for"},
    "phone_number": {"personalisation", "reference", "sms_sender_id", "scheduled_for"},
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_UK_MOBILE = re.compile(r"^(?:\+44|0044|0)7\d{9}$")
_PLACEHOLDER = re.compile(r"\(\(([^)]+)\)\)")
SCRIPTED = {
    400: ("BadRequestError", "Can't send to this recipient using a team-only API key"),
    403: ("AuthError", "Invalid token: API key revoked"),
    429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
    500: ("Exception", "Internal server error"),
}


@dataclass(frozen=True, slots=True)
class FakeTemplate:
    """A Notify template: its subject (email only) and body, with ``((placeholders))``."""

    body: str
    subject: str = ""

    def placeholders(self) -> set[str]:
        return set(_PLACEHOLDER.findall(self.subject + self.body))

    def fill(self, text: str, values: dict[str, Any]) -> str:
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


@dataclass(frozen=True, slots=True)
class NotifyRequest:
    """One request as the server saw it and what it answered."""

    path: str
    body: dict[str, Any] | None
    claims: dict[str, Any] | None
    status: int
    answer: dict[str, Any]


class NotifyRefusal(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


@dataclass
class FakeNotify:
    """The fake Notify service ``service_id`` with API secret ``secret`` and its ``templates``."""

    templates: dict[str, FakeTemplate]
    service_id: str = field(default_factory=lambda: str(uuid4()))
    secret: str = field(default_factory=lambda: str(uuid4()))
    requests: list[NotifyRequest] = field(default_factory=list)
    _scripted: deque[tuple[int, str | None]] = field(default_factory=deque)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_key(self) -> str:
        """A key as Notify shows it: name, service id, secret."""
        return f"ap-test-key-{self.service_id}-{self.secret}"

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def accepted(self) -> list[NotifyRequest]:
        with self._lock:
            return [r for r in self.requests if r.status == 201]

    def answer_next(self, status: int, error: str | None = None) -> None:
        """The next request that passes the token check is answered ``status`` (``error`` names Notify's error)."""
        with self._lock:
            self._scripted.append((status, error))

    def start(self) -> FakeNotify:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                status, answer, body, claims = fake.answer(self.path, dict(self.headers.items()),
                                                           self.rfile.read(length))
                with fake._lock:
                    fake.requests.append(NotifyRequest(self.path, body, claims, status, answer))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST  # a GET on a send path is refused as Notify does

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, path: str, headers: dict[str, str], raw: bytes
               ) -> tuple[int, dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]:
        """Status and JSON answer for one request, with the body and token claims it carried."""
        body: dict[str, Any] | None = None
        claims: dict[str, Any] | None = None
        try:
            recipient_field = PATHS.get(path)
            if recipient_field is None:
                raise NotifyRefusal(404, "ResourceNotFound", "Not found")
            claims = self._claims(headers)
            with self._lock:
                scripted = self._scripted.popleft() if self._scripted else None
            if scripted is not None:
                status, error = scripted
                default_error, message = SCRIPTED[status]
                raise NotifyRefusal(status, error or default_error, message)
            body = self._body(headers, raw)
            return 201, self._created(recipient_field, body), body, claims
        except NotifyRefusal as refused:
            answer = {"status_code": refused.status, "errors": [{"error": refused.error, "message": refused.message}]}
            return refused.status, answer, body, claims

    def _claims(self, headers: dict[str, str]) -> dict[str, Any]:
        authorization = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        if not authorization.startswith("Bearer "):
            raise NotifyRefusal(401, "AuthError", "Unauthorized: authentication token must be provided")
        token = authorization.removeprefix("Bearer ")
        try:
            header = jwt.get_unverified_header(token)
            claims: dict[str, Any] = jwt.decode(token, key=self.secret, algorithms=["HS256"],
                                                options={"verify_iat": False})
        except jwt.InvalidTokenError:
            raise NotifyRefusal(403, "AuthError", "Invalid token: signature, api token not found") from None
        if header.get("typ") != "JWT" or header.get("alg") != "HS256":
            raise NotifyRefusal(403, "AuthError", "Invalid token: algorithm used is not HS256")
        if claims.get("iss") != self.service_id:
            raise NotifyRefusal(403, "AuthError", "Invalid token: service not found")
        iat = claims.get("iat")
        if not isinstance(iat, int) or abs(int(time.time()) - iat) > JWT_BOUND_SECONDS:
            raise NotifyRefusal(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
        return claims

    def _body(self, headers: dict[str, str], raw: bytes) -> dict[str, Any]:
        content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        if not content_type.startswith("application/json"):
            raise NotifyRefusal(400, "BadRequestError", "Content-Type must be application/json")
        try:
            body = json.loads(raw)
        except ValueError:
            raise NotifyRefusal(400, "BadRequestError", "Invalid JSON supplied in POST data") from None
        if not isinstance(body, dict):
            raise NotifyRefusal(400, "ValidationError", "request body is not an object")
        return body

    def _created(self, recipient_field: str, body: dict[str, Any]) -> dict[str, Any]:
        for required in (recipient_field, "template_id"):
            if required not in body:
                raise NotifyRefusal(400, "ValidationError", f"{required} is a required property")
        unexpected = set(body) - {recipient_field, "template_id"} - OPTIONAL[recipient_field]
        if unexpected:
            named = ", ".join(sorted(unexpected))
            raise NotifyRefusal(400, "ValidationError",
                                f"Additional properties are not allowed ({named} was unexpected)")
        recipient = body[recipient_field]
        valid = _EMAIL if recipient_field == "email_address" else _UK_MOBILE
        if not isinstance(recipient, str) or not valid.match(recipient.replace(" ", "")):
            what = "Not a valid email address" if recipient_field == "email_address" else "Not a UK mobile number"
            raise NotifyRefusal(400, "ValidationError", f"{recipient_field} {what}")
        template = self._template(body["template_id"])
        personalisation = body.get("personalisation", {})
        if not isinstance(personalisation, dict):
            raise NotifyRefusal(400, "ValidationError", "personalisation is not of type object")
        missing = template.placeholders() - set(personalisation)
        if missing:
            raise NotifyRefusal(400, "BadRequestError", f"Missing personalisation: {', '.join(sorted(missing))}")
        reference = body.get("reference")
        if reference is not None and not isinstance(reference, str):
            raise NotifyRefusal(400, "ValidationError", "reference is not of type string")
        notification_id = str(uuid4())
        content: dict[str, Any] = {"body": template.fill(template.body, personalisation)}
        if recipient_field == "email_address":
            content |= {"subject": template.fill(template.subject, personalisation),
                        "from_email": "ap-alerts@notifications.service.gov.uk", "one_click_unsubscribe_url": None}
        else:
            content["from_number"] = "GOVUK"
        return {"id": notification_id, "reference": reference, "content": content,
                "uri": f"{self.base_url}/v2/notifications/{notification_id}",
                "template": {"id": body["template_id"], "version": 1,
                             "uri": f"{self.base_url}/v2/template/{body['template_id']}"}}

    def _template(self, template_id: Any) -> FakeTemplate:
        try:
            UUID(str(template_id))
        except ValueError:
            raise NotifyRefusal(400, "ValidationError", f"template_id {template_id} is not a valid UUID") from None
        template = self.templates.get(str(template_id))
        if template is None:
            raise NotifyRefusal(400, "BadRequestError", "Template not found")
        return template
