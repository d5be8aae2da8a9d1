"""Layers (issue 10): a service's ``domain/`` and ``application/`` depend on ports, never on I/O.

Rule served: "a reader finds any rule by opening ``domain/`` and any I/O by opening ``adapters/``"
(STYLE.md). The application layer loads, decides and appends through small interfaces (the runtime's
``EventStorePort``, each service's ``application/ports.py``) that ``adapters/`` implement and
``entrypoints/`` wire. So no module under a service's ``domain/`` or ``application/`` may import a
driver or framework (asyncpg, aiokafka, faststream, fastapi) or its own service's ``adapters`` or
``entrypoints``. The walk covers every import in the syntax tree, including lazy imports and
``TYPE_CHECKING`` blocks.

``ALLOWED`` names what is not fixed yet, each with the reason; an entry that no longer matches an
import fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ROOT / "services"
LAYERS = ("domain", "application")
FORBIDDEN_TOP_LEVEL = frozenset({"asyncpg", "aiokafka", "faststream", "fastapi"})

# (module path relative to the repository root, imported module) -> why it is still there.
ALLOWED: dict[tuple[str, str], str] = {}


def imported_modules(tree: ast.AST, package: str, module_parts: tuple[str, ...]) -> list[tuple[int, str]]:
    """Every module an import names, relative imports resolved against ``module_parts`` (the module's package)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = (package, *module_parts[: len(module_parts) - node.level + 1])
                module = ".".join(part for part in (*base, node.module or "") if part)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def forbidden(module: str, package: str) -> str | None:
    """The forbidden dependency ``module`` names, or None."""
    parts = module.split(".")
    if parts[0] in FORBIDDEN_TOP_LEVEL:
        return parts[0]
    if parts[0] == package and len(parts) > 1 and parts[1] in ("adapters", "entrypoints"):
        return f"{package}.{parts[1]}"
    return None


def layer_violations() -> dict[tuple[str, str], list[int]]:
    """(module path, forbidden dependency) -> the lines importing it, over every service's domain and application."""
    found: dict[tuple[str, str], list[int]] = {}
    for package_dir in sorted(SERVICES.glob("*/ap_*")):
        package = package_dir.name
        for layer in LAYERS:
            for path in sorted((package_dir / layer).rglob("*.py")):
                parts = path.relative_to(package_dir).with_suffix("").parts[:-1]
                tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
                for line, module in imported_modules(tree, package, parts):
                    target = forbidden(module, package)
                    if target is not None:
                        key = (str(path.relative_to(ROOT)), target)
                        found.setdefault(key, []).append(line)
    return found


def test_the_walk_sees_forbidden_imports() -> None:
    """The checker itself: plain, from- and relative imports of drivers and own adapters are all caught."""
    source = (
        "import asyncpg\nfrom fastapi import Depends\nfrom ap_x.adapters.db import pool\n"
        "from ..entrypoints import api\nfrom ap_x.domain import rules\n"
    )
    modules = [module for _, module in imported_modules(ast.parse(source), "ap_x", ("application",))]
    assert {forbidden(m, "ap_x") for m in modules} - {None} == {
        "asyncpg", "fastapi", "ap_x.adapters", "ap_x.entrypoints"
    }


def test_domain_and_application_import_no_io_and_no_adapters() -> None:
    violations = layer_violations()
    unexplained = {
        f"{path}:{lines[0]} imports {target}" for (path, target), lines in violations.items()
        if (path, target) not in ALLOWED
    }
    assert not unexplained, (
        "domain/ and application/ depend on ports, not on drivers, frameworks or their service's adapters: "
        + "; ".join(sorted(unexplained))
    )


def test_the_allow_list_only_names_imports_that_still_exist() -> None:
    stale = sorted(f"{path} -> {target}" for path, target in ALLOWED if (path, target) not in layer_violations())
    assert not stale, f"fixed, so remove from ALLOWED: {stale}"
