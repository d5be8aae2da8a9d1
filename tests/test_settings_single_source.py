"""No shipped module reads the environment except the settings modules.

Rule served: issue 10, "one way to configure": each service reads its environment through one typed
settings object (``ap_runtime.settings.load_settings``), so a variable has one name, one type and one
default, and a bad value stops the process at start naming it. The walk covers every shipped package
(contracts, runtime, services); test support and the demo are not shipped.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = [ROOT / "contracts" / "ap_contracts", ROOT / "runtime" / "ap_runtime",
           *sorted(ROOT.glob("services/*/ap_*"))]

SETTINGS_MODULES = {
    "runtime/ap_runtime/settings.py",
    "services/incidents/ap_incidents/entrypoints/settings.py",
    "services/finance/ap_finance/entrypoints/settings.py",
    "services/reporting/ap_reporting/entrypoints/settings.py",
    "services/notifications/ap_notifications/entrypoints/settings.py",
}

# Modules still reading the environment themselves, each with the reason; none today. Runtime
# components (keys, tokens, chain keys, master keys, the deploy jobs) take their values from
# ``PlatformSettings`` / ``DeployJobSettings``, and the CLIs build those with ``load_settings``.
# The lists may only shrink: a new entry must say why its module cannot take a settings object.
NOT_YET_MOVED: dict[str, str] = {}

# Command-line flags whose default is a variable read by the CLI itself; none today (``--token``
# of the subject access export defaults to ``ExportSettings.dpo_token``, ``AP_TOKEN``).
CLI_FLAG_DEFAULTS: dict[str, str] = {}


def _environment_reads(tree: ast.AST) -> list[int]:
    """Lines that touch ``os.environ`` / ``os.getenv`` / ``environ`` imported from os."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb", "getenvb") \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" \
                and any(alias.name in ("environ", "getenv", "environb", "getenvb") for alias in node.names):
            lines.append(node.lineno)
    return sorted(lines)


def _readers() -> dict[str, list[int]]:
    found = {}
    for package in SHIPPED:
        for path in sorted(package.rglob("*.py")):
            lines = _environment_reads(ast.parse(path.read_text(), filename=str(path)))
            if lines:
                found[path.relative_to(ROOT).as_posix()] = lines
    return found


def test_only_settings_modules_read_the_environment() -> None:
    allowed = SETTINGS_MODULES | set(NOT_YET_MOVED) | set(CLI_FLAG_DEFAULTS)
    strays = {module: lines for module, lines in _readers().items() if module not in allowed}
    assert strays == {}, f"read the environment through the service's settings object instead: {strays}"


def test_the_allow_list_names_only_modules_that_still_read_the_environment() -> None:
    # A module that stopped reading the environment leaves the list, so the list cannot hide a new read.
    readers = _readers()
    stale = sorted(m for m in (set(NOT_YET_MOVED) | set(CLI_FLAG_DEFAULTS)) if m not in readers)
    assert stale == []


def test_the_walk_sees_every_form_of_reading() -> None:
    sample = "import os\nfrom os import getenv\na = os.environ['X']\nb = os.getenv('Y')\n"
    assert _environment_reads(ast.parse(sample)) == [2, 3, 4]


def test_every_service_wires_itself_in_one_bootstrap_module_built_from_its_settings() -> None:
    # Rule served: issue 10, one bootstrap per service, under the same module name everywhere, and
    # no second wiring module beside it (adapters/dependencies.py, entrypoints/deps.py, wiring.py).
    packages = sorted(ROOT.glob("services/*/ap_*"))
    assert len(packages) == 6  # incidents, finance, reporting, notifications, commissioning, web
    for package in packages:
        bootstrap = package / "entrypoints" / "bootstrap.py"
        assert bootstrap.is_file(), f"{package.name} has no entrypoints/bootstrap.py"
        tree = ast.parse(bootstrap.read_text())
        functions = {node.name: node for node in tree.body if isinstance(node, ast.AsyncFunctionDef)}
        assert "bootstrap" in functions, f"{package.name}: entrypoints/bootstrap.py defines no bootstrap()"
        assert [a.arg for a in functions["bootstrap"].args.args] == ["settings"]
        assert (package / "entrypoints" / "settings.py").is_file()
        leftovers = [p for p in ("adapters/dependencies.py", "entrypoints/deps.py", "entrypoints/wiring.py")
                     if (package / p).exists()]
        assert leftovers == [], f"{package.name} still wires in {leftovers}"
