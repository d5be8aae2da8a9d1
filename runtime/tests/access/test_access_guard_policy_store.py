"""The guard decides with the policy store it was built with (issue 11, command path CPU).

Rule served: a check re-read the settings from the environment and looked the store up again on every
access (``default_policy_store()`` per check, ~1.4% of the API's CPU per command). The store is chosen
once, when the guard is built; the store itself still re-reads its file when the file changes (looked at
once per ``RECHECK_SECONDS``), so a revoked grant takes effect within that time, and a broken edit still
fails closed.
"""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.access import AccessDenied, AccessGuard, Principal, ResourceContext, Role, policy_document
from ap_runtime.access.policy import PACKAGED_POLICY, PolicyError
from ap_testing.memory_audit import MemoryAuditLog

STAFF = Principal("u1", "prov-north", OrgKind.PROVISION, frozenset({Role.PROVISION_STAFF}))
PUPIL = ResourceContext(pupil_ref=uuid4(), provision_id="prov-north", home_school_id="school-a")
READ = "incidents.read_behaviour_log"


async def test_a_check_uses_the_store_chosen_when_the_guard_was_built(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    monkeypatch.delenv("AP_ACCESS_POLICY", raising=False)
    guard = AccessGuard(MemoryAuditLog())
    # The environment changing afterwards is not read per check (it was, with each check's settings parse).
    monkeypatch.setenv("AP_ACCESS_POLICY", str(tmp_path / "no-such-policy.yaml"))

    decision = await guard.check(STAFF, READ, PUPIL)

    assert decision.allowed


async def test_the_chosen_store_still_reloads_its_file_when_it_changes(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(PACKAGED_POLICY.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("AP_ACCESS_POLICY", str(policy))
    monkeypatch.setattr(policy_document, "RECHECK_SECONDS", 0.0)  # every check looks (the interval: rules tests)
    guard = AccessGuard(MemoryAuditLog())
    assert (await guard.check(STAFF, READ, PUPIL)).allowed

    policy.write_text("version: [", encoding="utf-8")  # a broken edit fails closed at the next check
    with pytest.raises(PolicyError, match="invalid access policy"):
        await guard.check(STAFF, READ, PUPIL)

    # Every rule granting the read now grants another action instead: the grant is revoked at the next check.
    revoked = PACKAGED_POLICY.read_text(encoding="utf-8").replace(f"actions: [{READ}]",
                                                                  "actions: [incidents.read_safeguarding_detail]")
    policy.write_text(revoked, encoding="utf-8")
    with pytest.raises(AccessDenied):
        await guard.check(STAFF, READ, PUPIL)
