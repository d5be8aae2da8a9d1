"""Test levels (``ap_testing.levels``): one level per test, and a unit run that reaches no server."""

from __future__ import annotations

import socket
from collections.abc import Iterable

import pytest

from ap_testing import infra
from ap_testing.levels import (
    NO_SERVERS_ENV,
    ServerUsedInUnitRun,
    _refuse_servers,
    level_of,
    reaches_a_server,
    server_ports,
    tally,
)


class Item:
    """What ``level_of`` reads of a collected test: its markers and the fixtures it reaches."""

    nodeid = "test_sample.py::test_it"

    def __init__(self, marks: Iterable[str] = (), fixtures: Iterable[str] = ()) -> None:
        self.marks = set(marks)
        self.fixturenames = ["request", *fixtures]

    def get_closest_marker(self, name: str) -> pytest.Mark | None:
        return getattr(pytest.mark, name).mark if name in self.marks else None


@pytest.mark.parametrize(("marks", "fixtures", "level"), [
    ((), (), "unit"),
    ((), ("tmp_path", "any_store"), "unit"),
    (("unit",), (), "unit"),
    ((), ("postgres_admin_dsn",), "integration"),
    ((), ("kafka_bootstrap", "new_topic"), "integration"),
    (("integration",), (), "integration"),  # a server reached another way (a subprocess, the environment)
    (("e2e",), ("postgres_admin_dsn", "kafka_bootstrap"), "e2e"),
    (("fault",), ("kafka_bootstrap",), "fault"),
    (("fault", "integration"), (), "fault"),
])
def test_each_test_gets_one_level_from_its_markers_and_fixtures(
    marks: tuple[str, ...], fixtures: tuple[str, ...], level: str
) -> None:
    assert level_of(Item(marks, fixtures)) == level  # type: ignore[arg-type]


def test_a_unit_test_that_uses_a_server_stops_the_run_naming_it() -> None:
    with pytest.raises(pytest.UsageError, match=r"test_sample\.py::test_it is marked unit but is integration"):
        level_of(Item(("unit",), ("postgres_admin_dsn",)))  # type: ignore[arg-type]


def test_the_tally_names_every_level() -> None:
    assert tally(["unit", "unit", "fault"]) == "tests by level: unit 2, integration 0, e2e 0, fault 1"


def test_a_no_server_run_neither_finds_nor_starts_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[str] = []

    def start(kind: str) -> str:
        tried.append(kind)
        return "started"

    monkeypatch.setenv(NO_SERVERS_ENV, "1")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:55432/postgres")
    with pytest.raises(infra.InfrastructureUnavailable, match="AP_TEST_NO_SERVERS is set: this run uses no"):
        infra._resolve("PostgreSQL", "DATABASE_URL", lambda value: infra.Endpoint(start(value), "env"),
                       lambda: start("container"), "postgres.sh", "")
    assert tried == []


def test_a_unit_run_refuses_connections_to_servers_and_other_machines() -> None:
    ports = server_ports()
    assert {5432, 9092} <= ports
    assert reaches_a_server(("127.0.0.1", 55432), frozenset({55432}))
    assert reaches_a_server(("10.1.2.3", 8080), ports)
    assert reaches_a_server(("::1", 5432), ports)
    assert not reaches_a_server(("127.0.0.1", 2525), ports), "a fake the test started on loopback stays allowed"
    attempted: list[object] = []
    guarded = _refuse_servers(lambda sock, address: attempted.append(address), ports)

    class Socket:
        family = socket.AF_INET

    with pytest.raises(ServerUsedInUnitRun, match="9092"):
        guarded(Socket(), ("127.0.0.1", 9092))
    guarded(Socket(), ("127.0.0.1", 2525))
    assert attempted == [("127.0.0.1", 2525)]
