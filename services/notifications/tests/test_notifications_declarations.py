"""One declaration per notifications command (issue 10): nothing declared in one place and missing from another.

Rule served: a notifications command is declared once in ``domain/declarations.py`` (its model, decider,
access action, the events it may emit, its route and summary); the HTTP routes take their path, summary and
action from it, every event a transfer command emits has a step in ``fold_transfer``, and every action is one
the access policy lists and some rule grants. The routes answer refusals only through the shared problem
formatter. Unit level: no server.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import typing
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

import ap_notifications.domain as domain_package
from ap_contracts.events.notifications import NotificationSent
from ap_contracts.events.privacy import SafeguardingFileOffered
from ap_notifications.domain.commands import NotificationsCommand
from ap_notifications.domain.declarations import (
    DECLARATIONS,
    NOTIFICATIONS_ACTIONS,
    READ_ACTIONS,
    NotificationsCommandDeclaration,
)
from ap_notifications.domain.transfers import folds_transfer
from ap_notifications.entrypoints import api
from ap_notifications.entrypoints.bootstrap import check_notifications_actions
from ap_runtime.access.policy import PACKAGED_POLICY, Policy, PolicyError, load_policy, parse_policy
from ap_testing.declarations import constructed_events

POLICY: Policy = load_policy(PACKAGED_POLICY)
NAMES = [d.command.__name__ for d in DECLARATIONS]


def _command_models() -> set[type]:
    for module in pkgutil.iter_modules(domain_package.__path__):
        importlib.import_module(f"{domain_package.__name__}.{module.name}")
    return set(NotificationsCommand.__subclasses__())


def test_every_command_model_is_declared_once() -> None:
    declared = [d.command for d in DECLARATIONS]
    assert len(declared) == len(set(declared)), "a command is declared twice"
    missing = {m.__name__ for m in _command_models()} - set(NAMES)
    assert not missing, f"commands with no declaration: {sorted(missing)}"


def _post_routes() -> dict[str, APIRoute]:
    app = FastAPI()
    api.add_routes(app)
    return {route.path: route for route in app.routes if isinstance(route, APIRoute) and "POST" in route.methods}


def test_the_write_routes_are_exactly_the_declarations() -> None:
    routes = _post_routes()
    assert set(routes) == {d.path for d in DECLARATIONS}
    for d in DECLARATIONS:
        assert routes[d.path].summary == d.summary


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_decider_takes_its_own_command(declaration: NotificationsCommandDeclaration) -> None:
    hints = typing.get_type_hints(declaration.decider)
    assert hints.get("command") is declaration.command, f"{declaration.decider.__name__} does not decide it"


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_a_decider_emits_exactly_what_its_declaration_says(declaration: NotificationsCommandDeclaration) -> None:
    assert declaration.emits, "a declaration names the events it may emit"
    built = constructed_events(declaration.decider)
    assert built == set(declaration.emits), f"built {sorted(e.__name__ for e in built)}"


@pytest.mark.parametrize("declaration", [d for d in DECLARATIONS if d.stream == "transfer"],
                         ids=lambda d: d.command.__name__)
def test_every_event_a_transfer_command_emits_is_folded(declaration: NotificationsCommandDeclaration) -> None:
    unfolded = [e.__name__ for e in declaration.emits if not folds_transfer(e)]
    assert not unfolded, f"events fold_transfer ignores: {unfolded}"


def test_folds_transfer_tells_a_handled_event_from_an_unhandled_one() -> None:
    assert folds_transfer(SafeguardingFileOffered)
    assert not folds_transfer(NotificationSent)


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_every_declared_action_is_a_listed_write_a_rule_grants(declaration: NotificationsCommandDeclaration) -> None:
    assert not POLICY.action(declaration.action).reads
    assert POLICY.rules_for(declaration.action), f"no policy rule grants {declaration.action}"


@pytest.mark.parametrize("action", sorted(READ_ACTIONS))
def test_every_read_action_notifications_names_is_a_listed_read_a_rule_grants(action: str) -> None:
    assert POLICY.action(action).reads
    assert POLICY.rules_for(action)


def test_every_notifications_action_of_the_policy_is_used() -> None:
    orphaned = {a for a in POLICY.actions if a.startswith("notifications.")} - NOTIFICATIONS_ACTIONS
    assert not orphaned, f"notifications actions nothing uses: {sorted(orphaned)}"


def test_every_action_the_api_checks_is_one_notifications_declares() -> None:
    """The routes name no action id of their own: each ``guard.check`` takes a declared one."""
    tree = ast.parse(Path(inspect.getfile(api)).read_text(encoding="utf-8"))
    literal_actions = [node.value for node in ast.walk(tree)
                       if isinstance(node, ast.Constant) and isinstance(node.value, str)
                       and node.value.split(".", 1)[0] in {"notifications", "privacy"} and "." in node.value
                       and " " not in node.value]
    assert literal_actions == [], f"action ids written into the routes: {literal_actions}"


def test_start_up_refuses_a_policy_that_lacks_a_notifications_action() -> None:
    check_notifications_actions(POLICY)
    line = "  - {id: notifications.acknowledge_notification, summary: acknowledge a notification}\n"
    text = PACKAGED_POLICY.read_text(encoding="utf-8")
    assert line in text
    text = text.replace(line, "").replace("notifications.acknowledge_notification", "notifications.read_notifications")
    missing = r"notifications uses actions .* \['notifications.acknowledge_notification'\]"
    with pytest.raises(PolicyError, match=missing):
        check_notifications_actions(parse_policy(text, "edited.yaml"))


def test_the_routes_convert_no_error_by_hand() -> None:
    """Refusals reach the caller through the shared problem formatter only (``ap_runtime.http.problems``):
    no route builds an ``HTTPException`` or a problem body itself."""
    source = Path(inspect.getfile(api)).read_text(encoding="utf-8")
    names = {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
    assert not names & {"HTTPException", "Problem", "problem_response"}
