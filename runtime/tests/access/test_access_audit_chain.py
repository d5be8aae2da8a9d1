"""The keyed audit hash chain without a database: canonical hashing, linking and the key."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest

from ap_runtime.access.audit_chain import GENESIS_HASH, AuditEntry, chain, record_hash, record_problem
from ap_runtime.access.chain_keys import ChainKey, new_chain_key, parse_chain_key

KEY = parse_chain_key(new_chain_key("unit"))

ENTRY = AuditEntry(
    at=datetime(2025, 3, 4, 10, 30, 0, 123456, tzinfo=UTC),
    user_id="u1",
    roles=("provision_staff",),
    organisation_id="prov-north",
    action="incidents.read_behaviour_log",
    decision="allowed",
    rule_id="LOG-1",
    reason="staff read (rule LOG-1)",
    pupil_ref=UUID("00000000-0000-4000-8000-000000000001"),
    purpose=None,
    correlation_id=UUID("00000000-0000-4000-8000-0000000000aa"),
)


def test_the_hash_is_stable_and_hex_sha256() -> None:
    first = record_hash(ENTRY, 1, GENESIS_HASH, KEY)
    assert first == record_hash(ENTRY, 1, GENESIS_HASH, KEY)
    assert len(first) == 64 and int(first, 16) >= 0


@pytest.mark.parametrize(
    "change",
    [
        {"user_id": "u2"},
        {"roles": ("dsl",)},
        {"organisation_id": "prov-south"},
        {"action": "incidents.read_safeguarding_detail"},
        {"decision": "denied"},
        {"rule_id": "LOG-2"},
        {"reason": "other"},
        {"pupil_ref": None},
        {"record_class": "safeguarding"},
        {"purpose": "why"},
        {"purpose_category": "safeguarding"},
        {"correlation_id": None},
        {"break_glass": True},
        {"recipients": ("school-a",)},
        {"policy_version": "2"},
        {"at": ENTRY.at + timedelta(microseconds=1)},
    ],
)
def test_every_field_is_covered_by_the_hash(change: dict[str, object]) -> None:
    altered = dataclasses.replace(ENTRY, **change)  # type: ignore[arg-type]
    assert record_hash(altered, 1, GENESIS_HASH, KEY) != record_hash(ENTRY, 1, GENESIS_HASH, KEY)


def test_position_and_predecessor_are_covered_by_the_hash() -> None:
    assert record_hash(ENTRY, 2, GENESIS_HASH, KEY) != record_hash(ENTRY, 1, GENESIS_HASH, KEY)
    assert record_hash(ENTRY, 1, "f" * 64, KEY) != record_hash(ENTRY, 1, GENESIS_HASH, KEY)


def test_records_link_to_their_predecessor() -> None:
    first = chain(ENTRY, 1, GENESIS_HASH, KEY)
    second = chain(ENTRY, 2, first.hash, KEY)
    assert second.prev_hash == first.hash
    assert second.hash == record_hash(second, 2, first.hash, KEY)
    assert (first.key_id, record_problem(second, KEY)) == ("unit", None)


def test_the_hash_needs_the_key() -> None:
    """Without the key (another secret, even under the same id) nobody reproduces a link."""
    impostor = ChainKey(KEY.key_id, b"x" * 32)
    assert record_hash(ENTRY, 1, GENESIS_HASH, impostor) != record_hash(ENTRY, 1, GENESIS_HASH, KEY)
    assert record_problem(chain(ENTRY, 1, GENESIS_HASH, KEY), impostor) == "record content does not match its hash"


def test_the_free_text_purpose_can_be_dropped_and_the_record_still_verifies() -> None:
    """The chain covers the purpose's keyed digest, so retention can drop the text, never alter it."""
    stated = chain(dataclasses.replace(ENTRY, purpose="reviewing the week", purpose_category="direct_care"), 1,
                   GENESIS_HASH, KEY)
    assert record_problem(dataclasses.replace(stated, purpose=None), KEY) is None
    assert record_problem(dataclasses.replace(stated, purpose="something else"), KEY) == (
        "the purpose text does not match its digest")
    assert record_problem(dataclasses.replace(stated, purpose_category="audit"), KEY) == (
        "record content does not match its hash")


def test_times_are_normalised_to_utc_and_must_be_aware() -> None:
    local = ENTRY.at.astimezone(timezone(timedelta(hours=1)))
    same = dataclasses.replace(ENTRY, at=local)
    assert same.at.tzinfo is UTC
    assert record_hash(same, 1, GENESIS_HASH, KEY) == record_hash(ENTRY, 1, GENESIS_HASH, KEY)
    with pytest.raises(ValueError, match="timezone-aware"):
        dataclasses.replace(ENTRY, at=datetime(2025, 1, 1))
