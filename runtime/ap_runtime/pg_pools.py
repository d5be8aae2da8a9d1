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

Their sessions also plan every statement for its own parameters (``plan_cache_mode`` =
``force_custom_plan``). asyncpg prepares each statement once per connection, and after five runs
PostgreSQL may settle on a generic plan, costed for the table sizes of that moment and kept until
the table is next analysed. The command path's statements join a batch of keys (``unnest``) to a
table that grows fast (the catch-up read to ``events``, the token claim to ``used_write_tokens``):
a generic plan made while a burst filled a fresh table hashes the whole table (a sequential scan),
and after the burst every lone command paid a scan of tens of thousands of rows for each of those
statements (issue 11: after the benchmark's 20,000-command burst, the Kafka command path at 100
commands/s cost PostgreSQL 5.6-8.8 ms of CPU a command, 1.7-1.9 ms with a plan per statement).
Planning a statement costs the database far less than such a scan; a plan made for its parameters
and the table's size now is an index lookup.
"""

from __future__ import annotations

import asyncpg

# Each statement planned for its parameters and the tables as they are (see the module docstring).
SESSION_SETTINGS = {"plan_cache_mode": "force_custom_plan"}


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """Nothing to reset: the pool's users keep no session state (see the module docstring)."""


async def command_path_pool(dsn: str, *, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    """A pool whose released connections are not reset (for sessions holding no state past a transaction)."""
    pool: asyncpg.Pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, reset=_keep_session,
                                                   server_settings=SESSION_SETTINGS)
    return pool
