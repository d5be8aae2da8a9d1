"""Email delivery through a plain SMTP relay (stdlib ``smtplib``), run off the event loop.

Recipients are organisations in a role, so the address comes from the recipients directory
(``adapters/directory.py``, shared with GOV.UK Notify). A notification for an organisation with no
address fails as ``no_contact_details``.
"""

from __future__ import annotations

import asyncio
import smtplib
import threading
from dataclasses import dataclass
from email.charset import QP, Charset
from email.header import Header
from email.mime.text import MIMEText

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


def plain_email(sender: str, to: str, message: OutboundMessage) -> bytes:
    """The message as the relay is given it: one text/plain part, built with the ``compat32`` classes, which take
    headers as given (the ``email.policy.default`` objects parse every header on each read: most of the CPU of a
    delivery, issue 14); a non-ASCII subject or body is encoded as RFC 2047 and quoted-printable UTF-8."""
    ascii_body = message.body.isascii()
    charset = Charset("us-ascii" if ascii_body else "utf-8")
    if not ascii_body:
        charset.body_encoding = QP
    email = MIMEText(message.body, "plain", charset)  # type: ignore[arg-type]  # typeshed: str only, Charset works
    email["From"] = sender
    email["To"] = to
    email["Subject"] = message.subject if message.subject.isascii() else Header(message.subject, "utf-8").encode()
    # Lets a mail system drop a duplicate sent after a crash between sending and recording.
    email["Message-ID"] = f"<{message.notification_id}@ap-platform>"
    return email.as_bytes()


class SmtpDelivery:
    """Sends each message in a worker thread on a connection kept open between messages (issue 14: a connection
    per message cost a TCP handshake, EHLO and QUIT each time). A connection is used by one thread at a time: idle
    ones wait in ``_idle``. One the relay closed while it waited (an idle timeout, a restart) fails on its first
    command, before any of the message was given: the message is sent again once on a new connection."""

    def __init__(self, settings: SmtpSettings, directory: Directory) -> None:
        self._settings = settings
        self._directory = directory
        self._idle: list[smtplib.SMTP] = []
        self._lock = threading.Lock()

    @property
    def channel(self) -> Channel:
        return Channel.EMAIL

    def address_for(self, message: OutboundMessage) -> str:
        return contact_for(self._directory, message)

    async def deliver(self, message: OutboundMessage) -> None:
        to = self.address_for(message)
        await asyncio.to_thread(self._send, to, plain_email(self._settings.sender, to, message))

    def _send(self, to: str, email: bytes) -> None:
        try:
            client = self._take()
            if client is not None:
                try:
                    client.sendmail(self._settings.sender, [to], email)
                except (smtplib.SMTPServerDisconnected, ConnectionError):
                    client.close()  # closed by the relay while idle: nothing of this message was taken
                else:
                    self._give_back(client)
                    return
            client = self._connect()
            try:
                client.sendmail(self._settings.sender, [to], email)
            except BaseException:
                client.close()
                raise
            self._give_back(client)
        except smtplib.SMTPException as exc:
            raise DeliveryError(smtp_failure(exc), f"{type(exc).__name__}: {exc}") from exc
        except TimeoutError as exc:
            raise DeliveryError(DeliveryFailure.TIMED_OUT, "SMTP server timed out") from exc
        except OSError as exc:
            raise DeliveryError(DeliveryFailure.UNREACHABLE, f"SMTP server unreachable: {exc}") from exc

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
        try:
            if s.starttls:
                client.starttls()
            if s.username:
                client.login(s.username, s.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def _take(self) -> smtplib.SMTP | None:
        with self._lock:
            return self._idle.pop() if self._idle else None

    def _give_back(self, client: smtplib.SMTP) -> None:
        with self._lock:
            self._idle.append(client)

    def close(self) -> None:
        """Say goodbye on every idle connection (a process stopping)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for client in idle:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
