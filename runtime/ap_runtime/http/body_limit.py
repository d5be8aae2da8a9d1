"""Refuse a request body over the limit before it is read (413 with a problem body).

Rule served (issue 9, "Input and transport"): a 20 MB body was read in full before the 401 and a
50 MB body with a valid token was read and parsed. The limit is enforced twice: by the declared
``Content-Length`` (refused before one byte is read), and by counting the bytes as they stream in,
for chunked bodies or a length that lies. The body is read here, up to the limit, before the app
sees it: the services parse whole JSON bodies anyway, so nothing streams past this point, and a
refusal never depends on how far a handler got (authentication included).
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from ap_runtime.http.problems import Problem, send_problem


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def read_within_limit(scope: Scope, receive: Receive, send: Send, max_bytes: int) -> Receive | None:
    """The request's ``receive`` with the whole body already read (at most ``max_bytes``); None once a body
    over the limit has been answered 413 (by its declared length before a byte is read, else while counting)."""
    declared = _declared_length(scope)
    if declared is not None and declared > max_bytes:
        await _refuse(scope, send, max_bytes)
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: let the app see it
            replay: list[Message] = [message]
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            await _refuse(scope, send, max_bytes)
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]
            break

    async def replayed() -> Message:
        return replay.pop(0) if replay else await receive()

    return replayed


async def _refuse(scope: Scope, send: Send, max_bytes: int) -> None:
    await send_problem(send, scope, Problem(413, "body-too-large", "Request body too large",
                                            f"the request body must not exceed {max_bytes} bytes",
                                            headers={"Connection": "close"}))
