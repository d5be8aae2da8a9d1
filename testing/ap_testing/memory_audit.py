"""The access audit in memory: what the guard writes and what a DPO's audit query reads, without a server.

``MemoryAuditLog`` is both the guard's ``AuditSink`` (records chained as the real log chains them,
``audit_chain.chain``) and incidents' ``AccessAuditReader`` (the same filters as
``ap_runtime.access.audit.query``). ``services/incidents/tests/test_incidents_access_audit_reader.py``
runs one contract suite against it and against the PostgreSQL audit, so a unit test that reads the
audit through it reads what the real one would return.
"""

from __future__ import annotations

from ap_incidents.application.ports import AuditSelection
from ap_runtime.access.audit_chain import GENESIS_HASH, AuditEntry, AuditRecord, chain
from ap_runtime.access.chain_keys import ChainKey

UNIT_TEST_CHAIN_KEY = ChainKey("unit-test", b"k" * 32)


class MemoryAuditLog:
    """Audit records in a list, ``seq`` from 1, in the order they were recorded."""

    def __init__(self, key: ChainKey = UNIT_TEST_CHAIN_KEY) -> None:
        self.stored: list[AuditRecord] = []
        self._key = key

    async def record(self, entry: AuditEntry) -> AuditRecord:
        previous = self.stored[-1].hash if self.stored else GENESIS_HASH
        stored = chain(entry, len(self.stored) + 1, previous, self._key)
        self.stored.append(stored)
        return stored

    async def records(self, selection: AuditSelection) -> list[AuditRecord]:
        """Matching records, oldest first: filters combine with AND, ``since`` inclusive, ``until`` exclusive."""
        found = [r for r in self.stored if r.seq > selection.after_seq and _matches(r, selection)]
        return found[: selection.limit]


def _matches(record: AuditRecord, selection: AuditSelection) -> bool:
    return ((selection.pupil_ref is None or record.pupil_ref == selection.pupil_ref)
            and (selection.user_id is None or record.user_id == selection.user_id)
            and (selection.organisation_id is None or record.organisation_id == selection.organisation_id)
            and (selection.since is None or record.at >= selection.since)
            and (selection.until is None or record.at < selection.until))
