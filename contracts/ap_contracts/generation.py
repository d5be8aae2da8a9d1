"""The generated contract files, how they drift, and the guard against breaking a published version.

``python -m ap_contracts generate`` writes them; ``python -m ap_contracts check`` (and the contract
tests) fail when the committed files differ from what the models generate, or when a model no
longer accepts what its committed schema accepted.

A committed event schema is the record of a published version. ``generate`` refuses to overwrite it
with a breaking change unless the version has been superseded: an upcaster from it is registered
and a higher version exists. Files of versions whose model was removed stay in place for the same
reason and are judged by the same rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ap_contracts.asyncapi import asyncapi_document, render_asyncapi
from ap_contracts.events.base import DomainEvent
from ap_contracts.personal import PERSONAL_SCHEMA_KEY
from ap_contracts.schema_compat import BreakingChange, ChangeKind, breaking_changes
from ap_contracts.schema_tools import (
    CONTRACTS_DIR,
    ENVELOPE_SCHEMA_FILE,
    SCHEMAS_DIR,
    EventKey,
    contract_events,
    envelope_schema,
    event_schema,
    event_schema_path,
    render_json,
)
from ap_contracts.upcasting import UPCASTERS, UpcasterRegistry
from ap_contracts.wire import plaintext_schema, wire_schema

ASYNCAPI_FILE = CONTRACTS_DIR / "asyncapi.yaml"
REGENERATE_HINT = "run `python -m ap_contracts generate` and commit the result"


def expected_files(
    schemas_dir: Path = SCHEMAS_DIR, asyncapi_file: Path = ASYNCAPI_FILE
) -> dict[Path, str]:
    """Every generated file and its exact text, computed in memory from the models."""
    events = contract_events()
    files = {schemas_dir / str(ENVELOPE_SCHEMA_FILE): render_json(envelope_schema())}
    for (event_type, version), model in events.items():
        path = schemas_dir / str(event_schema_path(model.topic, event_type, version))
        files[path] = render_json(event_schema(model))
    files[asyncapi_file] = render_asyncapi(asyncapi_document(events))
    return files


@dataclass(frozen=True, slots=True)
class Drift:
    path: Path
    problem: str

    def __str__(self) -> str:
        return f"{shown_path(self.path)}: {self.problem}"


def find_drift(expected: dict[Path, str]) -> list[Drift]:
    """Generated files that are missing or differ from what the models produce now."""
    drift: list[Drift] = []
    for path, text in sorted(expected.items()):
        if not path.exists():
            drift.append(Drift(path, "missing"))
        elif path.read_text(encoding="utf-8") != text:
            drift.append(Drift(path, "differs from the models"))
    return drift


@dataclass(frozen=True, slots=True)
class CompatibilityProblem:
    """A committed schema version that the current contracts would break."""

    path: Path
    event_type: str
    schema_version: int
    changes: tuple[BreakingChange, ...]
    reason: str

    def __str__(self) -> str:
        lines = [f"{shown_path(self.path)} ({self.event_type} v{self.schema_version}): {self.reason}"]
        lines += [f"    - {change}" for change in self.changes]
        return "\n".join(lines)


SUPERSEDE_HINT = (
    "stored events of this version must stay readable: restore the previous shape and declare the change "
    "as version {next} with an upcaster from v{version} (ap_contracts.upcasting). If this version was never "
    "released, delete the schema file and run `python -m ap_contracts generate`."
)


def is_superseded(event_type: str, version: int, events: Mapping[EventKey, type[DomainEvent]],
                  upcasters: UpcasterRegistry = UPCASTERS) -> bool:
    """A version may change shape or lose its model once readers upcast it to a registered later one."""
    later = any(t == event_type and v > version for t, v in events)
    return later and upcasters.has_upcaster(event_type, version)


def compatibility_problems(
    schemas_dir: Path = SCHEMAS_DIR,
    events: Mapping[EventKey, type[DomainEvent]] | None = None,
    upcasters: UpcasterRegistry = UPCASTERS,
) -> list[CompatibilityProblem]:
    """Every committed schema the current models would break (see the module docstring for the rule)."""
    events = contract_events() if events is None else events
    problems: list[CompatibilityProblem] = []
    envelope_path = schemas_dir / str(ENVELOPE_SCHEMA_FILE)
    if envelope_path.exists():
        changes = breaking_changes(_load(envelope_path), envelope_schema())
        if changes:
            problems.append(CompatibilityProblem(envelope_path, "EventEnvelope", 1, tuple(changes),
                                                 "the envelope changed incompatibly; every reader depends on it"))
    for path in sorted(schemas_dir.glob("*/*.json")):
        problem = _version_problem(path, _load(path), events, upcasters)
        if problem is not None:
            problems.append(problem)
    return problems


def _version_problem(
    path: Path, committed: dict[str, Any], events: Mapping[EventKey, type[DomainEvent]],
    upcasters: UpcasterRegistry,
) -> CompatibilityProblem | None:
    event_type, version = str(committed["x-event-type"]), int(committed["x-schema-version"])
    if is_superseded(event_type, version, events, upcasters):
        return None
    hint = SUPERSEDE_HINT.format(next=version + 1, version=version)
    model = events.get((event_type, version))
    if model is None:
        return CompatibilityProblem(path, event_type, version, (), f"no event model declares it any more; {hint}")
    current = event_schema(model)
    changes = wire_and_plaintext_breaking_changes(committed, current)
    moved = [f"{key} was {committed.get(key)!r}, now {current[key]!r}"
             for key in ("x-topic", "x-pii-subject-field") if committed.get(key) != current[key]]
    if not changes and not moved:
        return None
    reason = "; ".join([*moved, *(["breaking changes"] if changes else [])])
    return CompatibilityProblem(path, event_type, version, tuple(changes), f"{reason}; {hint}")


def wire_and_plaintext_breaking_changes(
    committed: Mapping[str, Any], current: Mapping[str, Any]
) -> list[BreakingChange]:
    """Breaking changes in either view of an event schema: as published (sealed) and as revealed.

    The wire view catches a field that becomes personal (its stored values are in clear, so the
    codec would refuse them) or changes its nullability; the plaintext view catches a personal
    field whose revealed type narrows, which its sealed wire form hides. Both views are computed
    from either form, so a schema committed before the wire form (plaintext only) is judged too.
    """
    wire = breaking_changes(wire_schema(committed), wire_schema(current))
    plain = breaking_changes(plaintext_schema(committed), plaintext_schema(current))
    wire += [_became_personal(name) for name in _newly_personal(committed, current)]
    seen = {(c.location, c.kind, c.detail) for c in wire}
    return wire + [c for c in plain if (c.location, c.kind, c.detail) not in seen]


def _newly_personal(committed: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    old, new = committed.get("properties", {}), current.get("properties", {})
    return sorted(name for name in set(old) & set(new)
                  if PERSONAL_SCHEMA_KEY in new[name] and PERSONAL_SCHEMA_KEY not in old[name])


def _became_personal(name: str) -> BreakingChange:
    return BreakingChange(name, ChangeKind.TYPE_CHANGED,
                          "became personal: its stored values are in clear, so sealed readers refuse them")


def shown_path(path: Path) -> str:
    """A path as the developer sees it from the repository root."""
    root = CONTRACTS_DIR.parent
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@dataclass(frozen=True, slots=True)
class GenerationReport:
    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]
    refused: tuple[CompatibilityProblem, ...]


def write_files(schemas_dir: Path = SCHEMAS_DIR, asyncapi_file: Path = ASYNCAPI_FILE) -> GenerationReport:
    """Write every generated file, except over a committed schema the models would break."""
    refused = compatibility_problems(schemas_dir)
    protected = {problem.path for problem in refused}
    written: list[Path] = []
    unchanged: list[Path] = []
    for path, text in sorted(expected_files(schemas_dir, asyncapi_file).items()):
        if path in protected:
            continue
        if path.exists() and path.read_text(encoding="utf-8") == text:
            unchanged.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return GenerationReport(tuple(written), tuple(unchanged), tuple(refused))
