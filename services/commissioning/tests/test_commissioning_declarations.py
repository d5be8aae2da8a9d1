"""One declaration per commissioning command (issue 10): nothing declared in one place and missing from another.

Rule served: a commissioning command is declared once in ``domain/declarations.py``; the handler, the HTTP
routes and the action the guard checks are derived from it. A decider takes its own command, builds exactly
the events its declaration names, each of which its aggregate's fold has a step for; its action is listed by
the access policy and granted by a rule; and every ``commissioning.*`` action the policy lists is used.
Unit level: no server.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing

import pytest

from ap_commissioning.domain.context import CommissioningCommand
from ap_commissioning.domain.declarations import (
    COMMISSIONING_ACTIONS,
    DECLARATIONS,
    READ_ACTIONS,
    CommissioningCommandDeclaration,
)
from ap_commissioning.entrypoints.api import create_app
from ap_commissioning.entrypoints.bootstrap import check_commissioning_actions
from ap_runtime.access.policy import PACKAGED_POLICY, Policy, PolicyError, load_policy, parse_policy
from ap_testing.declarations import constructed_events

POLICY: Policy = load_policy(PACKAGED_POLICY)
NAMES = [d.command.__name__ for d in DECLARATIONS]


def _subclasses(base: type) -> set[type]:
    found = set(base.__subclasses__())
    return found.union(*(_subclasses(sub) for sub in found))


def test_every_command_is_declared_once() -> None:
    import ap_commissioning.domain as domain

    for module in pkgutil.iter_modules(domain.__path__):  # every area's commands, declared or not
        importlib.import_module(f"{domain.__name__}.{module.name}")
    commands = [d.command for d in DECLARATIONS]
    assert len(commands) == len(set(commands)), "a command is declared twice"
    concrete = {c for c in _subclasses(CommissioningCommand) if not c.__subclasses__()}
    undeclared = {c.__name__ for c in concrete} - set(NAMES)
    assert not undeclared, f"commissioning commands with no declaration: {sorted(undeclared)}"


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_decider_takes_its_own_command(declaration: CommissioningCommandDeclaration) -> None:
    first = next(iter(inspect.signature(declaration.decider).parameters.values()))
    hints = typing.get_type_hints(declaration.decider)
    assert hints[first.name] is declaration.command


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_a_decider_emits_exactly_what_its_declaration_says(declaration: CommissioningCommandDeclaration) -> None:
    assert constructed_events(declaration.decider) == set(declaration.emits)


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_every_event_a_command_may_emit_has_a_fold_step(declaration: CommissioningCommandDeclaration) -> None:
    missing = set(declaration.emits) - declaration.aggregate.folds
    assert not missing, f"{declaration.aggregate.name} has no fold step for {sorted(e.__name__ for e in missing)}"


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_every_declared_action_is_a_listed_write_action_a_rule_grants(
        declaration: CommissioningCommandDeclaration) -> None:
    assert not POLICY.action(declaration.action).reads
    assert POLICY.rules_for(declaration.action), f"no policy rule grants {declaration.action}"


@pytest.mark.parametrize("action", sorted(READ_ACTIONS))
def test_every_read_action_is_a_listed_read_a_rule_grants(action: str) -> None:
    assert POLICY.action(action).reads
    assert POLICY.rules_for(action)


def test_every_commissioning_action_of_the_policy_is_used() -> None:
    orphaned = {a for a in POLICY.actions if a.startswith("commissioning.")} - COMMISSIONING_ACTIONS
    assert not orphaned, f"commissioning actions the policy lists and the service never uses: {sorted(orphaned)}"


def test_the_command_routes_are_exactly_the_declarations() -> None:
    app = create_app()
    posts = {(route.path, route.summary) for route in app.routes  # type: ignore[attr-defined]
             if "POST" in getattr(route, "methods", set())}
    assert posts == {(d.path, d.summary) for d in DECLARATIONS}


def test_start_up_refuses_a_policy_that_lacks_a_commissioning_action() -> None:
    check_commissioning_actions(POLICY)
    text = PACKAGED_POLICY.read_text(encoding="utf-8").replace(
        "  - {id: commissioning.sign_sla, summary: \"sign a version of a service level agreement\"}\n", "")
    text = text.replace("commissioning.sign_sla, ", "")
    with pytest.raises(PolicyError, match=r"commissioning\.sign_sla"):
        check_commissioning_actions(parse_policy(text, "edited.yaml"))
