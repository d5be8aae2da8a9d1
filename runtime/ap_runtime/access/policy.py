"""Policy as data: load ``policy.yaml``, decide one access, redact what a decision may not see.

Rules served: default deny; share pupil-level data only with organisations responsible for the
pupil, and only the record classes each audience needs (STATUTORY.md, data protection); the
child-protection file only for the DSL (KCSIE); only the commissioner decides on a place and only
the home-school head excludes (STATUTORY.md, exclusion). The policy file is re-read when it
changes, so a policy edit applies within ``RECHECK_SECONDS`` (1 s, ``policy_document.PolicyStore``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ap_contracts.personal import RecordClass, personal_fields
from ap_runtime.access.context import Relationship, ResourceContext
from ap_runtime.access.policy_document import (
    PACKAGED_POLICY,
    POLICY_PATH_ENV,
    Policy,
    PolicyDocument,
    PolicyError,
    PolicyStore,
    Rule,
    default_policy_path,
    default_policy_store,
    load_policy,
    parse_policy,
)
from ap_runtime.access.principal import Principal
from ap_runtime.access.purpose import PurposeCategory
from ap_runtime.access.roles import Role

# The document's names stay importable from here: callers load and decide through one module.
__all__ = [
    "PACKAGED_POLICY", "POLICY_PATH_ENV", "Decision", "Policy", "PolicyDocument", "PolicyError", "PolicyStore",
    "Rule", "decide", "default_policy_path", "default_policy_store", "load_policy", "parse_policy", "redact",
    "redact_event",
]

UNKNOWN_ACTION_RULE = "UNKNOWN-ACTION"
NO_RULE = "DEFAULT-DENY"
ROLE_ORG_RULE = "ROLE-ORG"

_RELATIONSHIP_PHRASE = {
    Relationship.OWN_PROVISION: "the provision where the pupil is placed",
    Relationship.PUPIL_HOME_SCHOOL: "the pupil's home school",
    Relationship.PUPIL_COMMISSIONER: "the commissioner of the place",
    Relationship.PUPIL_LOCAL_AUTHORITY: "the local authority of the pupil's home school",
    Relationship.OWN_PARTNERSHIP: "the partnership concerned",
    Relationship.OWN_ORGANISATION: "the owner of the resource",
    Relationship.PANEL_MEMBER: "an organisation sitting on the panel",
    Relationship.ANY: "any organisation",
}


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one access decision, with the rule that produced it and why."""

    allowed: bool
    action: str
    rule_id: str
    reason: str
    visible_record_classes: frozenset[RecordClass] = frozenset()
    requires_purpose: bool = False
    break_glass: bool = False
    denied_fields: frozenset[str] = frozenset()
    allowed_fields: frozenset[str] | None = None
    policy_version: str = ""


@dataclass(frozen=True, slots=True)
class _Miss:
    """Why one rule did not grant; the closest miss explains the denial."""

    closeness: int
    rule: Rule
    reason: str


def _role_list(roles: frozenset[Role]) -> str:
    names = sorted(role.value for role in roles)
    return ("role " if len(names) == 1 else "roles ") + ", ".join(names)


def _evaluate(
    rule: Rule,
    principal: Principal,
    roles: frozenset[Role],
    resource: ResourceContext,
    summary: str,
    purpose: str | None,
    break_glass: bool,
    purpose_category: PurposeCategory | None = None,
) -> _Miss | None:
    """None when ``rule`` grants; otherwise how close the caller came and why it failed."""
    held = roles & rule.roles
    if not held:
        return _Miss(0, rule, f"{_role_list(roles)} may not {summary}: {rule.description} (rule {rule.id})")
    who = _role_list(held)
    if not resource.relates(principal.organisation_id, rule.relationship):
        return _Miss(
            1,
            rule,
            f"{who} may {summary} only where its organisation is "
            f"{_RELATIONSHIP_PHRASE[rule.relationship]}; organisation {principal.organisation_id} "
            f"is not (rule {rule.id})",
        )
    if resource.record_class is not None and resource.record_class not in rule.record_classes:
        return _Miss(2, rule, f"{who} may {summary} but not see {resource.record_class} records (rule {rule.id})")
    if rule.break_glass and not break_glass:
        return _Miss(3, rule, f"{who} may {summary} only by break-glass with a stated purpose (rule {rule.id})")
    if (rule.requires_purpose or rule.break_glass) and purpose is None:
        return _Miss(4, rule, f"{who} must state a purpose to {summary} (rule {rule.id})")
    if rule.purposes and purpose_category not in rule.purposes:
        accepted = ", ".join(sorted(p.value for p in rule.purposes))
        return _Miss(4, rule, f"{who} must state the purpose as one of {accepted} to {summary} (rule {rule.id})")
    return None


