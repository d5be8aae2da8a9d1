"""What ships stays small (issue 10): no shipped package imports test frameworks, test support or demos.

The shipped packages are the ones the wheel and the production image install: the contracts, the
runtime and each service's ``ap_*`` package. Test support lives in ``testing/ap_testing`` and the
scripted day, personas, runner and financial year in ``demo/``; both are development-only. The check
walks every shipped module's syntax tree (imports inside functions and ``TYPE_CHECKING`` blocks too), so
a lazy import cannot hide a dependency the runtime lock does not install.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SHIPPED = (
    "contracts/ap_contracts",
    "runtime/ap_runtime",
    "services/incidents/ap_incidents",
    "services/finance/ap_finance",
    "services/reporting/ap_reporting",
    "services/notifications/ap_notifications",
    "services/commissioning/ap_commissioning",
    "services/web/ap_web",
)

# Top-level names only development installs provide: test frameworks and tools, and our own
# test-support and demo packages.
DEVELOPMENT_ONLY = frozenset(
    {"pytest", "pytest_asyncio", "_pytest", "hypothesis", "schemathesis", "testcontainers", "ap_testing", "demo"}
)


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """Every absolute module an ``import`` or ``from ... import`` in the tree names, with its line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            # ``from ap_runtime import testing`` names the submodule in the alias.
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def is_development_only(module: str) -> bool:
    parts = module.split(".")
    if parts[0] in DEVELOPMENT_ONLY:
        return True
    # A test-support or demo module left inside a shipped package (ap_runtime.testing, ap_x.demo_day).
    return parts[0].startswith("ap_") and any(part == "testing" or part.startswith("demo") for part in parts[1:])


def shipped_sources() -> list[Path]:
    return sorted(path for package in SHIPPED for path in (ROOT / package).rglob("*.py"))


def test_the_wheel_ships_exactly_the_checked_packages() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert tuple(pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]) == SHIPPED


def test_shipped_packages_import_no_test_framework_test_support_or_demo() -> None:
    sources = shipped_sources()
    assert len(sources) > 100, "the walk found the shipped packages"
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sources
        for line, module in imported_modules(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        if is_development_only(module)
    ]
    assert offences == []


def test_every_third_party_module_a_shipped_package_imports_comes_from_the_runtime_lock() -> None:
    """The image installs requirements.lock only: a shipped import of anything else fails in production."""
    runtime_lock = {
        re.split(r"[=\[]", line, maxsplit=1)[0].lower().replace("_", "-")
        for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines() if line[:1].isalnum()
    }
    providers = packages_distributions()
    tops = {
        module.split(".")[0]
        for path in shipped_sources()
        for _, module in imported_modules(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    }
    third_party = sorted(top for top in tops if top not in sys.stdlib_module_names and not top.startswith("ap_"))
    assert "pydantic" in third_party and "asyncpg" in third_party, "the walk found third-party imports"
    missing = [top for top in third_party
               if not {dist.lower().replace("_", "-") for dist in providers.get(top, [])} & runtime_lock]
    assert missing == []


def test_no_test_support_or_demo_module_sits_inside_a_shipped_package() -> None:
    misplaced = [
        str(path.relative_to(ROOT))
        for path in shipped_sources()
        if any(part == "testing" or part.startswith("demo") for part in path.relative_to(ROOT).with_suffix("").parts)
    ]
    assert misplaced == []


def test_the_walk_sees_lazy_and_submodule_imports() -> None:
    source = "def f():\n    import pytest\nfrom ap_runtime import testing\nfrom ap_incidents.demo_day import x\n"
    flagged = [module for _, module in imported_modules(ast.parse(source)) if is_development_only(module)]
    assert sorted(flagged) == ["ap_incidents.demo_day", "ap_incidents.demo_day.x", "ap_runtime.testing", "pytest"]
    assert not is_development_only("ap_runtime.access.tokens")
