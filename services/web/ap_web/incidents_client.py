"""Calls to the incidents service as the signed-in person.

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


@dataclass(frozen=True, slots=True)
class ServiceAnswer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)


class IncidentsClient:
    def __init__(self, base_url: str, issuer: TokenIssuer) -> None:
        self._base_url = base_url.rstrip("/")
        self._issuer = issuer

    def _headers(self, person: SignedInPerson) -> dict[str, str]:
        token = self._issuer.mint(user_id=person.user_id, organisation_id=person.organisation_id,
                                  org_kind=person.org_kind, roles=person.roles, ttl_seconds=TOKEN_SECONDS,
                                  audience=ServiceAudience.INCIDENTS)
        return {"Authorization": f"Bearer {token}"}

    async def _call(self, method: str, path: str, person: SignedInPerson, body: Any = None) -> ServiceAnswer:
        async with httpx.AsyncClient(base_url=self._base_url, timeout=15) as client:
            response = await client.request(method, path, json=body, headers=self._headers(person))
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        return ServiceAnswer(response.status_code, payload if isinstance(payload, dict) else {"items": payload})

    async def record_incident(self, person: SignedInPerson, pupil_ref: str, body: dict[str, Any]) -> ServiceAnswer:
        return await self._call("POST", f"/v1/pupils/{pupil_ref}/incidents", person, body)

    async def behaviour_log(self, person: SignedInPerson, pupil_ref: str) -> ServiceAnswer:
        return await self._call("GET", f"/v1/pupils/{pupil_ref}/behaviour-log", person)
