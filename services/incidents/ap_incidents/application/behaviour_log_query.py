"""Reading a pupil's behaviour log, redacted field by field for the caller.

Rules served: a pupil's log is read only by the organisations answering for the pupil
(policy LOG-*); each reader sees only the record classes its rule grants; safeguarding detail
(the concern entries and every safeguarding-class field) is served only on a separate, audited
``incidents.read_safeguarding_detail`` decision, which needs the DSL role and a stated purpose,
or a head's / manager's break-glass (KCSIE). Every read is audited by the guard.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from uuid import UUID

from ap_contracts.personal import RecordClass
from ap_incidents.application.access_view import PupilAccessView
from ap_incidents.application.ports import BehaviourLogReadModel, LogPage
from ap_incidents.application.resource_context import reader_context
from ap_incidents.domain.entry_classes import CORRECTION_EVENT_TYPES, ENTRY_CLASS
from ap_incidents.projections.entry_fields import read_personal_map
from ap_incidents.projections.sealed_personal import open_log_rows
from ap_runtime.access import AccessGuard, Decision, Principal, redact
from ap_runtime.privacy.codec import PersonalDataCodec


async def read_behaviour_log(
    guard: AccessGuard, log: BehaviourLogReadModel, codec: PersonalDataCodec, principal: Principal,
    view: PupilAccessView, *,
    safeguarding: bool = False, purpose: str | None = None, break_glass: bool = False,
    correlation_id: UUID | None = None, after_version: int = 0, limit: int = 500,
) -> dict[str, Any]:
    """The pupil's entries in stream order with what the caller may not see removed."""
    context = reader_context(view, principal.organisation_id)
    decision = await guard.check(principal, "incidents.read_behaviour_log", context, purpose=purpose,
                                 correlation_id=correlation_id)
    visible = set(decision.visible_record_classes) - {RecordClass.SAFEGUARDING}
    if safeguarding:
        detail = await guard.check(
            principal, "incidents.read_safeguarding_detail", replace(context, record_class=RecordClass.SAFEGUARDING),
            purpose=purpose, break_glass=break_glass, correlation_id=correlation_id,
        )
        visible |= detail.visible_record_classes
    effective = replace(decision, visible_record_classes=frozenset(visible))
    # The DSL knows safeguarding entries exist even when it did not ask for their detail.
    knowable = frozenset(visible) | decision.visible_record_classes
    hidden_classes = sorted(cls.value for cls in set(RecordClass) - knowable)
    hidden_types = sorted(t for t, cls in ENTRY_CLASS.items() if cls.value in hidden_classes)
    # Entries of a class the caller may not know of are left out in the read itself, so that paging
    # by stream_version still works (that a safeguarding concern exists is itself safeguarding information).
    rows = await log.entries(view.pupil_ref, LogPage(
        after_version=after_version, limit=limit, hidden_event_types=hidden_types, hidden_classes=hidden_classes,
        correction_event_types=sorted(CORRECTION_EVENT_TYPES),
        through_version=view.readable_through(principal.organisation_id)))
    # Personal values are stored sealed: open only those of the classes this caller may see.
    opened = await open_log_rows(codec, rows, str(view.pupil_ref), effective.visible_record_classes)
    return {
        "pupil_ref": str(view.pupil_ref),
        "erased": view.erased,
        "visible_record_classes": sorted(c.value for c in visible),
        "entries": [_entry(row, effective, knowable) for row in opened],
    }


def _entry(row: Mapping[str, Any], decision: Decision, may_know_of: frozenset[RecordClass]) -> dict[str, Any]:
    """One row; ``may_know_of``: classes whose existence the caller may learn (a DSL who did not ask for
    the detail sees a placeholder; nobody else learns even the names of safeguarding fields)."""
    entry_class = row["entry_class"]
    shown = entry_class is None or RecordClass(entry_class) in decision.visible_record_classes
    facts: dict[str, Any] = json.loads(row["facts"])
    personal: dict[str, Any] = json.loads(row["personal"]) if row["personal"] is not None else {}
    marked = read_personal_map(row["event_type"], row["schema_version"])
    # Only safeguarding is secret down to its field names; other withheld fields are listed as withheld.
    unknowable = {name for name, cls in marked.items() if cls is RecordClass.SAFEGUARDING and cls not in may_know_of}
    if shown:
        details = redact({**facts, **personal}, marked, decision)
        withheld = sorted((set(facts) | set(personal)) - set(details) - unknowable)
    else:
        details, withheld = {}, sorted(set(facts) | set(marked))
    return {
        "stream_version": row["stream_version"],
        "record_id": None if row["record_id"] is None else str(row["record_id"]),
        "event_type": row["event_type"],
        "occurred_at": row["occurred_at"].isoformat(),
        "recorded_at": row["recorded_at"].isoformat(),
        "organisation_id": row["organisation_id"],
        "placement_id": None if row["placement_id"] is None else str(row["placement_id"]),
        "summary": row["summary"] if shown else "Entry withheld: safeguarding detail",
        "details": details,
        "withheld_fields": withheld,
        "target_record_id": None if row["target_record_id"] is None else str(row["target_record_id"]),
        "amended": row["amended"],
        "withdrawn": row["withdrawn"],
        "corrections": json.loads(row["corrections"]),
        "personal_data_erased": row["erased"],
    }
