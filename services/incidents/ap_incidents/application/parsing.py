"""Turning a request body into a command: the one validation both the HTTP API and Kafka use.

Rule served: identical validation on every interface (issue: "with identical validation"). The
pupil (or provision) a command is about comes from the URL or the Kafka envelope; a body naming
a different one is refused rather than silently overridden.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from ap_contracts.schema_tools import WHOLE_OBJECT, FieldProblem, describe_validation_error
from ap_incidents.application.catalogue import COMMANDS, CommandSpec
from ap_incidents.domain.commands import Command


class InvalidCommandBody(Exception):
    """The body is not a valid command; ``problems`` names each field and what is wrong with it."""

    def __init__(self, problems: list[FieldProblem], command_id: UUID | None = None) -> None:
        super().__init__("; ".join(f"{p['field']}: {p['problem']}" for p in problems))
        self.problems = problems
        self.command_id = command_id


def spec_named(command_type: object) -> CommandSpec:
    spec = COMMANDS.get(command_type) if isinstance(command_type, str) else None
    if spec is None:
        raise InvalidCommandBody([FieldProblem(field="command_type", problem="not a command this service accepts")])
    return spec


def parse_command(spec: CommandSpec, body: object, *, pupil_ref: UUID | None = None,
                  provision_id: str | None = None, path_values: Mapping[str, object] | None = None) -> Command:
    """Validate ``body`` as ``spec``'s command about ``pupil_ref`` / ``provision_id``.

    ``path_values``: the other command fields the URL names (``spec.path_fields``).
    """
    if not isinstance(body, Mapping):
        raise InvalidCommandBody([FieldProblem(field=WHOLE_OBJECT, problem="the command must be a JSON object")])
    data: dict[str, Any] = dict(body)
    fields = spec.model.model_fields
    problems: list[FieldProblem] = []
    from_path = {"pupil_ref": pupil_ref, "provision_id": provision_id, **(path_values or {})}
    for name, value in from_path.items():
        if value is None or name not in fields:
            continue
        given = data.get(name)
        if given is not None and str(given) != str(value):
            problems.append(FieldProblem(field=name, problem="does not match the one in the path or message"))
        data[name] = value
    if problems:
        raise InvalidCommandBody(problems, _command_id_of(data))
    try:
        return spec.model.model_validate(data)
    except ValidationError as invalid:
        raise InvalidCommandBody(describe_validation_error(invalid), _command_id_of(data)) from None


def _command_id_of(data: Mapping[str, Any]) -> UUID | None:
    """The client's command id when it is readable, so an invalid command can be answered by it."""
    try:
        return UUID(str(data.get("command_id")))
    except ValueError:
        return None
