"""Identifiers the incidents commands take follow one strict shape, finance's, from the contracts
(issue 9): an organisation or staff id is a code, never free text or a spreadsheet formula."""

from __future__ import annotations

from typing import Any

import pytest

from ap_contracts.identifiers import IDENTIFIER_PATTERN, STAFF_ID_PATTERN
from ap_incidents.application.catalogue import COMMANDS

from .conftest import ApiStory, ServiceUnderTest, problem_of

STAFF_FIELDS = {"staff_id", "staff_involved", "keyworker", "searcher", "witness", "raised_by", "lead_professional"}


def _string_schemas(schema: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    """The string schemas a property accepts (through anyOf, arrays and $ref)."""
    if "$ref" in schema:
        return _string_schemas(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    found = [schema] if schema.get("type") == "string" else []
    for branch in schema.get("anyOf", []):
        found += _string_schemas(branch, defs)
    if "items" in schema:
        found += _string_schemas(schema["items"], defs)
    return found


def identifier_fields() -> list[tuple[str, str, str]]:
    """(command, field, pattern expected) for every organisation or staff id a command takes."""
    fields = []
    for name, spec in COMMANDS.items():
        schema = spec.model.model_json_schema()
        defs = schema.get("$defs", {})
        for field, prop in schema["properties"].items():
            if field in STAFF_FIELDS:
                fields.append((name, field, STAFF_ID_PATTERN))
            elif field.endswith("_id") and any("format" not in s for s in _string_schemas(prop, defs)):
                fields.append((name, field, IDENTIFIER_PATTERN))
    return fields


def test_every_identifier_a_command_takes_has_the_strict_pattern() -> None:
    fields = identifier_fields()
    assert {f for _, f, _ in fields} >= {"home_school_id", "provision_id", "commissioner_id", "staff_id"}
    loose = []
    for command, field, pattern in fields:
        prop = COMMANDS[command].model.model_json_schema()
        strings = [s for s in _string_schemas(prop["properties"][field], prop.get("$defs", {})) if "format" not in s]
        if not strings or any(s.get("pattern") != pattern for s in strings):
            loose.append(f"{command}.{field}")
    assert loose == []


@pytest.mark.integration
@pytest.mark.parametrize("bad", ["=HYPERLINK(\"http://x\")", "school home", "-school", "school\ttab"])
async def test_a_registration_naming_a_home_school_that_is_not_an_identifier_is_422(
        api_story: ApiStory, service: ServiceUnderTest, bad: str) -> None:
    response = await service.send(api_story.cmd.register_pupil().model_copy(update={"home_school_id": bad}), "head")
    assert response.status_code == 422, response.text
    assert [e["field"] for e in problem_of(response)["errors"]] == ["home_school_id"]
