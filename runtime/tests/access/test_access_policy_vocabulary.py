"""The action vocabulary is data in ``policy.yaml`` (issue 10: one vocabulary, one owner).

Rule served: an action id is listed once, with the phrase a denial uses, in the one policy file every
process loads; a rule granting an id the list lacks, an action without a summary and an id listed twice
are refused at load with a message naming the place; a service's ids are checked against the loaded
list at start-up (``Policy.check_known``) so a typo stops the process instead of denying every call.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Principal, ResourceContext, Role, UnknownAction, decide
from ap_runtime.access.policy import NO_RULE, PACKAGED_POLICY, Policy, PolicyError, load_policy, parse_policy

READ_LOG = {"id": "incidents.read_behaviour_log", "summary": "read the behaviour log", "reads": True}
RECORD = {"id": "incidents.record_incident", "summary": "write down what happened"}
RULE = {
    "id": "T-1",
    "description": "test rule",
    "actions": ["incidents.read_behaviour_log"],
    "roles": ["provision_staff"],
    "relationship": "own_provision",
}


def document(actions: list[dict[str, Any]], rules: list[dict[str, Any]] | None = None) -> str:
    return yaml.safe_dump({
        "version": "v-vocabulary",
        "role_org_kinds": {role.value: [kind.value for kind in OrgKind] for role in Role},
        "actions": actions,
        "rules": [RULE] if rules is None else rules,
    })


def test_the_packaged_policy_lists_each_action_with_a_summary() -> None:
    policy = load_policy(PACKAGED_POLICY)
    spec = policy.action("finance.set_budget")
    assert (spec.id, spec.summary, spec.reads, spec.service) == ("finance.set_budget", "set a budget", False, "finance")
    assert policy.action("incidents.read_behaviour_log").reads
    assert len(policy.actions) == len(policy.document.actions)


def test_an_action_without_a_summary_is_refused_naming_its_place() -> None:
    with pytest.raises(PolicyError, match=r"(?s)actions\.1\.summary.*Field required"):
        parse_policy(document([READ_LOG, {"id": "incidents.record_incident"}]))
    with pytest.raises(PolicyError, match=r"actions\.1\.summary"):
        parse_policy(document([READ_LOG, {**RECORD, "summary": "   "}]))


def test_an_action_listed_twice_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"actions lists ids more than once: \['incidents.read_behaviour_log'\]"):
        parse_policy(document([READ_LOG, RECORD, {**READ_LOG, "summary": "another phrase"}]))


def test_a_rule_naming_an_unlisted_action_is_refused_naming_the_rule() -> None:
    rule = {**RULE, "actions": ["incidents.read_behaviour_log", "incidents.record_incident"]}
    with pytest.raises(PolicyError, match=r"rule T-1 names unknown actions: \['incidents.record_incident'\]"):
        parse_policy(document([READ_LOG], [rule]))


@pytest.mark.parametrize("bad_id", ["Incidents.Read", "read_log", "incidents.read-log", ""])
def test_an_action_id_outside_the_scheme_is_refused(bad_id: str) -> None:
    with pytest.raises(PolicyError, match=r"actions\.1\.id"):
        parse_policy(document([READ_LOG, {**RECORD, "id": bad_id}]))


def test_an_unlisted_id_is_an_unknown_action() -> None:
    policy = parse_policy(document([READ_LOG]), "test.yaml")
    with pytest.raises(UnknownAction, match=r"unknown action 'incidents.record_incident'.*test.yaml"):
        policy.action("incidents.record_incident")


def test_check_known_names_every_id_the_policy_lacks_and_who_uses_it() -> None:
    policy = parse_policy(document([READ_LOG, RECORD]), "test.yaml")
    policy.check_known(["incidents.read_behaviour_log", "incidents.record_incident"], "incidents")
    with pytest.raises(PolicyError, match=r"finance uses actions the access policy test.yaml does not list: "
                                          r"\['finance.set_budegt', 'finance.x'\]"):
        policy.check_known(["finance.x", "incidents.record_incident", "finance.set_budegt"], "finance")


def test_a_denial_uses_the_summary_the_policy_file_gives() -> None:
    """The phrase comes from the file, not from code: an edited summary shows in the next denial."""
    policy = parse_policy(document([READ_LOG, RECORD]))
    staff = Principal(user_id="u", organisation_id="prov", org_kind=OrgKind.PROVISION,
                      roles=frozenset({Role.PROVISION_STAFF}))
    decision = decide(staff, "incidents.record_incident", ResourceContext(provision_id="prov"), policy=policy)
    assert (decision.allowed, decision.rule_id) == (False, NO_RULE)
    assert decision.reason == "no rule grants write down what happened (incidents.record_incident)"


def test_the_loaded_vocabulary_is_read_only() -> None:
    policy: Policy = load_policy(PACKAGED_POLICY)
    with pytest.raises(TypeError):
        policy.actions["x.y"] = policy.action("finance.set_budget")  # type: ignore[index]
