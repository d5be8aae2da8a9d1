"""One active relay per event store and relay name: leadership by a PostgreSQL advisory lock.

Rule served (issue 11, "more than one of everything"): several relay processes may run against one
event store; exactly one publishes at a time and a standby takes over within seconds when the
active one dies. The leader holds a session-level advisory lock on a connection of its own for as
long as it leads, and does every read and checkpoint write of its loop on that same connection.
So the lock and the right to publish end together: when the session ends (the process was killed,
the network dropped it, an operator terminated the backend) PostgreSQL releases the lock, and the
old leader's next statement fails, so it stops before its next batch. At most the batch it had
already read is still in flight; a new leader re-sends from the last checkpoint, so a duplicate is
possible and harmless (consumers apply each event id once, see ``projection/runner.py``), and a
stream's order holds because each producer sends in commit order.
"""

from __future__ import annotations

import asyncio
import contextlib
import os

import asyncpg

from ap_runtime.logging import get_logger

log = get_logger("ap.relay")

# Advisory locks are per database; the first key says "relay leadership", the second the relay's name.
LEADERSHIP_LOCK_CLASS = 7_041_002
APPLICATION_NAME_PREFIX = "ap-relay"

KEEPALIVES = "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3"

# What a lost leadership connection looks like to asyncpg (or to the socket under it).
# A statement that times out (``relay_reads.STATEMENT_TIMEOUT_SECONDS``) counts as lost too: a session
# the server has dropped can leave the client waiting on a half-open socket for ever. So does a session whose
# protocol state asyncpg no longer trusts ("another operation is in progress", seen once in a fresh-clone run
# after the leader's session was terminated, cause not found): it cannot be trusted with the lock, so the
# leader steps down, the session is ended on release and a standby leads from the checkpoint.
CONNECTION_LOST = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError, asyncpg.AdminShutdownError,
                   TimeoutError, asyncpg.exceptions.InternalClientError)


def application_name(relay: str) -> str:
    """The ``application_name`` the leader sets on its lock session: who leads, seen in ``pg_stat_activity``."""
    return f"{APPLICATION_NAME_PREFIX}:{relay}:{os.getpid()}"[:63]


class Leadership:
    """Acquire and hold the relay's advisory lock; a standby polls for it every ``retry_seconds``."""

    def __init__(self, pool: asyncpg.Pool, relay: str, retry_seconds: float = 0.5) -> None:
        self._pool = pool
        self._relay = relay
        self._retry = retry_seconds

    async def acquire(self, stop: asyncio.Event, deposed: bool = False) -> asyncpg.Connection | None:
        """Wait until this process leads; the connection holding the lock, or None when stopped first.

        A relay ``deposed`` (its session was lost) waits two retry intervals before asking again, so a
        healthy standby, polling every interval, takes over rather than the relay whose session failed.
        """
        announced = False
        if deposed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 2 * self._retry)
        while not stop.is_set():
            conn: asyncpg.Connection | None = None
            try:
                conn = await self._pool.acquire()
                if await self._try_lock(conn):
                    await conn.execute(f"SET application_name = '{application_name(self._relay)}'")
                    # A leader cut off by the network must not hold the lock for the kernel's two-hour
                    # keepalive default: the server drops this session after about 11 s of silence.
                    await conn.execute(KEEPALIVES)
                    log.info("relay leading", relay=self._relay)
                    return conn
                if not announced:
                    log.info("relay standing by", relay=self._relay)
                    announced = True
            except CONNECTION_LOST as error:  # the database is away: a standby keeps waiting
                log.warning("relay cannot reach the event store", relay=self._relay, error=type(error).__name__)
            if conn is not None:
                await give_back(self._pool, conn)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._retry)
        return None

    async def _try_lock(self, conn: asyncpg.Connection) -> bool:
        return bool(await conn.fetchval("SELECT pg_try_advisory_lock($1, hashtext($2))",
                                        LEADERSHIP_LOCK_CLASS, self._relay))

    async def release(self, conn: asyncpg.Connection) -> None:
        """Unlock and give the session back to the pool; a session that cannot be unlocked is ended.

        Unlocked explicitly: a pool that skips asyncpg's reset on release (``ap_runtime.pg_pools``)
        would otherwise keep the lock in an idle session, and no relay, this one included, could lead.
        A session that ended was already handed back by the pool (releasing it again does nothing).
        """
        try:
            if not conn.is_closed():
                await conn.execute("SELECT pg_advisory_unlock($1, hashtext($2))", LEADERSHIP_LOCK_CLASS, self._relay,
                                   timeout=5)
                await conn.execute("RESET application_name; RESET tcp_keepalives_idle;"
                                   " RESET tcp_keepalives_interval; RESET tcp_keepalives_count", timeout=5)
        except Exception:  # a session we cannot unlock must not keep the lock
            with contextlib.suppress(Exception):
                conn.terminate()
        await give_back(self._pool, conn)


async def give_back(pool: asyncpg.Pool, conn: asyncpg.Connection) -> None:
    """Release ``conn`` to ``pool``; end it when the pool cannot take it back in time."""
    try:
        await pool.release(conn, timeout=5)
    except Exception:  # a session we cannot reset is not reused
        with contextlib.suppress(Exception):
            conn.terminate()

async def current_leader(conn: asyncpg.Connection, relay: str) -> str | None:
    """The ``application_name`` of the session leading ``relay`` on this database, or None (operators, tests)."""
    name: str | None = await conn.fetchval(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.classid::text::bigint = $1"
        "   AND l.objid::text::bigint = (hashtext($2)::bigint & 4294967295) AND l.objsubid = 2"
        "   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        LEADERSHIP_LOCK_CLASS, relay)
    return name
