"""``decide``: the one entry point from a command to the events it records, or a named refusal.

``HANDLERS`` is the whole command surface of the pupil path, derived from the theme modules' declarations
(``domain/declarations.py``); each decider lives with its command in its theme (registration, referral,
day to day, safety, placement course, exclusion, corrections, the pupil's personal data as a whole).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ap_contracts.events.base import DomainEvent
from ap_incidents.domain.commands import PupilCommand
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.declarations import handlers
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import PupilRecord

Handler = Callable[[Any, PupilRecord, DecisionContext], Sequence[DomainEvent]]

# Derived from the one declaration of each command (domain/declarations.py).
HANDLERS: dict[type, Handler] = handlers()


def decide(command: PupilCommand, state: PupilRecord, context: DecisionContext) -> Sequence[DomainEvent]:
    """The events ``command`` records on the pupil record ``state``, or a ``DomainError`` naming the rule.

    A command already applied (same ``command_id``) records nothing, so clients can retry safely.
    """
    if record_id_for(command.command_id) in state.records:
        return []
    handler = HANDLERS.get(type(command))
    if handler is None:
        raise TypeError(f"not a pupil command: {type(command).__name__}")
    return handler(command, state, context)
