"""``python -m ap_runtime.access query-audit``: the DPO's table of audit records by pupil, user and date,
run as a process against a real audit database."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from ap_runtime.access import AuditEntry, AuditLog, AuditRecord, open_audit_pool
from ap_runtime.access.cli import AUDIT_COLUMNS, audit_table

PUPIL = UUID("7a1c0f7e-5a55-4d8e-9a39-0c8b1f2e3d4a")
OTHER_PUPIL = UUID("0d3b9c51-2f6e-4e0a-8c1d-5b7a9e6f4c21")


def entry(at: datetime, user: str, pupil: UUID | None, *, decision: str = "allowed", purpose: str | None = None,
          break_glass: bool = False) -> AuditEntry:
    return AuditEntry(at=at, user_id=user, roles=("home_school_head",), organisation_id="school-home-1",
                      action="incidents.read_safeguarding_detail", decision=decision,  # type: ignore[arg-type]
                      rule_id="SG-BG-1" if decision == "allowed" else "SG-1", reason="test", pupil_ref=pupil,
                      record_class="safeguarding", purpose=purpose, correlation_id=uuid4(), break_glass=break_glass)


async def query_audit(dsn: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ap_runtime.access", "query-audit", "--dsn", dsn, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=os.environ.copy())
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def data_lines(output: str) -> list[str]:
    """The table's record rows (after the header and the rule line, before the count)."""
    return output.splitlines()[2:-1]


@pytest.mark.integration
async def test_query_audit_filters_by_pupil_user_and_dates_and_pages(
        new_database: Callable[[str], Awaitable[str]]) -> None:
    dsn = await new_database("access_cli_audit")
    pool = await open_audit_pool(dsn)
    try:
        await AuditLog(pool).record_many([
            entry(datetime(2025, 3, 1, 9, tzinfo=UTC), "head-1", PUPIL, purpose="immediate_risk: a long reason "
                  "that is longer than the column so the table shortens it", break_glass=True),
            entry(datetime(2025, 3, 2, 9, tzinfo=UTC), "staff-2", PUPIL, decision="denied"),
            entry(datetime(2025, 3, 3, 9, tzinfo=UTC), "head-1", OTHER_PUPIL),
            entry(datetime(2025, 4, 1, 9, tzinfo=UTC), "head-1", PUPIL),
        ])
    finally:
        await pool.close()

    code, out, err = await query_audit(dsn, "--pupil", str(PUPIL))
    assert code == 0, err
    assert out.splitlines()[0].split()[:3] == ["seq", "at", "(UTC)"]
    rows = data_lines(out)
    assert [row.split()[0] for row in rows] == ["1", "2", "4"]
    assert "yes" in rows[0] and "…" in rows[0] and "denied" in rows[1]
    assert out.splitlines()[-1] == "3 record(s)"

    code, out, _ = await query_audit(dsn, "--user", "head-1", "--since", "2025-03-02", "--until", "2025-04-01")
    assert code == 0 and [row.split()[0] for row in data_lines(out)] == ["3"]

    code, out, _ = await query_audit(dsn, "--pupil", str(PUPIL), "--limit", "2")
    assert code == 0 and out.splitlines()[-1] == "2 record(s); more after --after-seq 2"
    code, out, _ = await query_audit(dsn, "--pupil", str(PUPIL), "--after-seq", "2")
    assert [row.split()[0] for row in data_lines(out)] == ["4"]

    code, _, err = await query_audit(dsn, "--pupil", "not-a-uuid")
    assert code == 2 and "error" in err


def test_the_table_has_one_aligned_row_per_record_and_never_more_than_the_record() -> None:
    records = [
        entry(datetime(2025, 3, 1, 9, 30, tzinfo=UTC), "head-1", PUPIL, purpose="why"),
        entry(datetime(2025, 3, 1, 10, tzinfo=UTC), "a-much-longer-user-id", None),
    ]
    stored = [_stored(r, seq) for seq, r in enumerate(records, start=1)]
    lines = audit_table(stored).splitlines()
    assert len(lines) == 2 + len(records)
    assert lines[0].split()[0] == AUDIT_COLUMNS[0] and set(lines[1]) <= {"-", " "}
    user_column = lines[0].index("user")
    assert lines[2][user_column:].startswith("head-1") and lines[3][user_column:].startswith("a-much-longer-user-id")
    assert "2025-03-01 09:30:00" in lines[2] and str(PUPIL) in lines[2] and "why" in lines[2]


def _stored(e: AuditEntry, seq: int) -> AuditRecord:
    return AuditRecord(seq=seq, **{f: getattr(e, f) for f in e.__dataclass_fields__})
