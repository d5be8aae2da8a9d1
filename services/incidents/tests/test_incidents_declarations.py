"""One declaration per command (issue 10): nothing declared in one place and missing from another.

Rule served: a command is declared once, in its theme module (``domain/themes/``, listed by
``domain/declarations.py``'s ``THEMES``); ``HANDLERS``, the catalogue and the access check are derived from
it, every event it may emit is folded by a rule of the same theme module, and its action is one the access
policy's vocabulary (``policy.yaml``'s ``actions``) lists and a rule grants. A half-declared command fails
here, by name.
"""

from __future__ import annotations

import inspect
import sys
import typing
from pathlib import Path

import pytest
import yaml

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.provision_staff import StaffTrainingRecorded
from ap_contracts.events.pupils import SearchPolicyExplained
from ap_incidents.application.catalogue import COMMANDS, SPEC_BY_MODEL
from ap_incidents.domain import command_models
from ap_incidents.domain import commands as c
from ap_incidents.domain.decide import HANDLERS
from ap_incidents.domain.declarations import DECLARATIONS, THEMES, CommandDeclaration
from ap_incidents.domain.evolve import folds
from ap_incidents.domain.theme import Theme
from ap_incidents.domain.themes import privacy
from ap_runtime.access.policy import load_policy
from ap_testing.declarations import constructed_events

POLICY = Path(__file__).resolve().parents[3] / "runtime" / "ap_runtime" / "access" / "policy.yaml"
NAMES = [d.model.__name__ for d in DECLARATIONS]
THEME_NAMES = [theme.module.rsplit(".", 1)[-1] for theme in THEMES]
# The access policy's vocabulary: action id -> its spec (``reads``), as policy.yaml lists it.
ACTION_SPECS = load_policy(POLICY).actions


def _concrete_commands() -> set[type[c.Command]]:
    """Every command model a theme module defines (the bases Command, PupilCommand, PlacementCommand excluded)."""
    bases = {c.Command, c.PupilCommand, c.PlacementCommand}
    found = set()
    for theme in THEMES:
        module = sys.modules[theme.module]
        for _, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, c.Command) and value not in bases \
                    and value.__module__ == module.__name__:
                found.add(value)
    return found


def _granted_actions() -> set[str]:
    rules = yaml.safe_load(POLICY.read_text(encoding="utf-8"))["rules"]
    return {action for rule in rules for action in rule["actions"]}


def _events_folded_elsewhere(theme: Theme) -> list[str]:
    """Events a pupil-record declaration of ``theme`` emits that ``theme`` itself gives no fold, named with the
    theme's module (an event's fold and correction rule live beside the command that emits it)."""
    return sorted(f"{theme.module}: {event.__name__}" for d in theme.declarations if d.decides_on_pupil_record
                  for event in d.emits if event not in theme.events)


def test_every_command_model_is_declared_once() -> None:
    declared = [d.model for d in DECLARATIONS]
    assert len(declared) == len(set(declared)), "a command is declared twice"
    missing = {m.__name__ for m in _concrete_commands()} - {m.__name__ for m in declared}
    assert not missing, f"commands with no declaration: {sorted(missing)}"


def test_a_command_is_declared_in_the_theme_module_that_defines_it() -> None:
    """The declaration sits beside the model and the decider, so a reader finds the whole command in one module."""
    for theme in THEMES:
        strays = [d.model.__name__ for d in theme.declarations
                  if d.model.__module__ != theme.module or d.decider.__module__ != theme.module]
        assert not strays, f"{theme.module} declares commands defined elsewhere: {strays}"


def test_every_declared_command_model_is_reachable_through_command_models() -> None:
    unreachable = [d.model.__name__ for d in DECLARATIONS if getattr(command_models, d.model.__name__, None)
                   is not d.model]
    assert not unreachable, f"add the theme module to domain/command_models.py: {unreachable}"


