"""One rule, one owner, one id scheme (issue 10; ARCHITECTURE.md, "Where each kind of rule lives").

Who may ask is the access policy's (`runtime/ap_runtime/access/policy.yaml`, ids like `EXC-3`: upper
case, hyphenated, the policy's own namespace). What the facts allow is the domain's (ids like
`suspension.cap_per_academic_year`: `<area>.<rule>`, lower case, unique across every service). A rule
is enforced in one place only: the pairs below were once enforced twice and must stay merged.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator

from ap_runtime.access.policy import PACKAGED_POLICY, load_policy

DOMAIN_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
POLICY_RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")

# (service package, base class of its refusals, the attribute holding the rule id)
REFUSAL_BASES = (
    ("ap_incidents", "ap_incidents.domain.errors", "DomainError", "rule_id"),
    ("ap_finance", "ap_finance.domain.errors", "FinanceRuleViolation", "rule_id"),
    ("ap_notifications", "ap_notifications.domain.errors", "NotificationsRefused", "rule_id"),
    ("ap_commissioning", "ap_commissioning.domain.errors", "CommissioningRefused", "rule_id"),
    ("ap_reporting", "ap_reporting.domain.errors", "ReportingRuleViolation", "rule_id"),
)

# Rules once enforced both by the policy and by a domain check under another id: (policy id, action,
# retired domain id). The policy owns them; no domain refusal may come back under the old id.
MERGED_INTO_POLICY = (
    ("EXC-3", "incidents.issue_exclusion", "exclusion.home_school_head_only"),
    ("OKS-1", "incidents.approve_out_of_key_stage", "placement.out_of_key_stage_head_decides"),
    ("AMD-1", "incidents.amend_record", "correction.safeguarding_by_dsl"),
    ("EXC-2", "incidents.record_commissioner_decision", "exclusion.commissioner_decides"),
    ("PUP-2", "incidents.register_pupil", "pupil.responsible_local_authority"),
    # Who records on a placement: the policy judges the provision and commissioner of THE placement the
    # command names and the pupil's home school (incidents application/resource_context.py), so the
    # domain's copies went (services/incidents/tests/test_incidents_api_entry_owners.py).
    ("DAY-1", "incidents.record_attendance", "placement.provider_records"),
    ("DAY-3", "incidents.record_incident", "placement.provider_records"),
    ("SG-RAISE-1", "incidents.raise_safeguarding_concern", "placement.provider_records"),
    ("REV-1", "incidents.record_review", "placement.parties_only"),
    ("THR-2", "incidents.agree_alert_thresholds", "placement.parties_only"),
    ("STAFF-1", "incidents.manage_staff_register", "staff_register.provision_keeps"),
)


def _subclasses(base: type) -> Iterator[type]:
    direct: list[type] = base.__subclasses__()
    for sub in direct:
        yield sub
        yield from _subclasses(sub)


def _import_layers(package: str) -> None:
    """Import the package's domain and application modules, wherever a refusal is declared in them."""
    for layer in ("domain", "application"):
        root = importlib.import_module(f"{package}.{layer}")
        for module in pkgutil.walk_packages(root.__path__, prefix=f"{root.__name__}."):
            importlib.import_module(module.name)


def domain_rule_ids() -> dict[str, list[str]]:
    """Every concrete domain/application refusal's rule id, with where it is declared."""
    found: dict[str, list[str]] = {}
    for package, module, base_name, attribute in REFUSAL_BASES:
        _import_layers(package)
        base = getattr(importlib.import_module(module), base_name)
        for cls in set(_subclasses(base)):
            if attribute in cls.__dict__:
                found.setdefault(cls.__dict__[attribute], []).append(f"{cls.__module__}.{cls.__qualname__}")
    return found


def policy_rule_ids() -> set[str]:
    return {rule.id for rule in load_policy(PACKAGED_POLICY).document.rules}


def test_every_domain_rule_id_follows_the_scheme() -> None:
    ids = domain_rule_ids()
    assert len(ids) > 100  # every service's refusals were found
    wrong = {rule: where for rule, where in ids.items() if not DOMAIN_RULE_ID.match(rule)}
    assert not wrong, f"domain rule ids must read <area>.<rule> in lower case: {wrong}"


def test_every_domain_rule_id_names_one_rule_across_services() -> None:
    shared = {rule: where for rule, where in domain_rule_ids().items() if len(where) > 1}
    assert not shared, f"one rule id, several refusals: {shared}"


def test_every_policy_rule_id_follows_the_policy_scheme_and_no_rule_id_is_both() -> None:
    policy_ids = policy_rule_ids()
    wrong = sorted(rule for rule in policy_ids if not POLICY_RULE_ID.match(rule))
    assert not wrong, f"policy rule ids are upper case and hyphenated: {wrong}"
    both = policy_ids & set(domain_rule_ids())
    assert not both, f"rule ids owned by both the policy and a domain: {sorted(both)}"


def test_rules_merged_into_the_policy_stay_merged() -> None:
    policy = load_policy(PACKAGED_POLICY)
    domain_ids = domain_rule_ids()
    for policy_id, action, retired in MERGED_INTO_POLICY:
        granting = [rule for rule in policy.document.rules if rule.id == policy_id]
        assert granting and action in granting[0].actions, f"policy {policy_id} no longer grants {action}"
        assert retired not in domain_ids, f"{retired} re-implements policy {policy_id} in {domain_ids[retired]}"
