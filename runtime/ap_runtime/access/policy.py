"""Policy as data: load ``policy.yaml``, decide one access, redact what a decision may not see.

Rules served: default deny; share pupil-level data only with organisations responsible for the
pupil, and only the record classes each audience needs (STATUTORY.md, data protection); the
child-protection file only for the DSL (KCSIE); only the commissioner decides on a place and only
the home-school head excludes (STATUTORY.md, exclusion). The policy file is re-read when it
changes, so a policy edit applies to the next request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ap_contracts.envelope import OrgKind
from ap_contracts.personal import RecordClass, personal_fields
from ap_runtime.access.actions import ActionSpec, UnknownAction, unknown_ids
from ap_runtime.access.context import Relationship, ResourceContext
from ap_runtime.access.principal import Principal
from ap_runtime.access.purpose import PurposeCategory
from ap_runtime.access.roles import Role
from ap_runtime.settings import platform_settings

POLICY_PATH_ENV = "AP_ACCESS_POLICY"
PACKAGED_POLICY = Path(__file__).with_name("policy.yaml")

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
    Relationship.ANY: "any organisation",
}


class PolicyError(ValueError):
    """The policy file is missing or invalid; access is then refused rather than guessed."""


class Rule(BaseModel):
    """One grant: these roles may do these actions under this relationship."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    description: str = Field(min_length=1)
    actions: tuple[str, ...] = Field(min_length=1)
    roles: frozenset[Role] = Field(min_length=1)
    relationship: Relationship
    record_classes: frozenset[RecordClass] = frozenset()
    requires_purpose: bool = False
    # When listed, the caller must state one of these purpose categories (``purpose``).
    purposes: frozenset[PurposeCategory] = frozenset()
    break_glass: bool = False
    deny_fields: frozenset[str] = frozenset()
    allow_fields: frozenset[str] | None = None


class PolicyDocument(BaseModel):
    """The parsed ``policy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    role_org_kinds: dict[Role, frozenset[OrgKind]]
    # Named class lists exist only for YAML anchors; rules carry their own copy.
    classes: dict[str, tuple[RecordClass, ...]] = {}
    # The action vocabulary: a rule may grant only these ids (ap_runtime.access.actions).
    actions: tuple[ActionSpec, ...] = Field(min_length=1)
    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _consistent(self) -> PolicyDocument:
        missing_roles = set(Role) - set(self.role_org_kinds)
        if missing_roles:
            raise ValueError(f"role_org_kinds lacks roles: {sorted(missing_roles)}")
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"rule ids are not unique: {duplicates}")
        action_ids = [action.id for action in self.actions]
        duplicates = sorted({i for i in action_ids if action_ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"actions lists ids more than once: {duplicates}")
        for rule in self.rules:
            unknown = unknown_ids(action_ids, rule.actions)
            if unknown:
                raise ValueError(f"rule {rule.id} names unknown actions: {unknown} (not listed under actions)")
        return self


class Policy:
    """A loaded policy, indexed by action."""

    def __init__(self, document: PolicyDocument, source: str = "<policy>") -> None:
        self.document = document
        self.version = document.version
        self.source = source
        self.actions: Mapping[str, ActionSpec] = MappingProxyType({spec.id: spec for spec in document.actions})
        by_action: dict[str, list[Rule]] = {}
        for rule in document.rules:
            for action in rule.actions:
                by_action.setdefault(action, []).append(rule)
        self._by_action = {action: tuple(rules) for action, rules in by_action.items()}

    def rules_for(self, action: str) -> tuple[Rule, ...]:
        return self._by_action.get(action, ())

    def action(self, action_id: str) -> ActionSpec:
        """The listed action ``action_id``; ``UnknownAction`` when the policy does not list it."""
        spec = self.actions.get(action_id)
        if spec is None:
            raise UnknownAction(action_id, self.source)
        return spec

    def check_known(self, action_ids: Iterable[str], used_by: str) -> None:
        """Raise ``PolicyError`` naming every id of ``action_ids`` this policy does not list.

        A service calls this at start-up with the ids its declarations name, so a typo in an id stops
        the process with a message instead of denying every call of that command (issue 10).
        """
        unknown = unknown_ids(self.actions, action_ids)
        if unknown:
            raise PolicyError(f"{used_by} uses actions the access policy {self.source} does not list: {unknown}")

    def valid_roles(self, principal: Principal) -> frozenset[Role]:
        """The principal's roles that its kind of organisation may hold."""
        return frozenset(role for role in principal.roles if principal.org_kind in self.document.role_org_kinds[role])


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse and validate policy YAML; raises ``PolicyError`` naming the problem."""
    try:
        raw: Any = yaml.safe_load(text)
        return Policy(PolicyDocument.model_validate(raw), source)
    except (yaml.YAMLError, ValidationError) as exc:
        raise PolicyError(f"invalid access policy {source}: {exc}") from exc


def load_policy(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read access policy {path}: {exc}") from exc
    return parse_policy(text, str(path))


class PolicyStore:
    """The policy in one file, re-read whenever the file changes (checked on every call)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._policy: Policy | None = None

    def current(self) -> Policy:
        """The policy as the file says now; an unreadable or invalid file raises ``PolicyError``."""
        try:
            stat = self.path.stat()
        except OSError as exc:
            raise PolicyError(f"cannot read access policy {self.path}: {exc}") from exc
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if self._policy is None or stamp != self._stamp:
            # A broken edit fails closed: it raises rather than keeping grants that may be revoked.
            self._policy = load_policy(self.path)
            self._stamp = stamp
        return self._policy


def default_policy_path() -> Path:
    return platform_settings().access_policy or PACKAGED_POLICY


@cache
def _store_for(path: Path) -> PolicyStore:
    return PolicyStore(path)


def default_policy_store() -> PolicyStore:
    """The store for ``$AP_ACCESS_POLICY`` or the packaged ``policy.yaml``."""
    return _store_for(default_policy_path())


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
