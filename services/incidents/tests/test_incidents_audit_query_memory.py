"""The DPO's audit query on the in-memory audit: the guard writes it, the query reads it, no server.

Rule served: DP-AUD-1 (a DPO reads the access audit of its own organisation's users, stating why) and
DPA 2018 s.62 (the DPO's own read is audited too). ``MemoryAuditLog`` keeps the PostgreSQL audit's
read contract (``test_incidents_access_audit_reader.py``), so this runs at the unit level what
``test_incidents_audit_api.py`` checks through HTTP on real servers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_incidents.application.audit_query import AuditFilter, read_audit
from ap_runtime.access import AccessDenied, AccessGuard, Principal, Role
from ap_runtime.access.audit_chain import AuditEntry
from ap_testing.memory_audit import MemoryAuditLog

PURPOSE = "complaint from a parent about who saw the record"


def _principal(user: str, organisation: str, role: Role) -> Principal:
    return Principal(user_id=user, organisation_id=organisation, org_kind=OrgKind.HOME_SCHOOL,
                     roles=frozenset({role}))


async def _audit_with_two_organisations() -> MemoryAuditLog:
    audit = MemoryAuditLog()
    for user, organisation in (("x-staff", "school-x"), ("y-staff", "school-y"), ("x-head", "school-x")):
        await audit.record(AuditEntry(
            at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC), user_id=user, roles=("home_school_staff",),
            organisation_id=organisation, action="incidents.read_behaviour_log", decision="allowed",
            rule_id="LOG-1", reason="test", pupil_ref=uuid4(), record_class="behaviour", purpose=None,
            correlation_id=uuid4(),
        ))
    return audit


async def test_a_dpo_reads_its_own_organisations_records_only_and_the_read_is_audited() -> None:
    audit = await _audit_with_two_organisations()
    dpo = _principal("x-dpo", "school-x", Role.DPO)
    page = await read_audit(AccessGuard(audit), audit, dpo, None, AuditFilter(limit=10), purpose=PURPOSE)
    assert page["scope"] == "organisation"
    # school-y's record is left out; the DPO's own read is audited before the query, so it is on the page.
    assert [r["user_id"] for r in page["records"]] == ["x-staff", "x-head", "x-dpo"]
    assert page["next_after_seq"] is None
    own_read = page["records"][-1]
    assert (own_read["action"], own_read["decision"], own_read["rule_id"], own_read["purpose"]) == (
        "privacy.read_audit", "allowed", "DP-AUD-1", PURPOSE)


async def test_pages_of_the_organisations_records_continue_after_the_last_seq() -> None:
    audit = await _audit_with_two_organisations()
    dpo = _principal("x-dpo", "school-x", Role.DPO)
    first = await read_audit(AccessGuard(audit), audit, dpo, None, AuditFilter(limit=1), purpose=PURPOSE)
    assert [r["user_id"] for r in first["records"]] == ["x-staff"]
    rest = await read_audit(AccessGuard(audit), audit, dpo, None,
                            AuditFilter(limit=1, after_seq=first["next_after_seq"]), purpose=PURPOSE)
    assert [r["user_id"] for r in rest["records"]] == ["x-head"]


async def test_someone_not_a_dpo_is_refused_and_the_refusal_is_audited() -> None:
    audit = await _audit_with_two_organisations()
    staff = _principal("x-staff", "school-x", Role.HOME_SCHOOL_STAFF)
    with pytest.raises(AccessDenied):
        await read_audit(AccessGuard(audit), audit, staff, None, AuditFilter(), purpose=PURPOSE)
    assert (audit.stored[-1].action, audit.stored[-1].decision) == ("privacy.read_audit", "denied")
