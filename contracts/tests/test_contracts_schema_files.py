"""The committed schema files: equal to the models (drift) and never broken for a published version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ap_contracts.events.base import DomainEvent
from ap_contracts.generation import (
    REGENERATE_HINT,
    compatibility_problems,
    expected_files,
    find_drift,
    write_files,
)
from ap_contracts.schema_compat import ChangeKind
from ap_contracts.schema_tools import (
    contract_events,
    envelope_schema,
    event_schema,
    event_schema_path,
    render_json,
)
from ap_contracts.topics import NOTIFICATIONS_EVENTS
from ap_contracts.upcasting import UpcasterRegistry

# (a) drift --------------------------------------------------------------------------------------


def test_committed_files_equal_the_generated_ones() -> None:
    drift = find_drift(expected_files())
    assert not drift, (
        "generated contract files are stale:\n" + "\n".join(f"  {d}" for d in drift) + f"\n{REGENERATE_HINT}"
    )


def test_drift_names_the_stale_and_missing_files(tmp_path: Path) -> None:
    expected = expected_files(tmp_path / "schemas", tmp_path / "asyncapi.yaml")
    write_files(tmp_path / "schemas", tmp_path / "asyncapi.yaml")
    envelope = tmp_path / "schemas" / "envelope.json"
    envelope.write_text(envelope.read_text() + " ")
    (tmp_path / "asyncapi.yaml").unlink()
    problems = {d.path.name: d.problem for d in find_drift(expected)}
    assert problems == {"envelope.json": "differs from the models", "asyncapi.yaml": "missing"}


def test_generation_is_deterministic_and_newline_terminated() -> None:
    first, second = expected_files(), expected_files()
    assert first == second
    assert all(text.endswith("\n") for text in first.values())
    envelope = render_json(envelope_schema())
    assert list(json.loads(envelope)) == sorted(json.loads(envelope))


# (b) compatibility -------------------------------------------------------------------------------


def test_no_committed_schema_is_broken_by_the_current_models() -> None:
    problems = compatibility_problems()
    assert not problems, "committed schemas broken by the models:\n" + "\n".join(map(str, problems))


class _WidgetV1Identity:
    # Identity class variables come from a mixin so the throwaway events below stay out of the
    # global registry (DomainEvent registers a subclass only when it sets event_type itself).
    event_type: ClassVar[str] = "ContractsTestWidgetNoted"
    schema_version: ClassVar[int] = 1
    topic: ClassVar[str] = NOTIFICATIONS_EVENTS


class _WidgetV2Identity(_WidgetV1Identity):
    schema_version: ClassVar[int] = 2


class WidgetNotedV1(_WidgetV1Identity, DomainEvent):
    colour: str
    size: int


class WidgetNotedV1Changed(_WidgetV1Identity, DomainEvent):
    """The same version with ``size`` removed: a breaking change to a published version."""

    colour: str


class WidgetNotedV2(_WidgetV2Identity, DomainEvent):
    colour: str
    size_mm: int


def _commit(schemas_dir: Path, model: type[DomainEvent]) -> Path:
    path = schemas_dir / str(event_schema_path(model.topic, model.event_type, model.schema_version))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_json(event_schema(model)))
    return path


def _events(*models: type[DomainEvent]) -> dict[tuple[str, int], type[DomainEvent]]:
    return {(m.event_type, m.schema_version): m for m in models}


def test_throwaway_events_are_not_registered() -> None:
    assert ("ContractsTestWidgetNoted", 1) not in contract_events()


def test_unchanged_version_is_compatible(tmp_path: Path) -> None:
    _commit(tmp_path, WidgetNotedV1)
    assert compatibility_problems(tmp_path, _events(WidgetNotedV1), UpcasterRegistry()) == []


def test_breaking_change_to_a_committed_version_is_reported(tmp_path: Path) -> None:
    path = _commit(tmp_path, WidgetNotedV1)
    [problem] = compatibility_problems(tmp_path, _events(WidgetNotedV1Changed), UpcasterRegistry())
    assert problem.path == path
    assert [(c.location, c.kind) for c in problem.changes] == [("size", ChangeKind.PROPERTY_REMOVED)]
    assert "version 2 with an upcaster from v1" in str(problem)


def test_breaking_change_is_allowed_once_an_upcaster_and_a_later_version_exist(tmp_path: Path) -> None:
    _commit(tmp_path, WidgetNotedV1)
    upcasters = UpcasterRegistry()

    @upcasters.register("ContractsTestWidgetNoted", from_version=1)
    def _v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
        return {"colour": payload["colour"], "size_mm": payload["size"] * 10}

    events = _events(WidgetNotedV1Changed, WidgetNotedV2)
    assert compatibility_problems(tmp_path, events, upcasters) == []
    # An upcaster alone is not enough: it must lead to a registered later version.
    assert compatibility_problems(tmp_path, _events(WidgetNotedV1Changed), upcasters) != []


def test_a_committed_version_without_a_model_is_reported(tmp_path: Path) -> None:
    _commit(tmp_path, WidgetNotedV1)
    [problem] = compatibility_problems(tmp_path, _events(WidgetNotedV2), UpcasterRegistry())
    assert "no event model declares it" in problem.reason


def test_moving_a_committed_version_to_another_topic_is_reported(tmp_path: Path) -> None:
    committed = event_schema(WidgetNotedV1)
    committed["x-topic"] = "ap.finance.events"
    path = tmp_path / "ap.finance.events" / "ContractsTestWidgetNoted.v1.json"
    path.parent.mkdir()
    path.write_text(render_json(committed))
    [problem] = compatibility_problems(tmp_path, _events(WidgetNotedV1), UpcasterRegistry())
    assert "x-topic was 'ap.finance.events'" in problem.reason


def test_generate_refuses_to_overwrite_a_broken_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schemas = tmp_path / "schemas"
    write_files(schemas, tmp_path / "asyncapi.yaml")
    [(key, model), *_] = contract_events().items()
    path = schemas / str(event_schema_path(model.topic, *key))
    committed: dict[str, Any] = json.loads(path.read_text())
    committed["properties"]["legacy_field"] = {"type": "string"}
    path.write_text(render_json(committed))

    report = write_files(schemas, tmp_path / "asyncapi.yaml")

    assert [p.path for p in report.refused] == [path]
    assert json.loads(path.read_text()) == committed
