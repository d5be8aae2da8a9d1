"""The self-audit and panel reads find their streams through partial indexes on each stream's first event
(issue 13), so listing a caller's audits or an authority's panels never scans the whole events table."""

from __future__ import annotations

from .conftest import World


async def test_the_migration_creates_the_partial_indexes_the_reads_use(world: World) -> None:
    rows = await world.pool.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events'"
        " AND indexname IN ('self_audit_requests', 'panels_constituted') ORDER BY 1")
    assert [r["indexname"] for r in rows] == ["panels_constituted", "self_audit_requests"]
    assert "PanelConstituted" in rows[0]["indexdef"] and "stream_version = 1" in rows[0]["indexdef"]
