"""The access-audit read port (``application/ports.AccessAuditReader``), one contract for every implementation.

``any_audit`` is the in-memory audit (``ap_testing.memory_audit``, a unit test) and then the
PostgreSQL audit on a fresh database, written by ``AuditLog`` and read by
``adapters/read_models.PostgresAccessAudit`` (an integration test). Rule served: issue 10, a fast
loop whose fakes honour the real adapters' contract: a unit test of the DPO's audit query on the
in-memory audit reads what the real audit would return. Filters combine with AND, ``since`` is
inclusive and ``until`` exclusive, pages run oldest first after ``after_seq``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID, uuid4

import pytest
import pytest_asyncio

from ap_incidents.adapters.read_models import PostgresAccessAudit
from ap_incidents.application.ports import AccessAuditReader, AuditSelection
from ap_runtime.access import AuditLog, open_audit_pool
from ap_runtime.access.audit_chain import AuditEntry, AuditRecord
from ap_runtime.access.chain_keys import ChainKeyRing
from ap_testing.memory_audit import UNIT_TEST_CHAIN_KEY, MemoryAuditLog

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PUPIL_1, PUPIL_2 = UUID(int=1), UUID(int=2)


class AuditWriter(Protocol):
    async def record(self, entry: AuditEntry) -> AuditRecord: ...


class AuditUnderTest:
    def __init__(self, writer: AuditWriter, reader: AccessAuditReader) -> None:
        self.writer, self.reader = writer, reader

    async def seqs(self, **wanted: object) -> list[int]:
        selection = {"pupil_ref": None, "user_id": None, "since": None, "until": None, "organisation_id": None,
                     "after_seq": 0, "limit": 100, **wanted}
        return [r.seq for r in await self.reader.records(AuditSelection(**selection))]


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def any_audit(request: pytest.FixtureRequest) -> AuditUnderTest:
    """Four records: (user, organisation, pupil, hours after T0) = (a, X, 1, 0), (b, Y, 1, 1), (a, X, 2, 2),
    (c, X, none, 3), written in that order (seq 1 to 4), in each implementation in turn."""
    audit: AuditUnderTest = request.getfixturevalue(f"{request.param}_audit")
    return audit


@pytest_asyncio.fixture
async def memory_audit() -> AuditUnderTest:
    memory = MemoryAuditLog()
    await _write_four(memory)
    return AuditUnderTest(memory, memory)


@pytest_asyncio.fixture
async def postgres_audit(new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[AuditUnderTest]:
    pool = await open_audit_pool(await new_database("audit_reader"), min_size=1, max_size=2)
    try:
        writer = AuditLog(pool, keys=ChainKeyRing(UNIT_TEST_CHAIN_KEY))
        await _write_four(writer)
        yield AuditUnderTest(writer, PostgresAccessAudit(pool))
    finally:
        await pool.close()


async def _write_four(writer: AuditWriter) -> None:
    for user, organisation, pupil, hours in (("a", "X", PUPIL_1, 0), ("b", "Y", PUPIL_1, 1),
                                             ("a", "X", PUPIL_2, 2), ("c", "X", None, 3)):
        await writer.record(AuditEntry(
            at=T0 + timedelta(hours=hours), user_id=user, roles=("provision_staff",), organisation_id=organisation,
            action="incidents.read_behaviour_log", decision="allowed", rule_id="LOG-1", reason="test",
            pupil_ref=pupil, record_class="behaviour", purpose=None, correlation_id=uuid4(),
        ))


async def test_filters_combine_and_records_come_oldest_first(any_audit: AuditUnderTest) -> None:
    assert await any_audit.seqs() == [1, 2, 3, 4]
    assert await any_audit.seqs(pupil_ref=PUPIL_1) == [1, 2]
    assert await any_audit.seqs(organisation_id="X") == [1, 3, 4]
    assert await any_audit.seqs(organisation_id="X", user_id="a") == [1, 3]
    assert await any_audit.seqs(pupil_ref=PUPIL_1, organisation_id="X") == [1]
    assert await any_audit.seqs(user_id="nobody") == []


async def test_since_is_inclusive_and_until_exclusive(any_audit: AuditUnderTest) -> None:
    assert await any_audit.seqs(since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=3)) == [2, 3]
    assert await any_audit.seqs(since=T0 + timedelta(hours=3)) == [4]
    assert await any_audit.seqs(until=T0) == []


async def test_pages_continue_after_the_last_seq(any_audit: AuditUnderTest) -> None:
    assert await any_audit.seqs(limit=2) == [1, 2]
    assert await any_audit.seqs(limit=2, after_seq=2) == [3, 4]
    assert await any_audit.seqs(limit=2, after_seq=4) == []
    assert await any_audit.seqs(organisation_id="X", limit=1, after_seq=1) == [3]


async def test_a_record_reads_back_as_written(any_audit: AuditUnderTest) -> None:
    [record] = await any_audit.reader.records(AuditSelection(
        pupil_ref=PUPIL_2, user_id=None, since=None, until=None, organisation_id=None, after_seq=0, limit=10))
    assert (record.user_id, record.organisation_id, record.pupil_ref, record.at) == ("a", "X", PUPIL_2,
                                                                                    T0 + timedelta(hours=2))
    assert (record.action, record.decision, record.rule_id, record.key_id) == (
        "incidents.read_behaviour_log", "allowed", "LOG-1", UNIT_TEST_CHAIN_KEY.key_id)
