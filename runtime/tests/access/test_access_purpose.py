"""Purpose categories and short, droppable notes (issue 9: free text in the purpose header was kept forever).

Rules served: a purpose is a category from a fixed list, optionally with a short note that is never
required; the note is dropped after NOTE_RETENTION_DAYS while the category and the chain stay.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind
from ap_runtime.access import (
    AccessDenied,
    AccessGuard,
    AuditLog,
    Principal,
    ResourceContext,
    Role,
    open_audit_pool,
    query,
    verify,
)
from ap_runtime.access.audit import drop_purpose_notes
from ap_runtime.access.policy import Policy, Rule, decide, default_policy_store
from ap_runtime.access.purpose import (
    MAX_NOTE_LENGTH,
    NOTE_RETENTION_DAYS,
    InvalidPurpose,
    PurposeCategory,
    StatedPurpose,
    parse_purpose,
)

DSL = Principal("dsl-1", "prov-north", OrgKind.PROVISION, frozenset({Role.DSL}))
PUPIL = ResourceContext(pupil_ref=uuid4(), provision_id="prov-north", home_school_id="school-a")


@pytest.mark.parametrize(("header", "expected"), [
    ("safeguarding", StatedPurpose(PurposeCategory.SAFEGUARDING, None)),
    ("subject_access: request of 3 March", StatedPurpose(PurposeCategory.SUBJECT_ACCESS, "request of 3 March")),
    (" emergency ; DSL unreachable ", StatedPurpose(PurposeCategory.EMERGENCY, "DSL unreachable")),
    ("child protection conference", StatedPurpose(None, "child protection conference")),
    ("", StatedPurpose(None, None)),
    (None, StatedPurpose(None, None)),
])
def test_the_header_gives_a_category_and_an_optional_note(header: str | None, expected: StatedPurpose) -> None:
    assert parse_purpose(header) == expected


def test_the_note_is_bounded_and_the_message_points_to_the_categories() -> None:
    assert parse_purpose("audit: " + "n" * MAX_NOTE_LENGTH).note == "n" * MAX_NOTE_LENGTH
    with pytest.raises(InvalidPurpose, match=f"longer than {MAX_NOTE_LENGTH} characters: state a category"):
        parse_purpose("audit: " + "n" * (MAX_NOTE_LENGTH + 1))
    with pytest.raises(InvalidPurpose, match="direct_care, safeguarding"):
        parse_purpose("x" * 300)


def test_notes_are_kept_ninety_days() -> None:
    assert NOTE_RETENTION_DAYS == 90


def test_a_rule_listing_purposes_accepts_only_those_categories() -> None:
    rule = Rule.model_validate({
        "id": "SG-T", "description": "DSL reads safeguarding detail", "actions": ["incidents.read_safeguarding_detail"],
        "roles": ["dsl"], "relationship": "own_provision", "record_classes": ["safeguarding"],
        "requires_purpose": True, "purposes": ["safeguarding", "emergency"]})
    policy = Policy(default_policy_store().current().document.model_copy(update={"rules": (rule,)}))

    refused = decide(DSL, "incidents.read_safeguarding_detail", PUPIL, purpose="just looking", policy=policy)
    assert not refused.allowed
    assert refused.reason == ("role dsl must state the purpose as one of emergency, safeguarding to read "
                              "safeguarding detail (rule SG-T)")
    granted = decide(DSL, "incidents.read_safeguarding_detail", PUPIL, purpose="safeguarding", policy=policy,
                     purpose_category=PurposeCategory.SAFEGUARDING)
    assert granted.allowed


@pytest_asyncio.fixture(loop_scope="session")
async def audit_pool(new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_audit_pool(await new_database("access_purpose"), max_size=3)
    yield pool
    await pool.close()


@pytest.mark.integration
async def test_the_guard_audits_the_category_and_the_note_separately(audit_pool: asyncpg.Pool) -> None:
    guard = AccessGuard(AuditLog(audit_pool))
    await guard.check(DSL, "incidents.read_safeguarding_detail", PUPIL, purpose="safeguarding: strategy meeting")
    [record] = await query(audit_pool, pupil=PUPIL.pupil_ref)
    assert (record.purpose_category, record.purpose) == ("safeguarding", "strategy meeting")
    with pytest.raises(AccessDenied, match="must state a purpose"):
        await guard.check(DSL, "incidents.read_safeguarding_detail", PUPIL, purpose="  ")


@pytest.mark.integration
async def test_old_notes_are_dropped_the_category_stays_and_the_chain_verifies(audit_pool: asyncpg.Pool) -> None:
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=NOTE_RETENTION_DAYS + 1), now - timedelta(days=1)
    clocks = iter([old, recent])
    guard = AccessGuard(AuditLog(audit_pool), clock=lambda: next(clocks))
    pupil = ResourceContext(pupil_ref=uuid4(), provision_id="prov-north")
    for note in ("old note", "recent note"):
        await guard.check(DSL, "incidents.read_safeguarding_detail", pupil, purpose=f"safeguarding: {note}")
    assert await drop_purpose_notes(audit_pool) == 1
    records = await query(audit_pool, pupil=pupil.pupil_ref)
    assert [(r.purpose_category, r.purpose) for r in records] == [("safeguarding", None),
                                                                  ("safeguarding", "recent note")]
    assert (await verify(audit_pool)).ok
    with pytest.raises(asyncpg.RaiseError, match="append-only"):  # a note can be dropped, never rewritten
        await audit_pool.execute("UPDATE access_audit SET purpose = 'other' WHERE purpose = 'recent note'")
    with pytest.raises(asyncpg.RaiseError, match="append-only"):  # nor the category with it
        await audit_pool.execute("UPDATE access_audit SET purpose = NULL, purpose_category = NULL"
                                 " WHERE purpose = 'recent note'")
    with pytest.raises(asyncpg.RaiseError, match="append-only"):  # nor a note inside its retention period
        await audit_pool.execute("UPDATE access_audit SET purpose = NULL WHERE purpose = 'recent note'")
    with pytest.raises(ValueError, match="at least 90"):
        await drop_purpose_notes(audit_pool, older_than_days=7)
