"""The alerts benchmark's mail relay, in a process of its own: ``python -m bench.alerts_relay``.

Why its own process: the relay parses every message it is handed, and in the worker's process that parsing took
CPU from the worker it measures (issue 14: on a loaded machine most of the process's CPU per alert). It prints
``port <n>`` once listening, then one line per message handed to it: its Message-ID and ``time.monotonic()``
(one system-wide clock on Linux, so the benchmark compares it with the time it handed the absence to Kafka).
"""

from __future__ import annotations

import asyncio
import time

from ap_testing.smtp_server import LocalSmtpServer


def message_id_of(raw: bytes) -> str:
    """The Message-ID header's value, read from the header lines only (no parsing of the message)."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.splitlines():
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"message-id":
            return value.strip().decode("ascii", "replace")
    return "-"


class TimedRelay(LocalSmtpServer):
    """Keeps nothing: reports each message's id and arrival time on stdout."""

    def _keep(self, raw: bytes) -> None:
        print(f"{message_id_of(raw)} {time.monotonic():.6f}", flush=True)


async def serve() -> None:
    relay = await TimedRelay().start()
    print(f"port {relay.port}", flush=True)
    await asyncio.Event().wait()  # until the benchmark terminates the process


if __name__ == "__main__":
    asyncio.run(serve())
