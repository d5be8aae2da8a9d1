"""The port a service's application layer asks about access, declared once (issue 10, "Copies" and "Layers").

``ap_runtime.access.Authoriser`` is what ``AccessGuard`` and the HTTP ``Guard`` both are to an application
service: ``check(principal, action, resource, *, purpose, correlation_id)`` returning the audited allowing
decision or raising. Services import it; none declares its own copy of ``Guard.check``'s signature.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from ap_runtime.access import AccessGuard, Authoriser
from ap_runtime.access.fastapi import Guard

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("guard", [AccessGuard, Guard], ids=["AccessGuard", "Guard"])
def test_both_guards_take_every_call_the_port_allows(guard: type) -> None:
    port = inspect.signature(Authoriser.check).parameters
    given = inspect.signature(guard.check).parameters
    positional = [name for name, p in port.items() if p.kind is inspect.Parameter.POSITIONAL_ONLY]
    assert len([p for p in given.values() if p.kind is not inspect.Parameter.KEYWORD_ONLY]) >= len(positional)
    for name, parameter in port.items():
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            assert name in given and given[name].default == parameter.default, (guard.__name__, name)


def test_the_authoriser_port_is_declared_once_in_the_shared_runtime() -> None:
    declared = []
    for package in [ROOT / "runtime" / "ap_runtime", *sorted((ROOT / "services").glob("*/ap_*"))]:
        for module in package.rglob("*.py"):
            tree = ast.parse(module.read_text(encoding="utf-8"))
            declared += [str(module.relative_to(ROOT)) for node in ast.walk(tree)
                         if isinstance(node, ast.ClassDef) and node.name == "Authoriser"]
    assert declared == ["runtime/ap_runtime/access/authoriser.py"]

