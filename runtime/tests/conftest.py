"""Fixtures of the runtime's integration tests: an event store on a fresh database, subprocess helpers."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_contracts.envelope import Actor
from ap_runtime.commands import migrate_commands
from ap_runtime.eventstore import EventStore, EventStorePort, InMemoryEventStore, NewEvent, migrate
from ap_testing.events import CounterIncremented

ACTOR = Actor(user_id="system-test", organisation_id="org-test", roles=("platform_admin",))


def counter_events(counter: str, start: int, count: int, poison_at: set[int] | None = None) -> list[NewEvent]:
    corr = uuid4()
    return [
        NewEvent(CounterIncremented(counter=counter, seq=i, poison=i in (poison_at or set())), ACTOR, "org-test", corr)
        for i in range(start, start + count)
    ]


@pytest_asyncio.fixture(loop_scope="session")
async def store_db(new_database: Callable[[str], object]) -> AsyncIterator[tuple[str, asyncpg.Pool]]:
    dsn = await new_database("rt")  # type: ignore[misc]
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=40)
    await migrate(pool)
    await migrate_commands(pool)
    yield dsn, pool
    await pool.close()


@pytest_asyncio.fixture
async def read_model_db(new_database: Callable[[str], object]) -> AsyncIterator[tuple[str, asyncpg.Pool]]:
    """A fresh database for a projection's read models (its runner registers them) and a pool on it."""
    dsn: str = await new_database("rm")  # type: ignore[misc]
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
    yield dsn, pool
    await pool.close()


@pytest_asyncio.fixture
async def dsn(new_database: Callable[[str], object]) -> str:
    """A fresh database (a test module may name its own ``dsn`` instead)."""
    database: str = await new_database("roundtrips")  # type: ignore[misc]
    return database


@pytest_asyncio.fixture
async def counted(dsn: str) -> AsyncIterator[tuple[asyncpg.Pool, list[str]]]:
    """A one-connection pool on a migrated event store (with command records) in ``dsn``, every statement
    it sends logged: the round-trip tests count what an append costs."""
    sent: list[str] = []

    async def log_queries(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(lambda logged: sent.append(logged.query))

    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1, init=log_queries)
    await migrate(pool)
    await migrate_commands(pool)
    sent.clear()
    yield pool, sent
    await pool.close()


@pytest.fixture
def store(store_db: tuple[str, asyncpg.Pool]) -> EventStore:
    return EventStore(store_db[1])


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def any_store(request: pytest.FixtureRequest) -> EventStorePort:
    """Each implementation of ``EventStorePort`` in turn: the contract suite runs against both.

    The PostgreSQL one gets a fresh database (with the command records' table); the in-memory one
    touches no server, so its tests are unit tests.
    """
    if request.param == "memory":
        return InMemoryEventStore()
    _dsn, pool = request.getfixturevalue("store_db")
    return EventStore(pool)


class Proc:
    """A platform process started as a real OS process, killable with SIGKILL."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args, self.env = args, env
        self.p: subprocess.Popen[bytes] | None = None

    def start(self) -> Proc:
        self.p = subprocess.Popen([sys.executable, *self.args], env={**os.environ, **self.env},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return self

    def kill(self) -> None:
        assert self.p is not None
        self.p.send_signal(signal.SIGKILL)
        self.p.wait(10)

    def stop(self) -> None:
        if self.p is not None and self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(15)
            except subprocess.TimeoutExpired:
                self.p.kill()

    def alive(self) -> bool:
        return self.p is not None and self.p.poll() is None


@pytest.fixture
def processes() -> Iterator[Callable[[list[str], dict[str, str]], Proc]]:
    started: list[Proc] = []

    def spawn(args: list[str], env: dict[str, str]) -> Proc:
        proc = Proc(args, env).start()
        started.append(proc)
        return proc

    yield spawn
    for proc in started:
        proc.stop()


async def wait_until(predicate: Callable[[], object], timeout: float = 60.0, interval: float = 0.1) -> None:  # noqa: ASYNC109
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(interval)
