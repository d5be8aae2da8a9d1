"""What a function builds, read from its source: the one reader behind declaration checks.

Services derive facts from their own code rather than keep a second list by hand: which events a decider
emits (the per-service declaration tests compare them with the declaration) and which refusals a command
route can answer with (finance lists them in each route's OpenAPI description). ``constructed`` reads a
function's syntax tree for ``C(...)`` and ``C.model_validate(...)`` calls where ``C`` is a subclass of
``base``, and follows calls to functions of the same top-level package (a step two deciders share lives in
one module, not copied into both), including each registered implementation of a singledispatch function.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def constructed(function: Callable[..., Any], base: type[T], seen: set[str] | None = None) -> set[type[T]]:
    """The subclasses of ``base`` that ``function`` (and the functions of its package it calls) constructs."""
    home = inspect.getmodule(function)
    if home is None:
        raise ValueError(f"{function!r} has no module to read")
    package = home.__name__.partition(".")[0]
    visited = seen if seen is not None else {f"{home.__name__}.{function.__qualname__}"}
    found: set[type[T]] = set()
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(function)))):
        if not isinstance(node, ast.Call):
            continue
        target = node.func.value if isinstance(node.func, ast.Attribute) else node.func
        if not isinstance(target, ast.Name):
            continue
        value = vars(home).get(target.id)
        if inspect.isclass(value) and issubclass(value, base):
            found.add(value)
        elif inspect.isfunction(value) and value.__module__.partition(".")[0] == package:
            for implementation in getattr(value, "registry", {}).values() or [value]:
                name = f"{implementation.__module__}.{implementation.__qualname__}"
                if inspect.isfunction(implementation) and name not in visited:
                    visited.add(name)
                    found |= constructed(implementation, base, visited)
    return found
