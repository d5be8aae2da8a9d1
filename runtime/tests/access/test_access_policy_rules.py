"""Attacks and edge cases of the access policy: object-, field- and function-level, break-glass, reloads."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import yaml

from ap_contracts.envelope import OrgKind, StrictModel
from ap_contracts.personal import BehaviourNarrative, PupilIdentityText, RecordClass, SafeguardingNarrative
from ap_runtime.access import (
    Principal,
    ResourceContext,
    Role,
    decide,
    redact,
    redact_event,
)
from ap_runtime.access.context import Relationship
from ap_runtime.access.policy import (
    PACKAGED_POLICY,
    POLICY_PATH_ENV,
    UNKNOWN_ACTION_RULE,
    Policy,
    PolicyError,
    PolicyStore,
    default_policy_store,
    load_policy,
    parse_policy,
)
from ap_runtime.access.policy_document import RECHECK_SECONDS

PROVISION, SCHOOL_A, SCHOOL_B, LA = "prov-north", "school-a", "school-b", "la-county"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(PACKAGED_POLICY)


def person(org: str, kind: OrgKind, *roles: Role) -> Principal:
    return Principal(user_id=f"u-{org}", organisation_id=org, org_kind=kind, roles=frozenset(roles))


def pupil_at_north(record_class: RecordClass | None = None) -> ResourceContext:
    """A pupil on roll at school A, placed at the north provision, commissioned by the LA."""
    return ResourceContext(
        pupil_ref=uuid4(),
        provision_id=PROVISION,
        home_school_id=SCHOOL_A,
        commissioner_id=LA,
        partnership_id="np-north",
        record_class=record_class,
    )


class ConcernLogged(StrictModel):
    """A stand-in event payload with personal fields of three classes."""

    pupil_ref: str
    pupil_name: PupilIdentityText
    what_happened: BehaviourNarrative
    disclosure: SafeguardingNarrative
    severity: int


CONCERN = {
    "pupil_ref": "p-1",
    "pupil_name": "Pupil One",
    "what_happened": "threw a chair",
    "disclosure": "said something worrying at home",
    "severity": 3,
}


def test_every_listed_action_has_at_least_one_rule(policy: Policy) -> None:
    ungoverned = [action_id for action_id in policy.actions if not policy.rules_for(action_id)]
    assert ungoverned == []


# ---- object level --------------------------------------------------------------------------------------


def test_home_school_staff_cannot_read_another_schools_pupil(policy: Policy) -> None:
    intruder = person(SCHOOL_B, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_STAFF)
    decision = decide(intruder, "incidents.read_behaviour_log", pupil_at_north(), policy=policy)
    assert not decision.allowed
    assert decision.rule_id == "LOG-2"
    assert "organisation school-b is not (rule LOG-2)" in decision.reason


def test_home_school_staff_read_their_own_pupil(policy: Policy) -> None:
    own = person(SCHOOL_A, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_STAFF)
    assert decide(own, "incidents.read_behaviour_log", pupil_at_north(), policy=policy).allowed


def test_a_resource_with_unknown_organisations_relates_to_no_one(policy: Policy) -> None:
    staff = person(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)
    decision = decide(staff, "incidents.record_incident", ResourceContext(pupil_ref=uuid4()), policy=policy)
    assert not decision.allowed
    assert not ResourceContext().relates(PROVISION, Relationship.OWN_PROVISION)


# ---- field level ---------------------------------------------------------------------------------------


def test_non_dsl_gets_safeguarding_fields_redacted(policy: Policy) -> None:
    staff = person(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)
    decision = decide(staff, "incidents.read_behaviour_log", pupil_at_north(), policy=policy)
    assert decision.allowed
    seen = redact_event(CONCERN, ConcernLogged, decision)
    assert "disclosure" not in seen
    assert seen == {k: v for k, v in CONCERN.items() if k != "disclosure"}


def test_dsl_sees_safeguarding_fields(policy: Policy) -> None:
    dsl = person(PROVISION, OrgKind.PROVISION, Role.DSL)
    decision = decide(dsl, "incidents.read_behaviour_log", pupil_at_north(), policy=policy)
    assert redact_event(CONCERN, ConcernLogged, decision) == CONCERN


def test_partnership_sees_placements_without_pupil_identity(policy: Policy) -> None:
    lead = Principal(
        user_id="np", organisation_id="np-north", org_kind=OrgKind.PARTNERSHIP, roles=frozenset({Role.PARTNERSHIP_LEAD})
    )
    decision = decide(lead, "incidents.read_placement_register", pupil_at_north(), policy=policy)
    row = {"pupil_ref": "p-1", "pupil_name": "Pupil One", "key_stage": 2}
    assert redact(row, {"pupil_name": RecordClass.PUPIL_IDENTITY}, decision) == {"pupil_ref": "p-1", "key_stage": 2}


def test_non_dsl_asking_for_one_safeguarding_record_is_denied(policy: Policy) -> None:
    staff = person(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)
    decision = decide(staff, "incidents.read_behaviour_log", pupil_at_north(RecordClass.SAFEGUARDING), policy=policy)
    assert not decision.allowed
    assert decision.rule_id == "LOG-1"
    assert "not see safeguarding records" in decision.reason


def test_provision_staff_may_not_read_safeguarding_detail_naming_the_rule(policy: Policy) -> None:
    staff = person(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)
    decision = decide(staff, "incidents.read_safeguarding_detail", pupil_at_north(), purpose="curious", policy=policy)
    assert not decision.allowed
    assert decision.rule_id == "SG-1"
    assert decision.reason.startswith("role provision_staff may not read safeguarding detail")
    assert decision.reason.endswith("(rule SG-1)")


def test_redacting_under_a_denial_is_refused(policy: Policy) -> None:
    staff = person(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)
    denied = decide(staff, "incidents.read_safeguarding_detail", pupil_at_north(), policy=policy)
    with pytest.raises(ValueError, match="denied"):
        redact(CONCERN, {}, denied)


def test_staff_may_raise_a_safeguarding_concern_they_then_cannot_read(policy: Policy) -> None:
    staff = person(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)
    raised = decide(staff, "incidents.raise_safeguarding_concern", pupil_at_north(), policy=policy)
    assert raised.allowed
    assert RecordClass.SAFEGUARDING not in raised.visible_record_classes


# ---- function level ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PROVISION_STAFF, Role.PROVISION_MANAGER, Role.DSL])
def test_a_provider_cannot_take_the_commissioners_decision(policy: Policy, role: Role) -> None:
    provider = person(PROVISION, OrgKind.PROVISION, role)
    decision = decide(provider, "incidents.record_commissioner_decision", pupil_at_north(), policy=policy)
    assert not decision.allowed
    assert decision.rule_id == "EXC-2"
    assert f"role {role} may not record the commissioner's decision" in decision.reason


def test_only_the_home_school_head_excludes_from_school(policy: Policy) -> None:
    manager = person(PROVISION, OrgKind.PROVISION, Role.PROVISION_MANAGER)
    head = person(SCHOOL_A, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)
    assert decide(manager, "incidents.propose_exclusion", pupil_at_north(), policy=policy).allowed
    assert decide(manager, "incidents.issue_exclusion", pupil_at_north(), policy=policy).rule_id == "EXC-3"
    assert decide(head, "incidents.issue_exclusion", pupil_at_north(), policy=policy).allowed


def test_the_commissioner_of_the_place_decides(policy: Policy) -> None:
    commissioner = person(LA, OrgKind.LOCAL_AUTHORITY, Role.COMMISSIONER)
    other = person("la-elsewhere", OrgKind.LOCAL_AUTHORITY, Role.COMMISSIONER)
    assert decide(commissioner, "incidents.record_commissioner_decision", pupil_at_north(), policy=policy).allowed
    assert not decide(other, "incidents.record_commissioner_decision", pupil_at_north(), policy=policy).allowed


def test_unknown_actions_are_denied(policy: Policy) -> None:
    admin = person("platform", OrgKind.PLATFORM, Role.PLATFORM_ADMIN)
    decision = decide(admin, "incidents.delete_everything", pupil_at_north(), policy=policy)
    assert (decision.allowed, decision.rule_id) == (False, UNKNOWN_ACTION_RULE)


def test_platform_admin_reads_no_pupil_records(policy: Policy) -> None:
    admin = person("platform", OrgKind.PLATFORM, Role.PLATFORM_ADMIN)
    reads = [spec.id for spec in policy.actions.values() if spec.reads]
    assert not any(decide(admin, action, pupil_at_north(), purpose="x", policy=policy).allowed for action in reads)


# ---- roles -----------------------------------------------------------------------------------------------


def test_a_role_not_held_at_the_callers_kind_of_organisation_is_ignored(policy: Policy) -> None:
    # A provision token claiming la_officer must not reach the LA-wide placement register.
    claimant = person(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF, Role.LA_OFFICER)
    elsewhere = ResourceContext(pupil_ref=uuid4(), provision_id="prov-south", home_school_id=SCHOOL_B)
    assert not decide(claimant, "incidents.read_placement_register", elsewhere, policy=policy).allowed
    assert decide(claimant, "incidents.record_incident", pupil_at_north(), policy=policy).allowed


def test_several_roles_get_the_widest_matching_rule_first(policy: Policy) -> None:
    both = person(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF, Role.DSL)
    decision = decide(both, "incidents.read_behaviour_log", pupil_at_north(), policy=policy)
    assert decision.rule_id == "LOG-DSL-1"
    assert RecordClass.SAFEGUARDING in decision.visible_record_classes


# ---- purpose and break-glass ---------------------------------------------------------------------------


def test_dsl_must_state_why_they_read_safeguarding_detail(policy: Policy) -> None:
    dsl = person(SCHOOL_A, OrgKind.HOME_SCHOOL, Role.DSL)
    without = decide(dsl, "incidents.read_safeguarding_detail", pupil_at_north(), purpose="   ", policy=policy)
    assert not without.allowed
    assert without.reason == "role dsl must state a purpose to read safeguarding detail (rule SG-2)"
    granted = decide(
        dsl, "incidents.read_safeguarding_detail", pupil_at_north(), purpose="child protection conference",
        policy=policy,
    )
    assert granted.allowed and granted.requires_purpose and not granted.break_glass


def test_break_glass_for_a_named_role_needs_the_flag_and_a_purpose(policy: Policy) -> None:
    head = person(SCHOOL_A, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)
    ctx = pupil_at_north()
    no_flag = decide(head, "incidents.read_safeguarding_detail", ctx, purpose="urgent", policy=policy)
    assert not no_flag.allowed and "only by break-glass" in no_flag.reason and no_flag.rule_id == "SG-BG-1"
    no_purpose = decide(head, "incidents.read_safeguarding_detail", ctx, break_glass=True, policy=policy)
    assert not no_purpose.allowed and "must state a purpose" in no_purpose.reason
    granted = decide(
        head,
        "incidents.read_safeguarding_detail",
        ctx,
        purpose="DSL unreachable, pupil at risk",
        break_glass=True,
        policy=policy,
    )
    assert granted.allowed and granted.break_glass and granted.rule_id == "SG-BG-1"
    assert granted.visible_record_classes == {RecordClass.PUPIL_IDENTITY, RecordClass.SAFEGUARDING}


def test_break_glass_does_not_help_a_role_that_is_not_named(policy: Policy) -> None:
    staff = person(SCHOOL_A, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_STAFF)
    decision = decide(
        staff, "incidents.read_safeguarding_detail", pupil_at_north(), purpose="worried", break_glass=True,
        policy=policy,
    )
    assert not decision.allowed


def test_a_dsl_asking_for_break_glass_is_served_normally(policy: Policy) -> None:
    dsl = person(PROVISION, OrgKind.PROVISION, Role.DSL)
    decision = decide(
        dsl, "incidents.read_safeguarding_detail", pupil_at_north(), purpose="review", break_glass=True, policy=policy
    )
    assert decision.allowed and not decision.break_glass


# ---- policy file: validation, field lists, reload ------------------------------------------------------


def minimal_policy(rules: list[dict[str, Any]], version: str = "t1") -> dict[str, Any]:
    return {
        "version": version,
        "role_org_kinds": {role.value: [kind.value for kind in OrgKind] for role in Role},
        "actions": [{"id": "incidents.read_behaviour_log", "summary": "read the behaviour log", "reads": True}],
        "rules": rules,
    }


READ_LOG_RULE = {
    "id": "T-1",
    "description": "test rule",
    "actions": ["incidents.read_behaviour_log"],
    "roles": ["provision_staff"],
    "relationship": "own_provision",
    "record_classes": ["pupil_identity", "behaviour"],
}


def test_rule_field_lists_deny_and_whitelist() -> None:
    denying = parse_policy(yaml.safe_dump(minimal_policy([{**READ_LOG_RULE, "deny_fields": ["severity"]}])))
    staff = person(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)
    decision = decide(staff, "incidents.read_behaviour_log", pupil_at_north(), policy=denying)
    assert set(redact_event(CONCERN, ConcernLogged, decision)) == {"pupil_ref", "pupil_name", "what_happened"}
    whitelisting = parse_policy(yaml.safe_dump(minimal_policy([{**READ_LOG_RULE, "allow_fields": ["pupil_ref"]}])))
    decision = decide(staff, "incidents.read_behaviour_log", pupil_at_north(), policy=whitelisting)
    assert redact_event(CONCERN, ConcernLogged, decision) == {"pupil_ref": "p-1"}


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        ({"actions": ["incidents.read_everything"]}, "unknown actions"),
        ({"roles": ["janitor"]}, "roles"),
        ({"relationship": "same_town"}, "relationship"),
        ({"record_classes": ["gossip"]}, "record_classes"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_an_invalid_rule_is_rejected(mutation: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy(yaml.safe_dump(minimal_policy([{**READ_LOG_RULE, **mutation}])))


def test_duplicate_rule_ids_and_missing_roles_are_rejected() -> None:
    with pytest.raises(PolicyError, match="not unique"):
        parse_policy(yaml.safe_dump(minimal_policy([READ_LOG_RULE, READ_LOG_RULE])))
    document = minimal_policy([READ_LOG_RULE])
    del document["role_org_kinds"]["dpo"]
    with pytest.raises(PolicyError, match="lacks roles"):
        parse_policy(yaml.safe_dump(document))


@dataclass
class FakeClock:
    """Monotonic seconds that move only when a test moves them."""

    now: float = 100.0

    def __call__(self) -> float:
        return self.now


def write_policy(path: Path, document: dict[str, Any], mtime_ns: int) -> None:
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_a_policy_edit_applies_to_the_first_request_after_the_recheck_interval(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    write_policy(path, minimal_policy([READ_LOG_RULE], "v1"), 1_000_000_000)
    clock = FakeClock()
    store = PolicyStore(path, clock=clock)
    staff = person(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)
    assert decide(staff, "incidents.read_behaviour_log", pupil_at_north(), policy=store.current()).allowed
    assert store.current() is store.current()  # unchanged file: served from the cache

    revoked = {**READ_LOG_RULE, "roles": ["provision_manager"]}
    write_policy(path, minimal_policy([revoked], "v2"), 2_000_000_000)
    clock.now += RECHECK_SECONDS
    decision = decide(staff, "incidents.read_behaviour_log", pupil_at_north(), policy=store.current())
    assert not decision.allowed
    assert decision.policy_version == "v2"


def test_a_broken_policy_edit_fails_closed(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    write_policy(path, minimal_policy([READ_LOG_RULE]), 1_000_000_000)
    clock = FakeClock()
    store = PolicyStore(path, clock=clock)
    store.current()
    path.write_text("rules: [unclosed", encoding="utf-8")
    os.utime(path, ns=(3_000_000_000, 3_000_000_000))
    clock.now += RECHECK_SECONDS
    for _ in range(3):  # at every call: no fall-back to the last good policy within the interval after a failure
        with pytest.raises(PolicyError, match="invalid access policy"):
            store.current()
    path.unlink()
    with pytest.raises(PolicyError, match="cannot read"):
        store.current()
    write_policy(path, minimal_policy([READ_LOG_RULE], "v3"), 4_000_000_000)
    assert store.current().version == "v3"  # mended: read at once


def test_the_file_is_looked_at_once_per_recheck_interval(tmp_path: Path) -> None:
    # Issue 11: the store looked at the file (a stat) on every call, twice a command; now an edit is read at
    # the first call RECHECK_SECONDS after the last look, and calls in between are served what was read.
    path = tmp_path / "policy.yaml"
    write_policy(path, minimal_policy([READ_LOG_RULE], "v1"), 1_000_000_000)
    clock = FakeClock()
    store = PolicyStore(path, clock=clock)
    assert store.current().version == "v1"

    write_policy(path, minimal_policy([READ_LOG_RULE], "v2"), 2_000_000_000)
    clock.now += RECHECK_SECONDS * 0.9
    assert store.current().version == "v1"  # within the interval: not looked at (the old store read v2 here)
    clock.now += RECHECK_SECONDS * 0.1
    assert store.current().version == "v2"  # the interval since the last look has passed: the edit applies


def test_a_zero_interval_looks_at_every_call(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    write_policy(path, minimal_policy([READ_LOG_RULE], "v1"), 1_000_000_000)
    store = PolicyStore(path, recheck_seconds=0, clock=FakeClock())
    store.current()
    write_policy(path, minimal_policy([READ_LOG_RULE], "v2"), 2_000_000_000)
    assert store.current().version == "v2"


def test_the_policy_path_can_be_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "override.yaml"
    write_policy(path, minimal_policy([READ_LOG_RULE], "override"), 1_000_000_000)
    monkeypatch.setenv(POLICY_PATH_ENV, str(path))
    assert default_policy_store().current().version == "override"
    staff = person(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)
    assert decide(staff, "incidents.read_behaviour_log", pupil_at_north()).policy_version == "override"
    monkeypatch.delenv(POLICY_PATH_ENV)
    assert default_policy_store().path == PACKAGED_POLICY
