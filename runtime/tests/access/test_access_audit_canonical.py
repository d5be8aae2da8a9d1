"""The chain's canonical JSON (``audit_chain.canonical_json``, orjson since issue 11) is byte for byte the standard
library's text it replaced, so every record stored before still verifies and every new one verifies with it."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from ap_runtime.access.audit_chain import GENESIS_HASH, AuditEntry, _canonical_fields, canonical_json, record_hash
from ap_runtime.access.chain_keys import parse_chain_key
from ap_runtime.access.roles import Role

pytestmark = pytest.mark.unit

KEY = parse_chain_key("golden-1:" + base64.b64encode(bytes(range(32))).decode())
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=30)  # control characters included, no lone surrogate
SPELLINGS = {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False}  # what the chain hashed before


def _entry(**changes: Any) -> AuditEntry:
    values: dict[str, Any] = {
        "at": datetime(2026, 12, 6, 9, 30, 0, 123456, tzinfo=timezone(timedelta(hours=1))),
        "user_id": "staff-\u00e4-\x01\"\\\n", "roles": (Role.PROVISION_STAFF, "dsl"), "organisation_id": "prov-north",
        "action": "incidents.record_incident", "decision": "allowed", "rule_id": "INC-1",
        "reason": "Grund: \u00e9\u20ac\U0001f600\u2028\x7f\t",
        "pupil_ref": UUID("00000000-0000-4000-8000-000000000001"),
        "record_class": "incident", "purpose": "note \u00abx\u00bb", "purpose_category": "direct_care",
        "correlation_id": UUID("00000000-0000-4000-8000-0000000000aa"), "break_glass": True,
        "recipients": ("school-a", "la-\u00fc"), "policy_version": "v7",
    }
    return AuditEntry(**{**values, **changes})


def test_hashes_written_before_orjson_are_written_again() -> None:
    # Written by the standard library's canonical form (the tree before this change) for these entries and key.
    bare = _entry(purpose=None, pupil_ref=None, correlation_id=None, record_class=None, purpose_category=None,
                  roles=(), recipients=(), break_glass=False, reason="")
    assert record_hash(_entry(), 1, GENESIS_HASH, KEY) == (
        "7b0594b884aecd82ca0660b6ed56e529b49dd3c17e1dd8d98b2efde91f0fb9cc")
    assert record_hash(_entry(), 2**62, "ab" * 32, KEY, chain_id="incidents-api:host\u00f1:42:abc") == (
        "c7784ca67a55d5ccca6ebe9ceca35ae5f7474a1807cf9b5a0d55fa81f458f86e")
    assert record_hash(bare, 7, "cd" * 32, KEY, chain_id="c") == (
        "290f6ad05b5507b43a911e3f6c1138f30af9f1e171d1dad6935df36ee1112db9")


@seed(2026)
@settings(max_examples=1000, deadline=None)
@given(user=ANY_TEXT, reason=ANY_TEXT, organisation=ANY_TEXT, purpose=st.none() | ANY_TEXT,
       roles=st.lists(st.sampled_from(list(Role)) | ANY_TEXT, max_size=3), recipients=st.lists(ANY_TEXT, max_size=2),
       pupil=st.none() | st.uuids(), correlation=st.none() | st.uuids(), break_glass=st.booleans(),
       offset=st.integers(-720, 720), seq=st.integers(1, 2**63 - 1), chain_id=st.just("") | ANY_TEXT,
       prev_hash=ANY_TEXT, policy_version=ANY_TEXT, category=st.none() | ANY_TEXT)
def test_the_canonical_bytes_are_the_standard_librarys(
        user: str, reason: str, organisation: str, purpose: str | None, roles: list[Role | str],
        recipients: list[str], pupil: UUID | None, correlation: UUID | None, break_glass: bool, offset: int, seq: int,
        chain_id: str, prev_hash: str, policy_version: str, category: str | None) -> None:
    at = datetime(2026, 12, 6, 9, 30, 0, 123456, tzinfo=timezone(timedelta(minutes=offset))).astimezone(UTC)
    entry = _entry(at=at, user_id=user, roles=tuple(roles), organisation_id=organisation, reason=reason,
                   pupil_ref=pupil, purpose=purpose, purpose_category=category, correlation_id=correlation,
                   break_glass=break_glass, recipients=tuple(recipients), policy_version=policy_version)
    fields = _canonical_fields(entry, seq, prev_hash, KEY.key_id, purpose, chain_id)

    assert canonical_json(fields) == json.dumps(fields, **SPELLINGS).encode("utf-8")  # type: ignore[arg-type]


def test_what_orjson_refuses_is_written_or_refused_as_before() -> None:
    huge = {"seq": 2**70, "reason": "x"}  # past 64 bits: orjson refuses, the standard library writes it
    assert canonical_json(huge) == json.dumps(huge, **SPELLINGS).encode("utf-8")  # type: ignore[arg-type]
    with pytest.raises(UnicodeEncodeError):  # a lone surrogate: refused as before, by the UTF-8 encoding
        record_hash(_entry(reason="\ud800"), 1, GENESIS_HASH, KEY)
