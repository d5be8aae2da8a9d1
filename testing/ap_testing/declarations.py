"""Helpers for the per-service declaration tests (issue 10: a command declared once, nothing half-way).

``constructed_events`` reads a decider's own source: the event classes it builds, following calls to
functions of its own package (a step two deciders share lives in one module, not copied into both), so a
test can compare them with what the command's declaration says it emits.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from types import ModuleType
from typing import Any

from ap_contracts.events.base import DomainEvent


def constructed_events(function: Callable[..., Any], module: ModuleType | None = None,
                       seen: set[str] | None = None) -> set[type[DomainEvent]]:
    """The event classes ``function`` builds (``E(...)`` or ``E.model_validate(...)``), following calls to
    functions of its own package (and each registered implementation of a singledispatch function), each
    read in its own module."""
    home = module or inspect.getmodule(function)
    if home is None:
        raise ValueError(f"{function!r} has no module to read")
    package = home.__name__.partition(".")[0]
    visited = seen if seen is not None else {f"{home.__name__}.{function.__name__}"}
    found: set[type[DomainEvent]] = set()
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target = node.func.value if isinstance(node.func, ast.Attribute) else node.func
        if not isinstance(target, ast.Name):
            continue
        value = vars(home).get(target.id)
        if inspect.isclass(value) and issubclass(value, DomainEvent):
            found.add(value)
            continue
        if not inspect.isfunction(value) or value.__module__.partition(".")[0] != package:
            continue
        implementations = getattr(value, "registry", {}).values() or [value]
        for implementation in implementations:
            name = f"{implementation.__module__}.{implementation.__name__}"
            if inspect.isfunction(implementation) and name not in visited:
                visited.add(name)
                found |= constructed_events(implementation, inspect.getmodule(implementation), visited)
    return found
