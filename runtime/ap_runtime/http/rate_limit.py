"""Per-caller request rate limits: a token bucket per verified token subject, else per client address.

Rule served (issue 9, "Input and transport"): one caller cannot flood a service. A caller is the
subject of a bearer token the service's own verifier accepts (``install_access``); a request
without one is counted against its client address, so forging tokens buys no extra allowance.
Over the limit the answer is 429 with a problem body and ``Retry-After`` (whole seconds until the
bucket holds a request again). Each bucket holds ``burst`` requests and refills at ``per_second``.
Buckets live in the process: several replicas each allow the rate (the limit is per process).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import Scope

from ap_runtime.access.fastapi import remember_verified
from ap_runtime.http.problems import Problem

MAX_TRACKED_CALLERS = 10_000  # beyond this, refilled (else the oldest) buckets are forgotten


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """A bucket per caller key; ``take(key)`` is 0 when the request may go, else seconds to wait."""

    def __init__(self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("a rate limit needs per_second > 0 and burst >= 1")
        self.per_second = per_second
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str) -> float:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED_CALLERS:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.per_second)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.per_second

    def _forget_full(self, now: float) -> None:
        """Bound memory: forget buckets that have refilled; if all are busy, the oldest ones."""
        refill = self.burst / self.per_second
        for key in [k for k, b in self._buckets.items() if now - b.updated >= refill]:
            del self._buckets[key]
        while len(self._buckets) >= MAX_TRACKED_CALLERS:
            del self._buckets[next(iter(self._buckets))]


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


def caller_key(scope: Scope) -> str:
    """``sub:<subject>`` of a token the app's verifier accepts, else ``addr:<client address>``. The caller an
    accepted token names is kept in the scope for the route (``remember_verified``): verified once per request."""
    token = _bearer(scope)
    access = getattr(getattr(scope.get("app"), "state", None), "ap_access", None)
    verifier = getattr(access, "verifier", None)
    if token is not None and verifier is not None:
        try:
            principal = verifier.verify(token)
        except Exception:  # noqa: S110  # nosec B110 - any refused token counts against the address
            pass
        else:
            remember_verified(scope, verifier, token, principal)
            return f"sub:{principal.user_id}"
    client = scope.get("client")
    return f"addr:{client[0] if client else 'unknown'}"


def rate_refusal(buckets: TokenBuckets, scope: Scope) -> Problem | None:
    """429 with ``Retry-After`` once the caller's bucket is empty, else None (the request is counted)."""
    wait = buckets.take(caller_key(scope))
    if wait <= 0:
        return None
    seconds = max(1, math.ceil(wait))
    return Problem(429, "rate-limited", "Too many requests",
                   f"this caller may send {buckets.per_second:g} requests a second "
                   f"(bursts of {buckets.burst}); retry after {seconds} s",
                   headers={"Retry-After": str(seconds)})
