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

A ``keyed_statement_pool`` is for the few statements that reach every table row they touch through an index, by
keys they are given (the incidents command path's token claim and catch-up read, its appends, its access-audit
chain; see ``HistoryCachingStore`` and ``IncidentsDeps``): for those, the planning itself was the cost. PostgreSQL
planned each such statement afresh at every run, and planning one of them took longer than running it (the claim
and catch-up read: 0.40 ms to plan, 0.25 ms to run, its PostgreSQL CPU 0.41-0.45 ms a statement with a plan per run
and 0.08-0.10 ms with one plan a session; issue 11: about half of PostgreSQL's CPU per HTTP command). Their sessions
keep one generic plan per statement, and with sequential scans, hash joins and merge joins priced out (``enable_*``
off) that plan is a nested loop of index probes whatever the tables' size or statistics were when it was made: the
plan a statement for a batch of keys needs at every size, never the whole-table scan above. Only statements of that
kind belong on such a pool: a query that must read much of a table would be refused the plans it needs.
"""

from __future__ import annotations

import asyncpg

# Each statement planned for its parameters and the tables as they are (see the module docstring).
SESSION_SETTINGS = {"plan_cache_mode": "force_custom_plan"}
# One plan a session for statements that probe an index by given keys, and that plan index probes (module docstring).
KEYED_SESSION_SETTINGS = {"plan_cache_mode": "force_generic_plan", "enable_seqscan": "off",
                          "enable_hashjoin": "off", "enable_mergejoin": "off"}


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """Nothing to reset: the pool's users keep no session state (see the module docstring)."""


async def command_path_pool(dsn: str, *, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    """A pool whose released connections are not reset (for sessions holding no state past a transaction)."""
    return await _pool(dsn, min_size, max_size, SESSION_SETTINGS)


async def keyed_statement_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """A ``command_path_pool`` whose sessions plan each statement once, as index probes (see the module docstring):
    only for statements that reach their rows through an index, by keys they are given."""
    return await _pool(dsn, min_size, max_size, KEYED_SESSION_SETTINGS)


async def _pool(dsn: str, min_size: int, max_size: int, settings: dict[str, str]) -> asyncpg.Pool:
    pool: asyncpg.Pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, reset=_keep_session,
                                                   server_settings=settings)
    return pool
