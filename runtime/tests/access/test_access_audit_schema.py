"""The audit table's row mapping without a database: every field of a record is a column, and a record
read back from its row is the record written (arrays as tuples, the digest without char(64)'s padding).

Rule served: the access audit keeps every decision whole (UK GDPR art. 30 records; issue 9); issue 10,
copies: the columns are named once, by the record, and the two mappings derive from them.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from uuid import UUID

from ap_runtime.access.audit_chain import AuditEntry, AuditRecord, chain
from ap_runtime.access.audit_schema import COLUMNS, SCHEMA_SQL, from_row, row_values
from ap_runtime.access.chain_keys import new_chain_key, parse_chain_key

ENTRY = AuditEntry(
    at=datetime(2025, 3, 4, 10, 30, 0, 123456, tzinfo=UTC), user_id="u1", roles=("dsl", "provision_staff"),
    organisation_id="prov-north", action="incidents.read_behaviour_log", decision="allowed", rule_id="LOG-1",
    reason="staff read (rule LOG-1)", pupil_ref=UUID("00000000-0000-4000-8000-000000000001"),
    record_class="safeguarding", purpose="review", purpose_category="direct_care",
    correlation_id=UUID("00000000-0000-4000-8000-0000000000aa"), break_glass=True, recipients=("school-1",),
    policy_version="7",
)


def test_every_field_of_a_record_is_a_column_of_the_table() -> None:
    fields = {f.name for f in dataclasses.fields(AuditRecord)}
    assert set(COLUMNS) == fields and len(COLUMNS) == len(fields)
    assert all(f" {name} " in SCHEMA_SQL for name in COLUMNS)


def test_a_record_read_back_from_its_row_is_the_record_written() -> None:
    record = chain(ENTRY, 41, "0" * 64, parse_chain_key(new_chain_key("unit")))
    values = row_values(record)
    assert values[COLUMNS.index("roles")] == ["dsl", "provision_staff"]  # text[] takes a list
    assert values[COLUMNS.index("recipients")] == ["school-1"]
    row = dict(zip(COLUMNS, values, strict=True))
    assert record.purpose_digest is not None
    row["purpose_digest"] = record.purpose_digest + "  "  # as a char(64) column may hand it back

    assert from_row(row) == record  # a mapping reads by column name as an asyncpg Record does
