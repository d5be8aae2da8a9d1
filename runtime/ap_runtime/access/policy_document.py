"""The access policy as a document: ``policy.yaml`` parsed, validated and re-read when it changes.

Split from ``policy.py`` (which decides one access with it) so that each reads in one screen. Rules
served: the action vocabulary and every grant are data (issue 10: one place to declare an action); a
broken or missing file refuses access rather than guessing (default deny).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ap_contracts.envelope import OrgKind
from ap_contracts.personal import RecordClass
from ap_runtime.access.actions import ActionSpec, UnknownAction, unknown_ids
from ap_runtime.access.context import Relationship
from ap_runtime.access.principal import Principal
from ap_runtime.access.purpose import PurposeCategory
from ap_runtime.access.roles import Role
from ap_runtime.settings import platform_settings

POLICY_PATH_ENV = "AP_ACCESS_POLICY"
PACKAGED_POLICY = Path(__file__).with_name("policy.yaml")

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


# How long a policy read from the file is served before the file is looked at again (issue 11): the look was
# a stat per call, twice a command (~0.9% of the API's CPU). An edit (a revoked grant included) takes effect
# within this time; a file found broken or missing fails closed at every call until it is readable again.
RECHECK_SECONDS = 1.0


class PolicyStore:
    """The policy in one file, re-read when the file changes: the file is looked at again at the first call
    ``recheck_seconds`` (``RECHECK_SECONDS``) after the last look that found it readable; ``clock`` is
    monotonic seconds."""

    def __init__(self, path: Path, *, recheck_seconds: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self._recheck = RECHECK_SECONDS if recheck_seconds is None else recheck_seconds
        self._clock = clock
        self._stamp: tuple[int, int, int] | None = None
        self._policy: Policy | None = None
        self._looked_at = -math.inf  # when the file was last found readable and valid

    def current(self) -> Policy:
        """The policy as the file said at the latest look; an unreadable or invalid file raises ``PolicyError``."""
        now = self._clock()
        if self._policy is not None and now - self._looked_at < self._recheck:
            return self._policy
        try:
            stat = self.path.stat()
        except OSError as exc:
            raise PolicyError(f"cannot read access policy {self.path}: {exc}") from exc
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if self._policy is None or stamp != self._stamp:
            # A broken edit fails closed: it raises rather than keeping grants that may be revoked, and
            # ``_looked_at`` stays where it was, so the next call looks at the file again.
            self._policy = load_policy(self.path)
            self._stamp = stamp
        self._looked_at = now
        return self._policy


def default_policy_path() -> Path:
    return platform_settings().access_policy or PACKAGED_POLICY


@cache
def _store_for(path: Path) -> PolicyStore:
    return PolicyStore(path)


def default_policy_store() -> PolicyStore:
    """The store for ``$AP_ACCESS_POLICY`` or the packaged ``policy.yaml``."""
    return _store_for(default_policy_path())
