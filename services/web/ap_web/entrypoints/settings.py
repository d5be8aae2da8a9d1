"""Settings of the web service, from the environment.

The shared part (``AP_HTTP_HOST`` / ``AP_HTTP_PORT``, ``AP_LOG_LEVEL`` ...) is ``ap_runtime.settings.PlatformSettings``;
the web service adds:

  AP_WEB_OIDC_ISSUER           the identity provider people sign in with (OpenID Connect discovery base)
  AP_WEB_OIDC_CLIENT_ID        this service's client id there (default ap-web)
  AP_WEB_OIDC_CLIENT_SECRET    its client secret
  AP_WEB_INCIDENTS_URL         the incidents API the journeys call (each service's URL: unset, its pages say the
  AP_WEB_FINANCE_URL           service is not available here)
  AP_WEB_REPORTING_URL
  AP_WEB_NOTIFICATIONS_URL
  AP_WEB_COMMISSIONING_URL
  AP_DSN_AP_WEB                the web service's own database: answers in progress (default: database ap_web on
                               the DATABASE_URL server, ``ap_runtime.settings.database_dsn``)
  AP_WEB_SESSION_SECRET        key signing the session cookie (default: a new random key per process, so sessions
                               end when it restarts; set it when several processes serve one address)
  AP_WEB_INSECURE_COOKIES      "1" turns the cookie's Secure flag off (local http development only, never production)
  AP_WEB_IDLE_TIMEOUT_SECONDS  a session unused this long is signed out (default 1200)

Rule served: issue 10, one typed settings object per service, built by ``load_settings``; a bad value stops the
process at start naming the variable. Secrets are ``SecretStr`` (masked in repr and logs).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from pydantic import Field, SecretStr

from ap_runtime.settings import PlatformSettings, database_dsn, env_field, load_settings, port_field


class WebSettings(PlatformSettings):
    """Everything the web process reads from its environment."""

    oidc_issuer: str = Field(validation_alias="AP_WEB_OIDC_ISSUER")
    oidc_client_id: str = env_field("AP_WEB_OIDC_CLIENT_ID", "ap-web")
    oidc_client_secret: SecretStr = Field(validation_alias="AP_WEB_OIDC_CLIENT_SECRET")
    incidents_url: str | None = env_field("AP_WEB_INCIDENTS_URL")
    finance_url: str | None = env_field("AP_WEB_FINANCE_URL")
    reporting_url: str | None = env_field("AP_WEB_REPORTING_URL")
    notifications_url: str | None = env_field("AP_WEB_NOTIFICATIONS_URL")
    commissioning_url: str | None = env_field("AP_WEB_COMMISSIONING_URL")
    #: Answers in progress live here, not in the cookie (``ap_web.drafts``).
    dsn: str = Field(default_factory=lambda: database_dsn("ap_web"), validation_alias="AP_DSN_AP_WEB")
    session_secret: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
                                      validation_alias="AP_WEB_SESSION_SECRET")
    #: Secure cookies always, except where a developer turns them off explicitly (never in production).
    insecure_cookies: bool = env_field("AP_WEB_INSECURE_COOKIES", False)
    #: Idle timeout: a session unused this long is signed out (issue 16: session timeout).
    idle_timeout_seconds: int = Field(20 * 60, gt=0, validation_alias="AP_WEB_IDLE_TIMEOUT_SECONDS")
    http_port: int = port_field(8080)

    @property
    def secure_cookies(self) -> bool:
        return not self.insecure_cookies

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        """The settings of this process (or of ``env``); ``InvalidSetting`` names a bad variable."""
        return load_settings(cls, env)
