"""Problem responses (RFC 9457) sent by the ASGI edge, before any service code runs.

The services format their own refusals; these are the ones made at the edge, with the same fields
(``type``, ``title``, ``status``, ``detail`` and, for a bad input, ``errors`` naming each field).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from starlette.types import Send

PROBLEM_MEDIA_TYPE = b"application/problem+json"


async def send_problem(send: Send, status: int, slug: str, title: str, detail: str, *,
                       errors: Sequence[Mapping[str, str]] | None = None,
                       headers: Mapping[str, str] | None = None) -> None:
    """Answer the request with a problem body; the connection is closed when the body was not read."""
    body: dict[str, object] = {"type": f"urn:ap:problem:{slug}", "title": title, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = [dict(error) for error in errors]
    payload = json.dumps(body).encode()
    raw_headers = [(b"content-type", PROBLEM_MEDIA_TYPE), (b"content-length", str(len(payload)).encode())]
    raw_headers += [(name.lower().encode("latin-1"), value.encode("latin-1"))
                    for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
