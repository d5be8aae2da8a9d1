"""GOV.UK Notify's settings (delivery ``notify``), read from the environment with the service's settings.

  AP_NOTIFY_GOVUK_API_KEY         the service's API key, ``<key name>-<service id>-<secret>`` as Notify shows it
  AP_NOTIFY_GOVUK_BASE_URL        Notify's API (default https://api.notifications.service.gov.uk; tests name a
                                  local server)
  AP_NOTIFY_GOVUK_CHANNEL         email (default) or sms: what this deployment sends through Notify
  AP_NOTIFY_GOVUK_TEMPLATES_FILE  JSON: message kind (the platform's template id, or ``default``) -> Notify
                                  template id
  AP_NOTIFY_GOVUK_MAX_ATTEMPTS    attempts before a message is dead-lettered on 429 or 5xx (default 5)
  AP_NOTIFY_GOVUK_BACKOFF_SECONDS wait before the first retry, doubled each time (default 1)
  AP_NOTIFY_GOVUK_TIMEOUT_SECONDS one request's timeout (default 10)

The recipients directory (``AP_NOTIFY_RECIPIENTS_FILE``) holds email addresses, or mobile numbers for sms.
Rule served: issue 14, Notify as a channel configured like the others; a bad value stops the process at
start naming the variable, never showing the key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

NOTIFY_API = "https://api.notifications.service.gov.uk"
# Notify's key: any name, then the service id and the secret, both UUIDs (the client cuts them off the end).
_API_KEY = re.compile(r"^.+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                      r"-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

NotifyTemplates = Mapping[str, str]


class GovukNotifySettings(BaseModel):
    """How this deployment reaches GOV.UK Notify."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    api_key: SecretStr = Field(validation_alias="AP_NOTIFY_GOVUK_API_KEY")
    base_url: str = Field(NOTIFY_API, pattern=r"^https?://", validation_alias="AP_NOTIFY_GOVUK_BASE_URL")
    channel: Literal["email", "sms"] = Field("email", validation_alias="AP_NOTIFY_GOVUK_CHANNEL")
    templates_file: Path = Field(validation_alias="AP_NOTIFY_GOVUK_TEMPLATES_FILE")
    max_attempts: int = Field(5, ge=1, le=20, validation_alias="AP_NOTIFY_GOVUK_MAX_ATTEMPTS")
    backoff_seconds: float = Field(1.0, ge=0, le=60, validation_alias="AP_NOTIFY_GOVUK_BACKOFF_SECONDS")
    timeout_seconds: float = Field(10.0, gt=0, le=120, validation_alias="AP_NOTIFY_GOVUK_TIMEOUT_SECONDS")

    @field_validator("api_key")
    @classmethod
    def _shaped_like_a_notify_key(cls, key: SecretStr) -> SecretStr:
        if not _API_KEY.match(key.get_secret_value()):
            raise ValueError("not a GOV.UK Notify API key: expected <name>-<service id uuid>-<secret uuid>")
        return key


class NotifyTemplatesInvalid(ValueError):
    """The templates file is not a JSON object of message kinds to Notify template ids (UUIDs)."""


def load_templates(path: Path) -> NotifyTemplates:
    """``{"safeguarding_concern": "<uuid>", "default": "<uuid>"}``: which Notify template sends each kind."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NotifyTemplatesInvalid(f"AP_NOTIFY_GOVUK_TEMPLATES_FILE {path}: {exc}") from None
    if not isinstance(raw, dict) or not raw:
        raise NotifyTemplatesInvalid(f"AP_NOTIFY_GOVUK_TEMPLATES_FILE {path}: expected an object of kind -> id")
    templates: dict[str, str] = {}
    for kind, template_id in raw.items():
        try:
            templates[str(kind)] = str(UUID(str(template_id)))
        except ValueError:
            raise NotifyTemplatesInvalid(
                f"AP_NOTIFY_GOVUK_TEMPLATES_FILE {path}: {kind!r} is not a Notify template id (a UUID)") from None
    return MappingProxyType(templates)