def test_catalogue_and_handlers_are_exactly_the_declarations() -> None:
    assert set(COMMANDS) == set(NAMES)
    for d in DECLARATIONS:
        spec = SPEC_BY_MODEL[d.model]
        assert (spec.action, spec.path, spec.summary, spec.scope_field, spec.path_fields) == \
               (d.action, d.path, d.summary, d.scope_field, d.path_fields)
    assert set(HANDLERS) == {d.model for d in DECLARATIONS if d.decides_on_pupil_record}


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_decider_takes_its_own_command(declaration: CommandDeclaration) -> None:
    """A decider declared for another command (a copy-paste slip) is caught by its first parameter's type."""
    first = next(iter(inspect.signature(declaration.decider).parameters))
    hint = typing.get_type_hints(declaration.decider)[first]
    accepted = set(typing.get_args(hint)) or {hint}
    assert declaration.model in accepted, f"{declaration.decider.__name__} does not decide {declaration.model}"


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_a_decider_emits_only_what_its_declaration_says(declaration: CommandDeclaration) -> None:
    """``emits`` is checked against the decider's own code: an event it builds but does not declare fails."""
    built = constructed_events(declaration.decider)
    assert set(declaration.emits) <= built, f"declared but never built: {set(declaration.emits) - built}"
    shared = {e for d in DECLARATIONS if d.decider is declaration.decider for e in d.emits}
    assert built <= shared, f"built but not declared: {sorted(e.__name__ for e in built - shared)}"


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_every_event_a_pupil_command_may_emit_is_folded_by_evolve(declaration: CommandDeclaration) -> None:
    assert declaration.emits, "a declaration names the events it may emit"
    assert all(issubclass(event, DomainEvent) for event in declaration.emits)
    if declaration.decides_on_pupil_record:
        unfolded = [e.__name__ for e in declaration.emits if not folds(e)]
        assert not unfolded, f"events with no evolve handler: {unfolded}"


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=NAMES)
def test_every_declared_action_is_a_runtime_write_action_the_policy_grants(declaration: CommandDeclaration) -> None:
    spec = ACTION_SPECS.get(declaration.action)
    assert spec is not None and not spec.reads, f"{declaration.action} is not a write action policy.yaml lists"
    assert declaration.action in _granted_actions(), f"no policy rule grants {declaration.action}"


@pytest.mark.parametrize("theme", THEMES, ids=THEME_NAMES)
def test_every_event_a_theme_emits_is_folded_by_that_theme(theme: Theme) -> None:
    """An emitted event whose fold is missing from its command's own theme module fails, naming the module."""
    assert not _events_folded_elsewhere(theme), f"events with no fold in their theme: {_events_folded_elsewhere(theme)}"


def test_the_theme_check_names_the_module_of_an_event_it_does_not_fold() -> None:
    """The check above can fail: a theme that declares an event and folds it nowhere of its own is named."""
    daily = next(theme for theme in THEMES if theme.module.endswith(".daily"))
    folds_of_its_own = {event: rule for event, rule in daily.events.items() if event.__name__ != "IncidentRecorded"}
    half_declared = Theme("ap_incidents.domain.themes.half_declared", daily.declarations, folds_of_its_own)
    assert _events_folded_elsewhere(half_declared) == ["ap_incidents.domain.themes.half_declared: IncidentRecorded"]
    assert _events_folded_elsewhere(daily) == []


def test_no_event_is_claimed_by_two_themes() -> None:
    claims: dict[type[DomainEvent], list[str]] = {}
    for theme in THEMES:
        for event in theme.events:
            claims.setdefault(event, []).append(theme.module)
    twice = {event.__name__: modules for event, modules in claims.items() if len(modules) > 1}
    assert not twice, f"events folded by two themes: {twice}"


def test_every_incidents_write_action_of_the_runtime_has_a_declaration() -> None:
    declared = {d.action for d in DECLARATIONS}
    orphaned = {a for a, spec in ACTION_SPECS.items() if a.startswith("incidents.") and not spec.reads} - declared
    assert not orphaned, f"incidents actions no command declares: {sorted(orphaned)}"


def test_folds_tells_a_handled_event_from_an_unhandled_one() -> None:
    """The check above can fail: an event of another stream, which evolve does not fold, is reported."""
    assert not folds(StaffTrainingRecorded)
    assert folds(privacy.PupilDataErased)
    assert folds(SearchPolicyExplained)
