"""The HTTP edge as one pure ASGI layer: the per-caller rate (429), unstorable text (422), body size (413).

Rules served: issue 9, "Input and transport" (each refusal made before any handler runs, with a problem
body; see ``rate_limit``, ``text_guard`` and ``body_limit``), and issue 11 (command path CPU): the three
were three middlewares, each a frame and an await wrapped around every request; here they are three
checks in one, in the same order, so a caller over its rate is refused whatever it sent and unstorable
text in the URL is named before an oversized body is read.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from ap_runtime.http.body_limit import read_within_limit
from ap_runtime.http.problems import send_problem
from ap_runtime.http.rate_limit import TokenBuckets, rate_refusal
from ap_runtime.http.text_guard import text_refusal

__all__ = ["HttpEdge"]


class HttpEdge:
    """ASGI middleware: rate, then text, then body size; a refused request never reaches the app."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets, max_body_bytes: int) -> None:
        self.app = app
        self.buckets = buckets
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = rate_refusal(self.buckets, scope) or text_refusal(scope)
        if refusal is not None:
            await send_problem(send, scope, refusal)
            return
        body = await read_within_limit(scope, receive, send, self.max_body_bytes)
        if body is not None:
            await self.app(scope, body, send)
