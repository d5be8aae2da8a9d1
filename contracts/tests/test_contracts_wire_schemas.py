"""The committed schemas describe the wire: personal properties are sealed values, their plaintext kept.

Rule served (issue 10): a non-Python consumer validates records as they travel; the breaking-change
check judges both what travels (sealed) and what an authorised reader gets back (plaintext).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ClassVar

import jsonschema_rs
import pytest
import yaml

from ap_contracts.events.base import DomainEvent
from ap_contracts.generation import ASYNCAPI_FILE, compatibility_problems
from ap_contracts.personal import PERSONAL_SCHEMA_KEY, FamilyContactText, Personal, RecordClass
from ap_contracts.schema_compat import ChangeKind
from ap_contracts.schema_tools import SCHEMAS_DIR, event_schema, event_schema_path, render_json
from ap_contracts.topics import INCIDENTS_EVENTS
from ap_contracts.upcasting import UpcasterRegistry
from ap_contracts.wire import (
    PLAINTEXT_SCHEMA_KEY,
    SEALED_VALUE_REF,
    SEALED_VALUE_SCHEMA,
    plaintext_schema,
    wire_schema,
)

COMMITTED = sorted(SCHEMAS_DIR.glob("*/*.json"))
SEALED = "pd1:" + "A" * 40 + "AAA="


class _NotedIdentity:
    # From a mixin so these throwaway events stay out of the global registry.
    event_type: ClassVar[str] = "ContractsTestWireNoted"
    schema_version: ClassVar[int] = 1
    topic: ClassVar[str] = INCIDENTS_EVENTS


class WireNoted(_NotedIdentity, DomainEvent):
    born: Annotated[date, Personal(RecordClass.PUPIL_IDENTITY)]
    contact: FamilyContactText | None = None
    flag: bool = False


class WireNotedFlagPersonal(_NotedIdentity, DomainEvent):
    """The same version with ``flag`` made personal: its stored values are in clear."""

    born: Annotated[date, Personal(RecordClass.PUPIL_IDENTITY)]
    contact: FamilyContactText | None = None
    flag: Annotated[bool, Personal(RecordClass.PUPIL_IDENTITY)] = False


class WireNotedBornAsText(_NotedIdentity, DomainEvent):
    """The same version with ``born`` now an integer in plaintext: sealed on the wire, a break once revealed."""

    born: Annotated[int, Personal(RecordClass.PUPIL_IDENTITY)]
    contact: FamilyContactText | None = None
    flag: bool = False


def _commit(directory: Path, schema: dict[str, Any]) -> None:
    path = directory / str(event_schema_path(INCIDENTS_EVENTS, "ContractsTestWireNoted", 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_json(schema))


def _events(model: type[DomainEvent]) -> dict[tuple[str, int], type[DomainEvent]]:
    return {(model.event_type, model.schema_version): model}


def test_a_personal_property_is_a_sealed_value_with_its_plaintext_kept() -> None:
    schema = event_schema(WireNoted)
    born, contact, flag = (schema["properties"][name] for name in ("born", "contact", "flag"))
    assert born["$ref"] == SEALED_VALUE_REF and "anyOf" not in born
    assert born[PERSONAL_SCHEMA_KEY] == "pupil_identity"
    assert born[PLAINTEXT_SCHEMA_KEY] == {"format": "date", "title": "Born", "type": "string"}
    assert contact["anyOf"] == [{"$ref": SEALED_VALUE_REF}, {"type": "null"}] and contact["default"] is None
    assert contact[PLAINTEXT_SCHEMA_KEY]["anyOf"][0]["maxLength"] == 500
    assert flag == {"default": False, "title": "Flag", "type": "boolean"}  # not personal: unchanged
    assert schema["$defs"]["SealedValue"] == SEALED_VALUE_SCHEMA


def test_the_wire_schema_accepts_sealed_values_and_refuses_clear_ones() -> None:
    validator = jsonschema_rs.Draft202012Validator(event_schema(WireNoted), validate_formats=True)
    base = {"flag": True}
    long_sealed = "pd1:" + "A" * 800  # sealing a 500-character contact gives more than 500 characters
    assert validator.is_valid({**base, "born": SEALED, "contact": long_sealed})
    assert validator.is_valid({**base, "born": SEALED, "contact": None})
    assert not validator.is_valid({**base, "born": "2011-04-05"})  # a date in clear
    assert not validator.is_valid({**base, "born": "pd1:not base64!"})
    assert not validator.is_valid({**base, "born": None})  # the plaintext is never null, nor its seal


@pytest.mark.parametrize("path", COMMITTED, ids=[p.name for p in COMMITTED])
def test_both_views_of_a_committed_schema_are_consistent(path: Path) -> None:
    wire = json.loads(path.read_text())
    assert wire_schema(wire) == wire  # committed files are in wire form (and the transform is idempotent)
    plain = plaintext_schema(wire)
    assert wire_schema(plain) == wire
    assert PLAINTEXT_SCHEMA_KEY not in json.dumps(plain)
    for name, prop in wire["properties"].items():
        assert (PERSONAL_SCHEMA_KEY in prop) == (PLAINTEXT_SCHEMA_KEY in prop), name


def test_a_schema_committed_in_plaintext_form_is_not_broken_by_its_wire_form(tmp_path: Path) -> None:
    _commit(tmp_path, plaintext_schema(event_schema(WireNoted)))
    assert compatibility_problems(tmp_path, _events(WireNoted), UpcasterRegistry()) == []


def test_a_field_that_becomes_personal_is_a_breaking_change(tmp_path: Path) -> None:
    _commit(tmp_path, event_schema(WireNoted))
    [problem] = compatibility_problems(tmp_path, _events(WireNotedFlagPersonal), UpcasterRegistry())
    flag = [c for c in problem.changes if c.location == "flag"]
    assert {c.kind for c in flag} == {ChangeKind.TYPE_CHANGED}
    assert any("became personal" in c.detail for c in flag), flag


def test_a_narrowed_plaintext_of_a_personal_field_is_a_breaking_change(tmp_path: Path) -> None:
    _commit(tmp_path, event_schema(WireNoted))
    assert event_schema(WireNoted)["properties"]["born"]["$ref"] == SEALED_VALUE_REF  # the wire is the same
    [problem] = compatibility_problems(tmp_path, _events(WireNotedBornAsText), UpcasterRegistry())
    assert [(c.location, c.kind) for c in problem.changes] == [("born", ChangeKind.TYPE_CHANGED)]


def test_the_asyncapi_document_points_at_the_wire_schemas_and_names_the_cloudevents_headers() -> None:
    document = yaml.safe_load(ASYNCAPI_FILE.read_text())
    message = document["components"]["messages"]["PupilRegisteredV1"]
    reference = message["payload"]["allOf"][1]["properties"]["payload"]["$ref"]
    payload = json.loads((ASYNCAPI_FILE.parent / reference).read_text())
    assert payload["properties"]["date_of_birth"]["anyOf"][0] == {"$ref": SEALED_VALUE_REF}
    assert "x-plaintext" in document["info"]["description"]
    headers = document["components"]["schemas"]["RecordHeaders"]
    cloudevents = {"ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject", "ce_dataschema",
                   "content-type"}
    assert cloudevents <= set(headers["required"]) and cloudevents <= set(headers["properties"])
    assert headers["properties"]["ce_specversion"] == {"const": "1.0"}
