"""The audit insert's jsonb document (``audit_schema.insert_document``, orjson since issue 11) holds the same JSON
values as the standard library's text of the same rows did, for any text a record may carry (seeded)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from ap_runtime.access.audit_chain import AuditEntry, chain
from ap_runtime.access.audit_schema import _json_row, insert_document
from ap_runtime.access.chain_keys import new_chain_key, parse_chain_key

pytestmark = pytest.mark.unit

KEY = parse_chain_key(new_chain_key("unit"))
TEXT = st.text(st.characters(codec="utf-8"), max_size=30)  # storable text (no lone surrogates)


@seed(2026)
@settings(max_examples=200, deadline=None)
@given(user=TEXT, reason=TEXT, purpose=st.none() | TEXT, roles=st.lists(TEXT, max_size=3),
       recipients=st.lists(TEXT, max_size=2), pupil=st.none() | st.uuids(), break_glass=st.booleans(),
       offset=st.integers(-720, 720), position=st.integers(1, 2**40))
def test_the_document_holds_the_values_the_standard_library_wrote(
        user: str, reason: str, purpose: str | None, roles: list[str], recipients: list[str], pupil: UUID | None,
        break_glass: bool, offset: int, position: int) -> None:
    at = datetime(2026, 12, 6, 9, 30, 0, 123456, tzinfo=timezone(timedelta(minutes=offset))).astimezone(UTC)
    entry = AuditEntry(at=at, user_id=user, roles=tuple(roles), organisation_id="prov-north",
                       action="incidents.record_incident", decision="allowed", rule_id="INC-1", reason=reason,
                       pupil_ref=pupil, record_class="incident", purpose=purpose, purpose_category=None,
                       correlation_id=None, break_glass=break_glass, recipients=tuple(recipients))
    first = chain(entry, position, "0" * 64, KEY, "chain-a")
    records = [first, replace(chain(entry, position + 1, first.hash, KEY, "chain-a"), purpose=None)]
    before = json.dumps([_json_row(r) for r in records], separators=(",", ":"), ensure_ascii=False)

    assert json.loads(insert_document(records)) == json.loads(before)
