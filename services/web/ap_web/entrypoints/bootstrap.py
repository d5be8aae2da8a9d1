"""The web service's bootstrap: its settings and the issuer of the tokens it calls the services with.

``bootstrap(settings)`` builds them from the service's settings (``entrypoints.settings``); a test passes its own
settings and issuer to ``create_app`` instead (the replacements). Rule served: issue 10, one bootstrap per service
that builds its dependencies from the settings and accepts replacements.
"""

from __future__ import annotations

from dataclasses import dataclass

from ap_runtime.access import TokenIssuer
from ap_web.entrypoints.settings import WebSettings


@dataclass(frozen=True, slots=True)
class WebDeps:
    settings: WebSettings
    # Mints a short-lived token for the signed-in person on each call to a service (the web holds its own key).
    issuer: TokenIssuer


async def bootstrap(settings: WebSettings | None = None) -> WebDeps:
    """The web process's dependencies, from ``settings`` (default: this process's environment)."""
    return WebDeps(settings or WebSettings.from_env(), TokenIssuer.from_env())
