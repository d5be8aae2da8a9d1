"""``evolve``: fold one event of a pupil's stream into the pupil record.

Each event's fold lives in its theme module, next to the command that emits it (``EventRule.fold``);
``domain/declarations.py`` gathers them. A fold returns the new record and the entry's effect (what a
later withdrawal in error has to undo); ``evolve`` files every pupil-path entry under its record id.
Events with no fold (a newer contract, another context's event in the stream) leave the record unchanged;
a pupil-path entry with no fold is still filed, so that it can be corrected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cache, reduce

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupils import PupilEvent
from ap_incidents.domain.declarations import EVENT_RULES
from ap_incidents.domain.folding import NOTHING, Applied
from ap_incidents.domain.state import PupilRecord, RecordEntry
from ap_incidents.domain.theme import Fold


def evolve(state: PupilRecord, event: DomainEvent) -> PupilRecord:
    """The pupil record after ``event``."""
    fold_step = _fold_of(type(event))
    changed, effect = fold_step(event, state) if fold_step is not None else _unchanged(state)
    if not isinstance(event, PupilEvent):
        return changed
    entry = RecordEntry(event.event_type, event.schema_version, getattr(event, "placement_id", None), effect)
    return replace(changed, records=changed.records.with_entry(event.record_id, entry))


def _unchanged(state: PupilRecord) -> Applied:
    return state, NOTHING


@cache
def _fold_of(event_type: type[DomainEvent]) -> Fold | None:
    """The fold declared for ``event_type`` or, as dispatch by type would find it, for its nearest base."""
    for cls in event_type.__mro__:
        rule = EVENT_RULES.get(cls)
        if rule is not None:
            return rule.fold
    return None


def folds(event_type: type[DomainEvent]) -> bool:
    """Whether ``evolve`` has a fold of its own for ``event_type`` (a declaration's emitted event must)."""
    return _fold_of(event_type) is not None


def fold(events: Iterable[DomainEvent], state: PupilRecord | None = None) -> PupilRecord:
    """The pupil record after every event of a stream, in order."""
    return reduce(evolve, events, state if state is not None else PupilRecord())
