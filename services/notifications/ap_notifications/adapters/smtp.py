"""Email delivery through a plain SMTP relay (stdlib ``smtplib``), run off the event loop.

Recipients are organisations in a role, so the address comes from a directory the operator
maintains (organisation id -> role -> address, with a ``default`` per organisation). A
notification for an organisation with no address fails as ``no_contact_details``.
"""

from __future__ import annotations

import asyncio
import json
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from ap_contracts.events.notifications import Channel, DeliveryFailure
from ap_notifications.application.ports import DeliveryError, OutboundMessage

Directory = Mapping[str, Mapping[str, str]]


def load_directory(path: Path) -> Directory:
    """``{"org-id": {"dsl": "dsl@example.org", "default": "office@example.org"}}`` from a JSON file."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {str(org): {str(k): str(v) for k, v in roles.items()} for org, roles in raw.items()}


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "alerts@ap-platform.invalid"
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = 10.0


class SmtpDelivery:
    def __init__(self, settings: SmtpSettings, directory: Directory) -> None:
        self._settings = settings
        self._directory = directory

    @property
    def channel(self) -> Channel:
        return Channel.EMAIL

    def address_for(self, message: OutboundMessage) -> str:
        roles = self._directory.get(message.recipient_organisation_id, {})
        address = roles.get(message.audience.value) or roles.get("default")
        if not address:
            raise DeliveryError(DeliveryFailure.NO_CONTACT_DETAILS,
                                f"no address for {message.recipient_organisation_id}/{message.audience.value}")
        return address

    async def deliver(self, message: OutboundMessage) -> None:
        email = EmailMessage()
        email["From"] = self._settings.sender
        email["To"] = self.address_for(message)
        email["Subject"] = message.subject
        # Lets a mail system drop a duplicate sent after a crash between sending and recording.
        email["Message-ID"] = f"<{message.notification_id}@ap-platform>"
        email.set_content(message.body)
        await asyncio.to_thread(self._send, email)

    def _send(self, email: EmailMessage) -> None:
        s = self._settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as client:
                if s.starttls:
                    client.starttls()
                if s.username:
                    client.login(s.username, s.password or "")
                client.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(DeliveryFailure.REJECTED, "recipient refused") from exc
        except smtplib.SMTPException as exc:
            raise DeliveryError(DeliveryFailure.PROVIDER_ERROR, type(exc).__name__) from exc
        except TimeoutError as exc:
            raise DeliveryError(DeliveryFailure.TIMED_OUT, "SMTP server timed out") from exc
        except OSError as exc:
            raise DeliveryError(DeliveryFailure.UNREACHABLE, f"SMTP server unreachable: {exc}") from exc
