"""bench.incidents_ingest warms every API worker before the clock starts, whichever takes the connections.

Issue 11: the kernel hands a shared listening socket's connections to whichever worker accepts first, and in
traced runs the closed loop's connections all went to one worker in 5 of 12 runs; the other met its first
commands in the open loop, cold, and stalled its start. Here a real supervisor forks real worker processes
sharing one socket (as uvicorn's do); each worker records the requests it served, so the test reads what
each served from the workers themselves, not from the bench's own count.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from bench import incidents_ingest as bench

pytestmark = pytest.mark.integration

_SUPERVISOR = """
import os, signal, socket, sys, threading, time
workers, served = int(sys.argv[1]), sys.argv[2]
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(64)
children = []
count, lock = [0], threading.Lock()


def stop(*_):
    for child in children:
        os.kill(child, signal.SIGKILL)
    os._exit(0)


def serve(connection):  # one thread a connection, as an asynchronous worker serves many at once
    reader = connection.makefile("rb")
    while (line := reader.readline()):
        length = 0
        while line not in (b"\\r\\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
            line = reader.readline()
        reader.read(length)
        with lock:
            count[0] += 1
            with open(f"{served}/{os.getpid()}", "w") as out:
                out.write(str(count[0]))
        connection.sendall(b"HTTP/1.1 201 Created\\r\\nContent-Length: 2\\r\\n\\r\\n{}")
    connection.close()


for _ in range(workers):
    child = os.fork()
    if child:
        children.append(child)
    else:
        while True:
            threading.Thread(target=serve, args=(server.accept()[0],), daemon=True).start()
signal.signal(signal.SIGTERM, stop)
print(server.getsockname()[1], flush=True)
time.sleep(120)
"""


class _Server:
    """A supervisor and its forked workers on one listening socket, as uvicorn's processes are."""

    def __init__(self, workers: int, served: Path) -> None:
        self._process = subprocess.Popen([sys.executable, "-c", _SUPERVISOR, str(workers), str(served)],
                                         stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        self.port = int(self._process.stdout.readline())
        self.pid = self._process.pid

    def stop(self) -> None:
        self._process.terminate()  # it kills the workers it forked
        self._process.wait(10)


def _requests(count: int) -> list[bench.Request]:
    commands = [bench.Command("RecordIncident", uuid4(), {"command_id": str(uuid4())}) for _ in range(count)]
    return [bench.Request(c, "/v1/commands", b"{}", {"Authorization": "Bearer x"}) for c in commands]


def _served(directory: Path) -> dict[int, int]:
    return {int(path.name): int(path.read_text()) for path in directory.iterdir()}


async def test_every_worker_serves_its_own_batch(tmp_path: Path) -> None:
    server = _Server(workers=3, served=tmp_path)
    try:
        batches = [_requests(25) for _ in range(3)]
        counted = await bench.warm_every_worker(server.port, server.pid, batches, _requests(200))
        served = _served(tmp_path)
    finally:
        server.stop()
    assert len(served) == 3  # three workers, each served (their own record)
    assert all(count >= 25 for count in served.values()), served
    assert counted == served  # and the bench's count is theirs


async def test_too_few_workers_reached_is_an_error(tmp_path: Path) -> None:
    server = _Server(workers=1, served=tmp_path)
    error: Any = None
    try:
        await bench.warm_every_worker(server.port, server.pid, [_requests(3), _requests(3)], _requests(5))
    except RuntimeError as raised:
        error = raised
    finally:
        server.stop()
    assert error is not None and "reached 1 of 2 API workers" in str(error)
