"""One declaration per finance command (issue 10): nothing declared in one place and missing from another.

Rule served: a finance command is declared once in ``domain/declarations.py`` (the body the caller sends,
the domain command, its decider, the access action, the events it may emit, its route and summary); the
decider table, the HTTP routes and the authorisation lookup are derived from it, every event it may emit
has an ``evolve`` step, and its action is one the access policy lists and some rule grants. A command
declared half-way fails here, by name. Unit level: no server.
"""

from __future__ import annotations

import inspect
import typing

import pytest

from ap_contracts.events import finance as fe
from ap_finance.application.authorisation import action_for
from ap_finance.domain import commands as c
from ap_finance.domain.decide import decide
from ap_finance.domain.declarations import (
    DECLARATIONS,
    FINANCE_ACTIONS,
    READ_ACTIONS,
    FinanceCommandDeclaration,
)
from ap_finance.domain.evolve import folds
from ap_finance.domain.state import BudgetState
from ap_finance.entrypoints.bootstrap import check_finance_actions
from ap_finance.entrypoints.command_routes import COMMAND_ROUTES
from ap_runtime.access.policy import PACKAGED_POLICY, Policy, PolicyError, load_policy, parse_policy
from ap_testing.declarations import constructed_events

POLICY: Policy = load_policy(PACKAGED_POLICY)
NAMES = [d.request.__name__ for d in DECLARATIONS]


def _concrete(base: type, module: object) -> set[type]:
    return {value for value in vars(module).values()
            if inspect.isclass(value) and issubclass(value, base) and value is not base}


def _subclasses(base: type) -> set[type]:
    found = set(base.__subclasses__())
    return found.union(*(_subclasses(sub) for sub in found))


def test_every_command_and_request_model_is_declared_once() -> None:
    requests = [d.request for d in DECLARATIONS]
    assert len(requests) == len(set(requests)), "a request is declared twice"
    commands = [d.command for d in DECLARATIONS]
    assert len(commands) == len(set(commands)), "a domain command is decided by two declarations"
    undeclared = {m.__name__ for m in _concrete(c.FinanceCommand, c)} - {m.__name__ for m in commands}
    assert not undeclared, f"finance commands with no declaration: {sorted(undeclared)}"
    unrouted = {m.__name__ for m in _concrete(c.TokenIdentityRequest, c)} - set(NAMES)
    assert not unrouted, f"requests with no declaration: {sorted(unrouted)}"
    assert set(typing.get_args(c.Command)) == set(commands)
    assert set(typing.get_args(c.FinanceRequest)) == set(requests)


def test_routes_and_the_authorisation_lookup_are_exactly_the_declarations() -> None:
    assert [(r.path, r.model, r.summary) for r in COMMAND_ROUTES] == [(d.path, d.request, d.summary)
                                                                      for d in DECLARATIONS]
    assert len({r.path for r in COMMAND_ROUTES}) == len(COMMAND_ROUTES), "two commands share a route"
    for d in DECLARATIONS:
        assert action_for(d.request) == d.action


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_decider_takes_its_own_command(declaration: FinanceCommandDeclaration) -> None:
    """A decider declared for another command (a copy-paste slip) is caught by its first parameter's type."""
    first = next(iter(inspect.signature(declaration.decider).parameters))
    assert typing.get_type_hints(declaration.decider)[first] is declaration.command


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_a_decider_emits_exactly_what_its_declaration_says(declaration: FinanceCommandDeclaration) -> None:
    built = constructed_events(declaration.decider)
    assert set(declaration.emits) <= built, f"declared but never built: {set(declaration.emits) - built}"
    assert built <= set(declaration.emits), f"built but not declared: {sorted(e.__name__ for e in built)}"


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_every_event_a_command_may_emit_has_an_evolve_step(declaration: FinanceCommandDeclaration) -> None:
    assert declaration.emits, "a declaration names the events it may emit"
    assert all(issubclass(event, fe.FinanceEvent) for event in declaration.emits)
    unfolded = [e.__name__ for e in declaration.emits if not folds(e)]
    assert not unfolded, f"events with no evolve step: {unfolded}"


def test_every_finance_event_is_emitted_by_some_declaration() -> None:
    finance_events = _subclasses(fe.FinanceEvent)
    assert fe.BudgetSet in finance_events
    emitted = {event for d in DECLARATIONS for event in d.emits}
    assert finance_events == emitted, f"never emitted: {sorted(e.__name__ for e in finance_events - emitted)}"


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_every_declared_action_is_a_listed_write_action_a_rule_grants(declaration: FinanceCommandDeclaration) -> None:
    spec = POLICY.action(declaration.action)
    assert not spec.reads, f"{declaration.action} is a read action"
    assert POLICY.rules_for(declaration.action), f"no policy rule grants {declaration.action}"


@pytest.mark.parametrize("action", sorted(READ_ACTIONS))
def test_every_read_action_finance_names_is_a_listed_read_a_rule_grants(action: str) -> None:
    assert POLICY.action(action).reads
    assert POLICY.rules_for(action), f"no policy rule grants {action}"


def test_every_finance_action_of_the_policy_is_used_by_finance() -> None:
    orphaned = {a for a in POLICY.actions if a.startswith("finance.")} - FINANCE_ACTIONS
    assert not orphaned, f"finance actions the policy lists and finance never uses: {sorted(orphaned)}"


def test_start_up_refuses_a_policy_that_lacks_a_finance_action() -> None:
    check_finance_actions(POLICY)
    text = PACKAGED_POLICY.read_text(encoding="utf-8").replace(
        "  - {id: finance.sign_item, summary: sign a high-value item}\n", "")
    text = text.replace("finance.sign_item", "finance.record_spend")  # keep the rules valid
    with pytest.raises(PolicyError, match=r"finance uses actions the access policy .* does not list: "
                                          r"\['finance.sign_item'\]"):
        check_finance_actions(parse_policy(text, "edited.yaml"))


def test_decide_routes_by_the_declarations() -> None:
    """A command no declaration names is refused by name rather than silently decided."""

    class Unknown(c.FinanceCommand):
        pass

    with pytest.raises(TypeError, match="Unknown"):
        decide(Unknown.model_construct(), BudgetState())  # type: ignore[arg-type]


def test_folds_tells_a_handled_event_from_an_unhandled_one() -> None:
    """The evolve check above can fail: an event that is not finance's is reported as not folded."""
    from ap_contracts.events.pupils import PupilRegistered

    assert folds(fe.BudgetSet)
    assert not folds(PupilRegistered)
