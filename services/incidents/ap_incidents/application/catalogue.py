"""Every command the incidents service accepts: its wire name, model, access action and URL path.

Derived from the one declaration of each command (``domain/declarations.py``); nothing is listed here.
One table serves the HTTP API (a POST endpoint per entry), the Kafka command topic (the message's
``command_type``) and the access guard, so both interfaces accept exactly the same commands with
the same validation and the same authorisation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ap_incidents.domain import commands as c
from ap_incidents.domain.declarations import DECLARATIONS, CommandDeclaration


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One accepted command: ``path`` is below the URL of its scope, ``/v1/pupils/{pupil_ref}/`` by default,
    ``/v1/provisions/{provision_id}/`` (a staff register) or ``/v1/organisations/{organisation_id}/``
    (the register of organisations) when ``scope_field`` names those.

    ``path_fields`` are command fields named in ``path`` itself (``legal-holds/{hold_id}/lift``): over
    HTTP the URL gives them, over Kafka the command body does.
    """

    model: type[c.Command]
    action: str  # an id of policy.yaml's actions
    path: str
    summary: str
    scope_field: str = "pupil_ref"
    path_fields: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.model.__name__

    @property
    def pupil_scoped(self) -> bool:
        return self.scope_field == "pupil_ref"

    @property
    def scope_path(self) -> str:
        """The URL prefix naming the command's record: its stream's owner."""
        return {"pupil_ref": "/pupils/{pupil_ref}", "provision_id": "/provisions/{provision_id}",
                "organisation_id": "/organisations/{organisation_id}"}[self.scope_field]

    def path_for(self, command: Mapping[str, Any]) -> str:
        """``path`` with the command's own values in place of its ``path_fields``."""
        return self.path.format(**{name: command[name] for name in self.path_fields})

    @classmethod
    def declared(cls, declaration: CommandDeclaration) -> CommandSpec:
        """The accepted command of one declaration."""
        return cls(declaration.model, declaration.action, declaration.path, declaration.summary,
                   declaration.scope_field, declaration.path_fields)


_SPECS: tuple[CommandSpec, ...] = tuple(CommandSpec.declared(declaration) for declaration in DECLARATIONS)

COMMANDS: dict[str, CommandSpec] = {spec.name: spec for spec in _SPECS}
SPEC_BY_MODEL: dict[type[c.Command], CommandSpec] = {spec.model: spec for spec in _SPECS}


def spec_for(command: c.Command) -> CommandSpec:
    return SPEC_BY_MODEL[type(command)]
