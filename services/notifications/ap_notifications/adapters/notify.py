"""Delivery through GOV.UK Notify, with its official client (``notifications-python-client``), off the event loop.

A council that uses Notify sends alerts as emails or text messages from templates it keeps in Notify: the
message kind (the platform's template id) chooses the Notify template (``notify_settings.load_templates``,
``default`` for kinds not named), and the template is filled with the personalisation below, nothing else.

Rules served (issue 14):
- personalisation only with what the audience may see: the rendered subject and body (``domain.messages.render``
  already refused anything the audience may not read) and the message's fields that ``AUDIENCE_MAY_READ``
  allows; a message carrying a field its audience may not read is refused (``FieldNotForAudience``), not trimmed;
- delivery retried with backoff and dead-lettered after a bound: Notify's 429 (rate or daily limit) and 5xx,
  and a server that cannot be reached, are tried again after ``backoff_seconds``, doubled each time, up to
  ``max_attempts``; then, or at once for a refusal (400 validation, 401/403 auth), ``DeliveryError`` names
  Notify's answer and the dispatcher records ``NotificationDeliveryFailed`` (no retry): the dead letter;
- once per message: the message id goes to Notify as its ``reference``, and the delivery ledger keeps a
  replayed or restarted dispatch from sending again.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import requests
from notifications_python_client.errors import APIError, InvalidResponse
from notifications_python_client.notifications import NotificationsAPIClient

from ap_contracts.events.notifications import Channel, DeliveryFailure
from ap_notifications.adapters.directory import Directory, contact_for
from ap_notifications.adapters.notify_settings import GovukNotifySettings, NotifyTemplates
from ap_notifications.application.ports import DeliveryError, OutboundMessage
from ap_notifications.domain.messages import AUDIENCE_MAY_READ, MESSAGE_FIELDS, FieldNotForAudience

Sleep = Callable[[float], Awaitable[None]]

# Notify's answers worth another attempt: its rate and daily limits, and its own failures.
RETRIED_STATUSES = frozenset({429}) | frozenset(range(500, 600))


def _threshold_text(threshold: dict[str, Any]) -> str:
    return (f"{threshold['metric']} {threshold['observed_value']} {threshold['unit']},"
            f" {threshold['comparison']} {threshold['threshold_value']}")


def personalisation(message: OutboundMessage) -> dict[str, str]:
    """What the Notify template is filled with: ``subject`` and ``body`` and the fields the audience may read.

    Derived from the same table the email templates are rendered with (``AUDIENCE_MAY_READ``); a message that
    carries a field its audience may not read is refused, so the rule that made it gets fixed.
    """
    may_read = AUDIENCE_MAY_READ.get(message.audience, MESSAGE_FIELDS)
    present = {
        "pupil_ref": None if message.pupil_ref is None else str(message.pupil_ref),
        "priority": message.priority,
        "link_path": message.link_path,
        "incident_severity": None if message.incident_severity is None else str(message.incident_severity),
        "threshold": None if message.threshold is None else _threshold_text(message.threshold),
    }
    hidden = {name for name, value in present.items() if value is not None} - may_read
    if hidden:
        raise FieldNotForAudience(f"{message.template_id} would show {sorted(hidden)} to {message.audience.value}")
    shown = {name: value for name, value in present.items() if value is not None}
    return {"subject": message.subject, "body": message.body, **shown}


def _reason(error: APIError) -> str:
    """Notify's answer as one line: status, error names and messages (``{"errors": [{"error", "message"}]}``)."""
    said = error.message
    if isinstance(said, list):
        said = "; ".join(f"{e.get('error', '?')}: {e.get('message', '')}" for e in said if isinstance(e, dict))
    return f"GOV.UK Notify answered {error.status_code}: {said}"


def _failure_after_retries(error: APIError) -> DeliveryFailure:
    if error.response is not None:
        return DeliveryFailure.PROVIDER_ERROR
    if isinstance(error.__cause__, requests.Timeout):
        return DeliveryFailure.TIMED_OUT
    return DeliveryFailure.UNREACHABLE


class NotifyDelivery:
    """The ``Delivery`` port on GOV.UK Notify (email or sms, as the settings say)."""

    def __init__(self, settings: GovukNotifySettings, templates: NotifyTemplates, directory: Directory,
                 sleep: Sleep = asyncio.sleep) -> None:
        self._settings = settings
        self._templates = templates
        self._directory = directory
        # The backoff's wait; tests pass one that records the delays instead of waiting for wall time.
        self._sleep = sleep
        # The client keeps a requests session and is not thread-safe: one per worker thread.
        self._clients = threading.local()

    @property
    def channel(self) -> Channel:
        return Channel.SMS if self._settings.channel == "sms" else Channel.EMAIL

    def template_for(self, message: OutboundMessage) -> str:
        template = self._templates.get(message.template_id) or self._templates.get("default")
        if template is None:
            raise DeliveryError(DeliveryFailure.REJECTED, f"no GOV.UK Notify template for {message.template_id}")
        return template

    async def deliver(self, message: OutboundMessage) -> None:
        contact = contact_for(self._directory, message)
        template = self.template_for(message)
        fields = personalisation(message)
        delay = self._settings.backoff_seconds
        for attempt in range(1, self._settings.max_attempts + 1):
            try:
                await asyncio.to_thread(self._send, contact, template, fields, str(message.notification_id))
                return
            except InvalidResponse as exc:
                # A 2xx Notify did not explain: it may have accepted the message, so it is not sent again.
                raise DeliveryError(DeliveryFailure.PROVIDER_ERROR, _reason(exc), safe_to_retry=False) from exc
            except APIError as exc:
                if exc.status_code not in RETRIED_STATUSES:
                    raise DeliveryError(DeliveryFailure.REJECTED, _reason(exc)) from exc
                if attempt == self._settings.max_attempts:
                    raise DeliveryError(_failure_after_retries(exc),
                                        f"{_reason(exc)} (after {attempt} attempts)") from exc
            await self._sleep(delay)
            delay *= 2

    def _client(self) -> NotificationsAPIClient:
        client: NotificationsAPIClient | None = getattr(self._clients, "client", None)
        if client is None:
            s = self._settings
            # The official client is not annotated (it ships py.typed without types): hence the ignores.
            client = NotificationsAPIClient(  # type: ignore[no-untyped-call]
                s.api_key.get_secret_value(), base_url=s.base_url, timeout=s.timeout_seconds)
            self._clients.client = client
        return client

    def _send(self, contact: str, template: str, fields: dict[str, str], reference: str) -> None:
        client = self._client()
        if self.channel is Channel.SMS:
            client.send_sms_notification(  # type: ignore[no-untyped-call]
                phone_number=contact, template_id=template, personalisation=fields, reference=reference)
        else:
            client.send_email_notification(  # type: ignore[no-untyped-call]
                email_address=contact, template_id=template, personalisation=fields, reference=reference)
