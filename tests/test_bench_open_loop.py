"""bench.incidents_ingest's open loop names the load generator's own share of its latency.

Issue 11: the open loop's latency runs from each command's scheduled send time, so the bench process's
late sends and its collections count as latency; the figures published beside it (``send_late_*``,
``bench_gc_*``) tell that share apart from the platform's. Here a real local HTTP server answers at once
and the bench's event loop is held up on purpose: the hold-up shows both as lateness and as latency.
"""

from __future__ import annotations

import asyncio
import gc
import time
from uuid import uuid4

from bench import incidents_ingest as bench
from bench.gc_pauses import GcPauses, lateness_figures

HOLD_SECONDS = 0.08


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A keep-alive HTTP/1.1 server that answers every POST 201 at once."""
    while True:
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if not line:
            writer.close()
            return
        await reader.readexactly(length)
        writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()


def _requests(count: int) -> list[bench.Request]:
    commands = [bench.Command("RecordIncident", uuid4(), {"command_id": str(uuid4())}) for _ in range(count)]
    return [bench.Request(c, "/v1/commands", b"{}", {"Authorization": "Bearer x"}) for c in commands]


async def test_a_held_up_load_generator_shows_as_late_sends_and_as_latency() -> None:
    server = await asyncio.start_server(_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        # 50 ms in, the bench process itself is busy (a blocking call in its loop): nothing of the server's.
        asyncio.get_running_loop().call_later(0.05, time.sleep, HOLD_SECONDS)
        figures = await bench.measure_http_open(port, _requests(40), rate=200)
    finally:
        server.close()
        await server.wait_closed()
    held_ms = HOLD_SECONDS * 1000
    # The sends due during the hold went out late, and their latency counts from the schedule.
    assert figures["send_late_max_ms"] >= held_ms / 2
    assert figures["max_ms"] >= figures["send_late_max_ms"]
    assert figures["send_late_p50_ms"] <= figures["p50_ms"] + 1
    assert {"bench_gc_collections", "bench_gc_full_collections", "bench_gc_pause_max_ms"} <= figures.keys()


def test_a_full_collection_within_is_counted_and_none_after() -> None:
    with GcPauses() as pauses:
        gc.collect()
    assert pauses.full_collections == 1
    assert pauses.figures()["bench_gc_collections"] >= 1
    assert pauses.figures()["bench_gc_pause_max_ms"] > 0
    gc.collect()  # outside: the callback is gone
    assert pauses.full_collections == 1


def test_no_collection_no_pause_and_no_sends_no_lateness() -> None:
    assert GcPauses().figures() == {"bench_gc_collections": 0.0, "bench_gc_full_collections": 0.0,
                                    "bench_gc_pause_max_ms": 0.0}
    assert lateness_figures([]) == {}
    assert lateness_figures([1.0, 2.0, 30.0]) == {"send_late_p50_ms": 2.0, "send_late_p99_ms": 30.0,
                                                  "send_late_max_ms": 30.0}
