"""Email delivery through a plain SMTP relay (stdlib ``smtplib``), run off the event loop.

Recipients are organisations in a role, so the address comes from the recipients directory
(``adapters/directory.py``, shared with GOV.UK Notify). A notification for an organisation with no
address fails as ``no_contact_details``.
"""

from __future__ import annotations

import asyncio
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from ap_contracts.events.notifications import Channel, DeliveryFailure
from ap_notifications.adapters.directory import Directory, contact_for, load_directory
from ap_notifications.application.ports import DeliveryError, OutboundMessage

__all__ = ["Directory", "SmtpDelivery", "SmtpSettings", "load_directory"]

@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "alerts@ap-platform.invalid"
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = 10.0


def smtp_failure(exc: smtplib.SMTPException) -> DeliveryFailure:
    """``rejected`` for a permanent refusal (a 5xx reply; every recipient refused with one), else
    ``provider_error``, a passing one (4xx, a dropped conversation) that is tried again (issue 14)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return DeliveryFailure.REJECTED if codes and all(c >= 500 for c in codes) else DeliveryFailure.PROVIDER_ERROR
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500:
        return DeliveryFailure.REJECTED
    return DeliveryFailure.PROVIDER_ERROR


class SmtpDelivery:
    def __init__(self, settings: SmtpSettings, directory: Directory) -> None:
        self._settings = settings
        self._directory = directory

    @property
    def channel(self) -> Channel:
        return Channel.EMAIL

    def address_for(self, message: OutboundMessage) -> str:
        return contact_for(self._directory, message)

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
        except smtplib.SMTPException as exc:
            raise DeliveryError(smtp_failure(exc), f"{type(exc).__name__}: {exc}") from exc
        except TimeoutError as exc:
            raise DeliveryError(DeliveryFailure.TIMED_OUT, "SMTP server timed out") from exc
        except OSError as exc:
            raise DeliveryError(DeliveryFailure.UNREACHABLE, f"SMTP server unreachable: {exc}") from exc