def _deny(action: str, rule_id: str, reason: str, version: str) -> Decision:
    return Decision(allowed=False, action=action, rule_id=rule_id, reason=reason, policy_version=version)


def decide(
    principal: Principal,
    action: str,
    resource: ResourceContext,
    *,
    purpose: str | None = None,
    break_glass: bool = False,
    policy: Policy | None = None,
    purpose_category: PurposeCategory | None = None,
) -> Decision:
    """Decide whether ``principal`` may perform ``action`` on ``resource``. Default deny.

    Rules for the action are tried in policy order; the first that grants decides what the
    caller may see. A denial names the rule the caller came closest to satisfying and why it
    failed. ``policy`` defaults to the current packaged (or ``$AP_ACCESS_POLICY``) policy.
    """
    active = policy if policy is not None else default_policy_store().current()
    action_id = str(action)
    spec = active.actions.get(action_id)
    if spec is None:
        return _deny(action_id, UNKNOWN_ACTION_RULE, f"unknown action {action_id!r}", active.version)
    roles = active.valid_roles(principal)
    if not roles:
        held = ", ".join(sorted(role.value for role in principal.roles)) or "(none)"
        return _deny(
            action_id,
            ROLE_ORG_RULE,
            f"roles {held} are not held at a {principal.org_kind} organisation (policy role_org_kinds)",
            active.version,
        )
    rules = active.rules_for(action_id)
    if not rules:
        return _deny(action_id, NO_RULE, f"no rule grants {spec.summary} ({action_id})", active.version)
    stated = (purpose or "").strip() or None
    misses: list[_Miss] = []
    for rule in rules:
        miss = _evaluate(rule, principal, roles, resource, spec.summary, stated, break_glass, purpose_category)
        if miss is None:
            return Decision(
                allowed=True,
                action=action_id,
                rule_id=rule.id,
                reason=f"{rule.description} (rule {rule.id})",
                visible_record_classes=rule.record_classes,
                requires_purpose=rule.requires_purpose or rule.break_glass,
                break_glass=rule.break_glass,
                denied_fields=rule.deny_fields,
                allowed_fields=rule.allow_fields,
                policy_version=active.version,
            )
        misses.append(miss)
    closest = max(misses, key=lambda miss: miss.closeness)  # max keeps the first of equals
    return _deny(action_id, closest.rule.id, closest.reason, active.version)


def redact(payload: Mapping[str, Any], personal: Mapping[str, RecordClass], decision: Decision) -> dict[str, Any]:
    """A copy of ``payload`` without the fields ``decision`` may not see.

    ``personal`` maps personal field names to their record class (``personal_fields(model)``).
    Removed: personal fields of a class the decision does not make visible, fields the rule denies,
    and fields outside the rule's whitelist when it has one. Redacting under a denial is a bug in
    the caller, so it raises rather than returning something that might be served.
    """
    if not decision.allowed:
        raise ValueError(f"cannot redact under a denied decision ({decision.rule_id})")
    kept: dict[str, Any] = {}
    for name, value in payload.items():
        if name in decision.denied_fields:
            continue
        if decision.allowed_fields is not None and name not in decision.allowed_fields:
            continue
        record_class = personal.get(name)
        if record_class is not None and record_class not in decision.visible_record_classes:
            continue
        kept[name] = value
    return kept


def redact_event(payload: Mapping[str, Any], model: type[BaseModel], decision: Decision) -> dict[str, Any]:
    """``redact`` for the JSON payload of a contract model, using its ``Personal`` markers."""
    return redact(payload, personal_fields(model), decision)
