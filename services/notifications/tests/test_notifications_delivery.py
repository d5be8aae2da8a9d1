"""Delivery channels on real I/O: the file outbox on disk, email to a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from ap_contracts.events.notifications import Audience, Channel, DeliveryFailure
from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.adapters.smtp import SmtpDelivery, SmtpSettings, load_directory
from ap_notifications.application.ports import DeliveryError
from ap_notifications.entrypoints.bootstrap import delivery_from_settings
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_testing.notifications.builders import outbound_message


async def test_the_outbox_writes_one_file_per_notification_even_when_delivered_twice(tmp_path: Path) -> None:
    outbox = FileOutbox(tmp_path / "out")
    m = outbound_message()
    await outbox.deliver(m)
    await outbox.deliver(m)
    files = sorted((tmp_path / "out").iterdir())
    assert [f.name for f in files] == [f"{m.notification_id}.json"]
    written = json.loads(files[0].read_text())
    assert written["pupil_ref"] == str(m.pupil_ref) and written["audience"] == "dsl"
    assert outbox.channel is Channel.IN_APP


async def test_an_unwritable_outbox_is_a_provider_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(DeliveryError) as failed:
        await FileOutbox(blocker / "out").deliver(outbound_message())
    assert failed.value.failure is DeliveryFailure.PROVIDER_ERROR


class SmtpSink:
    """A minimal real SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], str]] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def reply(line: str) -> None:
            writer.write((line + "\r\n").encode())

        reply("220 sink ready")
        rcpt: list[str] = []
        while line := (await reader.readline()).decode().rstrip("\r\n"):
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                reply("250 sink")
            elif verb == "RCPT":
                rcpt.append(line.split(":", 1)[1].strip(" <>"))
                reply("250 ok")
            elif verb == "DATA":
                reply("354 go on")
                await writer.drain()
                body: list[str] = []
                while (data := (await reader.readline()).decode().rstrip("\r\n")) != ".":
                    body.append(data)
                self.received.append((rcpt, "\n".join(body)))
                reply("250 queued")
            elif verb == "QUIT":
                reply("221 bye")
                await writer.drain()
                break
            else:
                reply("250 ok")
            await writer.drain()
        writer.close()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@pytest_asyncio.fixture(loop_scope="session")
async def smtp_sink() -> AsyncIterator[SmtpSink]:
    sink = SmtpSink()
    await sink.start()
    yield sink
    await sink.stop()


async def test_email_goes_to_the_address_of_the_recipient_role(smtp_sink: SmtpSink) -> None:
    directory = {"school-1": {"dsl": "dsl@school-1.example", "default": "office@school-1.example"}}
    delivery = SmtpDelivery(SmtpSettings(host="127.0.0.1", port=smtp_sink.port), directory)
    m = outbound_message()
    await delivery.deliver(m)
    [(to, body)] = smtp_sink.received
    assert to == ["dsl@school-1.example"]
    assert "Safeguarding concern recorded" in body and f"<{m.notification_id}@ap-platform>" in body
    assert delivery.channel is Channel.EMAIL


async def test_email_without_a_role_address_goes_to_the_organisation_default(smtp_sink: SmtpSink) -> None:
    directory = {"school-1": {"default": "office@school-1.example"}}
    delivery = SmtpDelivery(SmtpSettings(host="127.0.0.1", port=smtp_sink.port), directory)
    await delivery.deliver(outbound_message(audience=Audience.HOME_SCHOOL))
    assert smtp_sink.received[-1][0] == ["office@school-1.example"]


async def test_an_organisation_without_an_address_cannot_be_emailed() -> None:
    delivery = SmtpDelivery(SmtpSettings(host="127.0.0.1", port=1), {})
    with pytest.raises(DeliveryError) as failed:
        await delivery.deliver(outbound_message())
    assert failed.value.failure is DeliveryFailure.NO_CONTACT_DETAILS


async def test_an_smtp_server_that_does_not_answer_is_unreachable() -> None:
    delivery = SmtpDelivery(SmtpSettings(host="127.0.0.1", port=1, timeout_seconds=2), {"school-1": {"dsl": "a@b"}})
    with pytest.raises(DeliveryError) as failed:
        await delivery.deliver(outbound_message())
    assert failed.value.failure is DeliveryFailure.UNREACHABLE


def test_the_environment_chooses_the_channel(tmp_path: Path) -> None:
    directory = tmp_path / "directory.json"
    directory.write_text(json.dumps({"school-1": {"dsl": "dsl@school-1.example"}}))
    assert load_directory(directory) == {"school-1": {"dsl": "dsl@school-1.example"}}
    file_settings = NotificationSettings.from_env({"AP_NOTIFY_OUTBOX_DIR": str(tmp_path)})
    assert isinstance(delivery_from_settings(file_settings), FileOutbox)
    smtp_settings = NotificationSettings.from_env({
        "AP_NOTIFY_DELIVERY": "smtp", "AP_NOTIFY_SMTP_HOST": "127.0.0.1", "AP_NOTIFY_SMTP_PORT": "2525",
        "AP_NOTIFY_RECIPIENTS_FILE": str(directory)})
    assert isinstance(delivery_from_settings(smtp_settings), SmtpDelivery)
    assert smtp_settings.smtp is not None and smtp_settings.smtp.port == 2525
    with pytest.raises(ValueError):
        NotificationSettings.from_env({"AP_NOTIFY_DELIVERY": "pigeon"})
