"""A small local SMTP server for tests (stdlib asyncio): keeps every message it is handed, in order.

Enough of RFC 5321 for ``smtplib`` (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT). It runs on the test's
event loop, can be stopped (connections dropped, port closed: the sender sees the relay unreachable) and
started again on the same port, as a mail relay restarted by its operator. ``mailbox`` is what recipients
see: a mail system drops a message whose Message-ID it already holds, so a message handed over twice (a
sender killed between sending and recording) is counted in ``handed`` and shown once in ``mailbox``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email import message_from_bytes, policy

__all__ = ["LocalSmtpServer", "Mail"]


@dataclass(frozen=True, slots=True)
class Mail:
    message_id: str
    to: str
    subject: str
    body: str


class LocalSmtpServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.handed: list[Mail] = []
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> LocalSmtpServer:
        self._server = await asyncio.start_server(self._session, self.host, self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Close the port and drop every open connection (a relay going down mid-conversation)."""
        if self._server is None:
            return
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()
        self._server = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def mailbox(self) -> list[Mail]:
        """Each Message-ID once, in the order first handed over."""
        seen: dict[str, Mail] = {}
        for mail in self.handed:
            seen.setdefault(mail.message_id, mail)
        return list(seen.values())

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            await self._converse(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away, or the server was stopped
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def reply(line: str) -> None:
            writer.write(f"{line}\r\n".encode())
            await writer.drain()

        await reply("220 local-smtp ready")
        while True:
            line = (await reader.readline()).decode("ascii", "replace").strip()
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                await reply("250 ok")
            elif verb == "DATA":
                await reply("354 end with <CRLF>.<CRLF>")
                self._keep(await self._read_data(reader))
                await reply("250 queued")
            elif verb == "QUIT":
                await reply("221 bye")
                return
            else:
                await reply("502 not implemented")

    @staticmethod
    async def _read_data(reader: asyncio.StreamReader) -> bytes:
        lines: list[bytes] = []
        while (line := await reader.readuntil(b"\n")) not in (b".\r\n", b".\n"):
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-stuffing undone
        return b"".join(lines)

    def _keep(self, raw: bytes) -> None:
        parsed = message_from_bytes(raw, policy=policy.default)
        body = parsed.get_body(("plain",))
        self.handed.append(Mail(message_id=str(parsed["Message-ID"]), to=str(parsed["To"]),
                                subject=str(parsed["Subject"]),
                                body="" if body is None else str(body.get_content())))
