"""Which SMTP answers are retried (issue 14: delivery retried with backoff; a refusal is not): a relay that
answers the message with a 5xx refuses it for good (``rejected``); a 4xx is a passing failure
(``provider_error``), tried again by the periodic check (``domain/delivery_retry.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
import pytest_asyncio

from ap_contracts.events.notifications import Audience, DeliveryFailure
from ap_notifications.adapters.smtp import SmtpDelivery, SmtpSettings
from ap_notifications.application.ports import DeliveryError, OutboundMessage
from ap_notifications.domain.delivery_retry import is_transient

pytestmark = pytest.mark.integration


class AnsweringRelay:
    """A relay that accepts the conversation and answers the message's data with ``data_reply``."""

    def __init__(self) -> None:
        self.data_reply = "250 queued"
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 relay ready\r\n")
        while line := (await reader.readline()).decode().rstrip("\r\n"):
            verb = line.split(" ", 1)[0].upper()
            if verb == "DATA":
                writer.write(b"354 go on\r\n")
                await writer.drain()
                while (await reader.readline()).decode().rstrip("\r\n") != ".":
                    pass
                writer.write(f"{self.data_reply}\r\n".encode())
            elif verb == "QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()


@pytest_asyncio.fixture(loop_scope="session")
async def relay() -> AsyncIterator[AnsweringRelay]:
    server = AnsweringRelay()
    await server.start()
    yield server
    await server.stop()


def message() -> OutboundMessage:
    return OutboundMessage(
        notification_id=uuid4(), rule_name="physical_intervention", template_id="physical_intervention",
        audience=Audience.HOME_SCHOOL, recipient_organisation_id="school-1", pupil_ref=uuid4(), cause_event_id=uuid4(),
        cause_event_type="PhysicalInterventionRecorded", priority="urgent", link_path="/pupils/x/incidents/y",
        subject="[urgent] Physical intervention recorded", body="A physical intervention was recorded.")


@pytest.mark.parametrize(("reply", "failure"), [
    ("554 message refused: policy", DeliveryFailure.REJECTED),
    ("451 try again later", DeliveryFailure.PROVIDER_ERROR),
])
async def test_a_5xx_answer_is_a_refusal_and_a_4xx_one_a_passing_failure(
    relay: AnsweringRelay, reply: str, failure: DeliveryFailure,
) -> None:
    relay.data_reply = reply
    delivery = SmtpDelivery(SmtpSettings(host="127.0.0.1", port=relay.port, timeout_seconds=5),
                            {"school-1": {"default": "office@school-1.example"}})
    with pytest.raises(DeliveryError) as failed:
        await delivery.deliver(message())
    assert failed.value.failure is failure
    assert is_transient(failed.value.failure) is reply.startswith("4")
