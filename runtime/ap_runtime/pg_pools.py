"""Connection pools of the command path: a released connection is not reset by another round trip.

Rule served: issue 11 (the command path five times faster). asyncpg resets every connection
handed back to a pool with one more statement (``SELECT pg_advisory_unlock_all(); CLOSE ALL;
UNLISTEN *; RESET ALL``), so each ``pool.fetch*`` or ``acquire`` costs two round trips; a command
makes several. A ``command_path_pool`` skips that statement, which is safe only because the
sessions of these pools hold no state past a transaction: locks are ``pg_advisory_xact_lock``,
settings ``SET LOCAL``, no ``LISTEN`` and no cursor outside a transaction (the relay's leadership
lock and its ``LISTEN`` use pools of their own, with asyncpg's reset). A transaction left open
is still rolled back on release (asyncpg does that before calling ``reset``), and listeners added
with ``add_listener`` are still removed.
"""

from __future__ import annotations

import asyncpg


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """Nothing to reset: the pool's users keep no session state (see the module docstring)."""


async def command_path_pool(dsn: str, *, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    """A pool whose released connections are not reset (for sessions holding no state past a transaction)."""
    pool: asyncpg.Pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, reset=_keep_session)
    return pool
