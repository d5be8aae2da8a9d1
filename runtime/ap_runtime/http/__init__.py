"""The HTTP edge every service's app installs: refusals made before any handler runs.

``install_edge(app)`` adds one ASGI layer (``edge.HttpEdge``) making, in turn: the per-caller rate limit
(429), the unstorable-text guard on path, query and headers (422), and the body-size limit (413). Limits come from the
environment through ``ap_runtime.settings.PlatformSettings`` (``EdgeLimits.from_env``):

| variable | default | meaning |
|---|---|---|
| ``AP_HTTP_MAX_BODY_BYTES`` | 1048576 (1 MiB) | largest request body accepted |
| ``AP_HTTP_RATE_PER_SECOND`` | 500 | requests a second one caller may sustain |
| ``AP_HTTP_RATE_BURST`` | 1000 | requests one caller may send at once |

The defaults sit well above what the demo, the tests and the ingestion benchmark send (about 200
commands a second from one token, 16 at a time), so none of them is throttled; an operator who
wants a tighter bound per caller sets the variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import FastAPI

from ap_runtime.http.edge import HttpEdge
from ap_runtime.http.rate_limit import TokenBuckets
from ap_runtime.settings import platform_settings

__all__ = ["EdgeLimits", "install_edge"]


@dataclass(frozen=True, slots=True)
class EdgeLimits:
    max_body_bytes: int = 1024 * 1024
    rate_per_second: float = 500.0
    rate_burst: int = 1000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> EdgeLimits:
        """The limits the environment sets; a value that is not a positive number is refused by name."""
        settings = platform_settings(env)
        return cls(max_body_bytes=settings.http_max_body_bytes, rate_per_second=settings.http_rate_per_second,
                   rate_burst=settings.http_rate_burst)


def install_edge(app: FastAPI, limits: EdgeLimits | None = None) -> None:
    """Install the edge middleware on ``app`` (call once, in ``create_app``)."""
    chosen = limits or EdgeLimits.from_env()
    app.add_middleware(HttpEdge, buckets=TokenBuckets(chosen.rate_per_second, chosen.rate_burst),
                       max_body_bytes=chosen.max_body_bytes)
