"""Test levels: every collected test is exactly one of ``unit``, ``integration``, ``e2e`` or ``fault``.

Rule served: a fast loop (``make test-unit``) that needs no server, beside the full run on real
servers (``make test``). Loaded as a pytest plugin by the root ``conftest.py``. A test's level is:

* ``fault`` when marked so (it kills processes or restarts a broker);
* ``e2e`` when marked so (it runs several platform processes and talks to them as a client does);
* ``integration`` when marked so, or when it uses a real server: its fixtures reach
  ``postgres_admin_dsn`` or ``kafka_bootstrap`` (every server fixture of ``infra`` does). A test
  that runs a real program in a subprocess (a CLI, ruff, a nested pytest) is marked integration:
  a unit test runs in-process;
* ``unit`` otherwise: no server fixture, no server marker.

The level is added as a marker, so ``-m unit`` selects exactly the unit tests. A test marked
``unit`` that uses a server is a contradiction and stops the run, naming the test.

With ``AP_TEST_NO_SERVERS=1`` (``make test-unit`` sets it) the run promises to touch no server:
``infra`` refuses to find or start PostgreSQL or Kafka, and a connection of the test process to
another machine or to a PostgreSQL or Kafka port fails the test that opened it, naming the address
(fakes a test starts on the loopback interface, such as an SMTP sink, stay allowed).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pytest

UNIT, INTEGRATION, E2E, FAULT = "unit", "integration", "e2e", "fault"
LEVELS = (UNIT, INTEGRATION, E2E, FAULT)
SERVER_LEVELS = (INTEGRATION, E2E, FAULT)
SERVER_FIXTURES = frozenset({"postgres_admin_dsn", "kafka_bootstrap"})
NO_SERVERS_ENV = "AP_TEST_NO_SERVERS"

MARKERS = {
    UNIT: "no server, no process: pure code and in-memory fakes (assigned when a test uses no server)",
    INTEGRATION: "talks to the real Kafka broker and/or PostgreSQL (assigned when a test's fixtures reach one),"
                 " or runs a real program in a subprocess (marked)",
    E2E: "several real platform processes driven through their public interfaces",
    FAULT: "kills processes or restarts brokers and checks nothing is lost or doubled",
}


class ServerUsedInUnitRun(RuntimeError):
    """A test of a no-server run opened a network connection."""


def no_servers() -> bool:
    """True in a run that promised to touch no server (``AP_TEST_NO_SERVERS=1``)."""
    return os.environ.get(NO_SERVERS_ENV, "") not in ("", "0")


def level_of(item: pytest.Item) -> str:
    """The one level of ``item`` (see the module docstring); raises ``pytest.UsageError`` on a contradiction."""
    marked = {level for level in LEVELS if item.get_closest_marker(level) is not None}
    uses_server = bool(SERVER_FIXTURES & set(getattr(item, "fixturenames", ())))
    for level in (FAULT, E2E, INTEGRATION):
        if level in marked or (level == INTEGRATION and uses_server):
            if UNIT in marked:
                raise pytest.UsageError(f"{item.nodeid} is marked unit but is {level}: it uses a server")
            return level
    return UNIT


def tally(levels: Iterable[str]) -> str:
    counts = Counter(levels)
    return "tests by level: " + ", ".join(f"{level} {counts[level]}" for level in LEVELS)


def server_ports() -> frozenset[int]:
    """Where PostgreSQL and Kafka listen: their default ports and the local servers' (deploy/local/common.sh)."""
    ports = {5432, 9092, 9093}
    for variable, default in (("AP_PG_PORT", 55432), ("AP_KAFKA_PORT", 59092), ("AP_KAFKA_CONTROLLER_PORT", 59093)):
        value = os.environ.get(variable, "")
        ports.add(int(value) if value.isdigit() else default)
    return frozenset(ports)


def reaches_a_server(address: Any, ports: frozenset[int]) -> bool:
    """True for an address off this machine or a server port on it.

    A unit test may talk to a fake it started itself on the loopback interface (an SMTP sink) or
    find a loopback port closed; it may not reach a real server.
    """
    host, port = address[0], address[1]
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    return not loopback or port in ports


def _refuse_servers(original: Any, ports: frozenset[int]) -> Any:
    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and reaches_a_server(address, ports):
            raise ServerUsedInUnitRun(f"a unit test connected to {address!r}: mark it integration or use a fake")
        return original(sock, address)

    return connect


class LevelAssignment:
    """Assigns each test its level before ``-m`` selects, and reports how many of each ran."""

    def __init__(self) -> None:
        self.levels: dict[str, str] = {}

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            level = level_of(item)
            self.levels[item.nodeid] = level
            if item.get_closest_marker(level) is None:
                item.add_marker(level)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # After -m deselection: the levels of the tests this run will execute.
        self.selected = [self.levels.get(item.nodeid, UNIT) for item in session.items]

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_line(tally(getattr(self, "selected", [])))


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")
    config.pluginmanager.register(LevelAssignment(), "ap-test-levels")
    if no_servers():
        # Monkeypatching the class is the point: every client library connects through it.
        ports = server_ports()
        socket.socket.connect = _refuse_servers(socket.socket.connect, ports)  # type: ignore[method-assign]
        socket.socket.connect_ex = _refuse_servers(socket.socket.connect_ex, ports)  # type: ignore[method-assign]
