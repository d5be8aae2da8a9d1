"""Which whole entries are of a record class of their own, whatever their fields say.

Rule served: that a safeguarding concern exists is itself safeguarding information (KCSIE: the
child-protection file is for the DSL). A ``SafeguardingConcernRaised`` entry is safeguarding as a
whole, codes and all, and so is every correction of it: a correction takes the class of the entry
it targets, wherever it is authorised, shown, exported or counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ap_contracts.personal import RecordClass

ENTRY_CLASS: dict[str, RecordClass] = {"SafeguardingConcernRaised": RecordClass.SAFEGUARDING}

CORRECTION_EVENT_TYPES = frozenset({"RecordAmended", "RecordWithdrawnInError"})


def entry_class_of(event_type: str, payload: Mapping[str, Any] | None = None) -> RecordClass | None:
    """The class of a whole entry: its own, or for a correction the class of the entry it targets.

    A correction names its target's event type (``target_event_type``, stamped by the decider from
    the stored target entry, never taken from the caller).
    """
    if event_type in CORRECTION_EVENT_TYPES and payload is not None:
        target = payload.get("target_event_type")
        return None if target is None else ENTRY_CLASS.get(str(target))
    return ENTRY_CLASS.get(event_type)
