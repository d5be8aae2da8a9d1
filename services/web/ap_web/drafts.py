"""Answers in progress (a journey's draft), kept on the server, never in the browser.

The session cookie is signed but not encrypted, so what a person types about a child must not ride in it:
the cookie holds only a random draft id, and the answers live in the web service's own PostgreSQL table,
each row with an expiry (the session's idle timeout). PostgreSQL rather than process memory because several
web processes may serve one address and any of them may take the next page of a journey.

Rule WEB-DRAFT-1: a draft is found only by its random id and its journey; an expired draft is as if absent.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import asyncpg

DDL = """
CREATE TABLE IF NOT EXISTS web_drafts (
    draft_id   text NOT NULL,
    journey    text NOT NULL,
    answers    jsonb NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (draft_id, journey)
);
CREATE INDEX IF NOT EXISTS web_drafts_expiry ON web_drafts (expires_at);
"""


class DraftStore:
    """Drafts by (draft id, journey) in the web service's database; the pool opens on first use."""

    def __init__(self, dsn: str, lifetime_seconds: int) -> None:
        self._dsn = dsn
        self._lifetime = timedelta(seconds=lifetime_seconds)
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def _connected(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=4)
                async with pool.acquire() as conn, conn.transaction():
                    # Several web processes may start at once: one creates the table.
                    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ap_web.drafts.migrate'))")
                    await conn.execute(DDL)
                self._pool = pool
            return self._pool

    async def save(self, draft_id: str, journey: str, answers: dict[str, Any]) -> None:
        pool = await self._connected()
        async with pool.acquire() as conn, conn.transaction():
            # Expired drafts go as new ones come: nothing about a child is kept past its session.
            await conn.execute("DELETE FROM web_drafts WHERE expires_at < now()")
            await conn.execute(
                "INSERT INTO web_drafts (draft_id, journey, answers, expires_at)"
                " VALUES ($1, $2, $3::jsonb, now() + $4::interval) ON CONFLICT (draft_id, journey)"
                " DO UPDATE SET answers = EXCLUDED.answers, expires_at = EXCLUDED.expires_at",
                draft_id, journey, json.dumps(answers), self._lifetime)

    async def load(self, draft_id: str, journey: str) -> dict[str, Any] | None:
        pool = await self._connected()
        raw = await pool.fetchval(
            "SELECT answers FROM web_drafts WHERE draft_id = $1 AND journey = $2 AND expires_at >= now()",
            draft_id, journey)
        if raw is None:
            return None
        answers = json.loads(raw)
        return answers if isinstance(answers, dict) else None

    async def discard(self, draft_id: str, journey: str | None = None) -> None:
        """One journey's draft, or every draft of the id (sign-out, a new sign-in)."""
        pool = await self._connected()
        if journey is None:
            await pool.execute("DELETE FROM web_drafts WHERE draft_id = $1", draft_id)
        else:
            await pool.execute("DELETE FROM web_drafts WHERE draft_id = $1 AND journey = $2", draft_id, journey)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
