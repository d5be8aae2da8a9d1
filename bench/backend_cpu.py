"""CPU of a database's PostgreSQL backends over a benchmark run, read from ``/proc/<pid>/stat``.

Issue 11: on a machine shared by several processes the wall clock says less than CPU per event, and a
rebuild's cost is split between Python and PostgreSQL. The backends connected to the benchmark's
database are sampled every ``interval`` seconds; each one counts from its first sample to its last,
so a backend's work before its first sample (at most one interval) and after its last is missed.
Autovacuum workers visiting the database are counted apart (``autovacuum_seconds``: they vacuum and
analyse the new generation's tables, work that follows the rebuild whether or not it is timed);
background processes (WAL writer, checkpointer) serve every database and are not counted.
PostgreSQL must run on this machine (``/proc`` is read); elsewhere the figure is None.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

import asyncpg

_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float | None:
    """User and system CPU of process ``pid`` (None if it is gone or not on this machine)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime: fields 14 and 15 of stat(5)


@dataclass
class BackendCpu:
    first: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    autovacuum: set[int] = field(default_factory=set)

    def sample(self, pids: list[int], autovacuum: list[int]) -> None:
        self.autovacuum.update(autovacuum)
        for pid in [*pids, *autovacuum]:
            seconds = process_cpu_seconds(pid)
            if seconds is not None:
                self.first.setdefault(pid, seconds)
                self.last[pid] = seconds

    @property
    def seconds(self) -> float | None:
        """CPU of the client backends (and parallel workers) over the run."""
        return self._sum(pid for pid in self.last if pid not in self.autovacuum) if self.last else None

    @property
    def autovacuum_seconds(self) -> float:
        return self._sum(pid for pid in self.last if pid in self.autovacuum)

    def _sum(self, pids: Iterable[int]) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in pids)


@contextlib.asynccontextmanager
async def backend_cpu(dsn: str, interval: float = 0.1) -> AsyncIterator[BackendCpu]:
    """Sample the CPU of ``dsn``'s database's backends (but the sampler's own) while the block runs."""
    conn = await asyncpg.connect(dsn)
    found = BackendCpu()
    stop = asyncio.Event()

    async def sample() -> None:
        rows = await conn.fetch("SELECT pid, backend_type = 'autovacuum worker' AS autovacuum FROM pg_stat_activity"
                                " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        found.sample([int(r["pid"]) for r in rows if not r["autovacuum"]],
                     [int(r["pid"]) for r in rows if r["autovacuum"]])

    async def sampling() -> None:
        while not stop.is_set():
            await sample()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
        await sample()

    task = asyncio.create_task(sampling())
    try:
        yield found
    finally:
        stop.set()
        await task
        await conn.close()
