"""What a theme module declares: per command its model, decider, action, events and route; per event its fold
and its correction rule.

Rule served: "a command is declared once and the rest is derived" (issue 10, STYLE.md). Each module of
``domain/themes/`` keeps together, as pyeventsourcing's aggregate examples keep the event, the command
method and the mutator, everything one theme of the pupil path adds: the command models, their deciders,
one ``CommandDeclaration`` per command, and one ``EventRule`` per event its commands emit. It exports them
as one ``THEME``; ``domain/declarations.py`` lists the theme modules and derives ``decide``'s dispatch
table, ``evolve``'s fold table, the correction policy and the application's catalogue from them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ap_contracts.events.base import DomainEvent
from ap_incidents.domain.commands import Command
from ap_incidents.domain.correction_policy import Correction
from ap_incidents.domain.folding import Applied
from ap_incidents.domain.state import PupilRecord

# A pupil decider takes (command, PupilRecord, DecisionContext); the staff register's and the register of
# organisations' deciders take their own stream's state (the command handler calls them by stream).
Decider = Callable[..., Sequence[DomainEvent]]
# One event folded into the pupil record: the new record and the entry's effect (``domain/folding.py``).
Fold = Callable[[Any, PupilRecord], Applied]


@dataclass(frozen=True, slots=True)
class CommandDeclaration:
    """One command: ``action`` is its access action id (``policy.yaml`` lists the vocabulary); ``path`` is
    below the URL of its scope (``scope_field``: the pupil by default, a provision's staff register or an
    organisation); ``path_fields`` are command fields the path names."""

    model: type[Command]
    decider: Decider
    action: str
    emits: tuple[type[DomainEvent], ...]
    path: str
    summary: str
    scope_field: str = "pupil_ref"
    path_fields: tuple[str, ...] = ()

    @property
    def decides_on_pupil_record(self) -> bool:
        return self.scope_field == "pupil_ref"


@dataclass(frozen=True, slots=True)
class EventRule:
    """One event on the pupil's stream: how ``evolve`` folds it and how its entry may be corrected."""

    fold: Fold
    correction: Correction = field(default_factory=Correction)


@dataclass(frozen=True, slots=True)
class Theme:
    """One theme module's commands and the events they emit (registers beside the pupil's record fold their
    own streams, so their ``events`` stay empty)."""

    module: str
    declarations: tuple[CommandDeclaration, ...]
    events: Mapping[type[DomainEvent], EventRule] = field(default_factory=dict)
