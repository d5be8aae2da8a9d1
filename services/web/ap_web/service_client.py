"""Calls to the platform's services as the signed-in person: one client, one per service's base URL.

The web service never calls a service as itself: each request carries a token minted for the
signed-in person (their organisation and roles from the identity provider), for one audience, with
a short lifetime, so the service's access policy, audit and token-replay rules apply unchanged.
In production the web service holds a signing key registered with the platform's token issuer
(AP_TOKEN_PRIVATE_KEY of its own deployment), the same mechanism ``ap_testing`` uses in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from ap_runtime.access import TokenIssuer
from ap_runtime.access.tokens import ServiceAudience
from ap_web.identity import SignedInPerson

TOKEN_SECONDS = 300


class ServiceUnavailable(Exception):
    """A service a page needs could not be reached or answered 5xx: the page shown says try later, nothing was
    recorded (the app's handler)."""


@dataclass(frozen=True, slots=True)
class ServiceAnswer:
    """A service's answer: its status and its JSON body (a JSON list comes as ``{"items": [...]}``)."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    content: bytes = b""
    content_type: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class ServiceClient:
    """One service's HTTP API (``base_url``), called with a token for ``audience`` minted per call."""

    def __init__(self, base_url: str, issuer: TokenIssuer, audience: ServiceAudience) -> None:
        self._base_url = base_url.rstrip("/")
        self._issuer = issuer
        self._audience = audience

    def _headers(self, person: SignedInPerson) -> dict[str, str]:
        token = self._issuer.mint(user_id=person.user_id, organisation_id=person.organisation_id,
                                  org_kind=person.org_kind, roles=person.roles, ttl_seconds=TOKEN_SECONDS,
                                  audience=self._audience)
        return {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, person: SignedInPerson, body: Any = None,
                   params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
                   wait_seconds: float = 15) -> ServiceAnswer:
        """``headers``: what the person states with the call (``X-Access-Purpose``, ``X-Break-Glass``, ``Accept``);
        ``wait_seconds``: how long to wait for the answer (longer for a document the service renders, such as a PDF)."""
        try:
            async with httpx.AsyncClient(base_url=self._base_url, timeout=wait_seconds) as client:
                response = await client.request(method, path, json=body, params=params,
                                                headers={**(headers or {}), **self._headers(person)})
        except httpx.TransportError as error:  # not reached or no answer: the service-problem page
            raise ServiceUnavailable(self._audience.value) from error
        content_type = response.headers.get("content-type", "")
        payload: Any = {}
        if "json" in content_type:
            try:
                payload = response.json()
            except ValueError:
                payload = {}
        body_map = payload if isinstance(payload, dict) else {"items": payload}
        return ServiceAnswer(response.status_code, body_map, response.content, content_type)

    async def get(self, path: str, person: SignedInPerson, params: dict[str, str] | None = None,
                  wait_seconds: float = 15) -> ServiceAnswer:
        return await self.call("GET", path, person, params=params, wait_seconds=wait_seconds)

    async def post(self, path: str, person: SignedInPerson, body: Any) -> ServiceAnswer:
        return await self.call("POST", path, person, body)
