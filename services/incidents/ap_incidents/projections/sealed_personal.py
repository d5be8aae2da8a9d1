"""Personal values in the read models stay sealed with the pupil's key; queries open them at read.

Rule served: a read model is a copy of the pupil's data, so it is protected like the events (UK
GDPR Art. 5(1)(f), Art. 17). The projections store each personal value exactly as the event
carried it (``pd1:`` ciphertext bound to pupil, field and event type), so a backup of the read-model
database holds no plaintext and destroying the pupil's key erases these copies too. The query
opens only the values its caller may see, in one key fetch per page; a destroyed key reads None.

A value is referenced by the event that carried it: ``SealedSource`` (event type, schema version,
field, ciphertext), because the ciphertext only opens with the same associated data.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any, TypedDict

from ap_contracts.personal import RecordClass
from ap_incidents.projections.entry_fields import personal_map
from ap_runtime.privacy.codec import ERASED_FLAG, PersonalDataCodec, SealedPayload


class SealedSource(TypedDict):
    """Where a sealed value came from: the only associated data it opens with."""

    event_type: str
    schema_version: int
    field: str
    sealed: str


def sealed_source(event_type: str, schema_version: int, field: str, sealed: Any) -> SealedSource | None:
    """A reference to one sealed field of an event (None when the event left the field empty)."""
    if sealed is None:
        return None
    return SealedSource(event_type=event_type, schema_version=schema_version, field=field, sealed=str(sealed))


async def open_entries(codec: PersonalDataCodec, entries: Sequence[tuple[str, int, str, Mapping[str, Any]]],
                       visible: Collection[RecordClass]) -> list[dict[str, Any]]:
    """Each entry's personal values, opened where their record class is in ``visible``.

    ``entries`` are (event type, schema version, subject, sealed values by field). Values of a class
    the caller may not see stay sealed (the caller's redaction removes them); fields whose key was
    destroyed read None.
    """
    wanted: list[SealedPayload] = []
    for event_type, version, subject, sealed in entries:
        classes = personal_map(event_type, version)
        wanted.append(SealedPayload(event_type, version, {
            name: value for name, value in sealed.items() if classes.get(name) in visible}, subject))
    opened = await codec.reveal_many(wanted)
    out: list[dict[str, Any]] = []
    for (_, _, _, sealed), values in zip(entries, opened, strict=True):
        values.pop(ERASED_FLAG, None)
        out.append({**sealed, **values})
    return out


async def open_first(codec: PersonalDataCodec, sources_by_subject: Mapping[str, Sequence[SealedSource]],
                     key: str) -> dict[str, Any]:
    """Per subject, the value of ``key`` in the newest source that holds one (None when erased or none does).

    A source's field is either the value itself (``field == key``) or an object holding it under
    ``key`` (a correction's ``corrected_identity``, for instance).
    """
    flat = [(subject, source) for subject, sources in sources_by_subject.items() for source in sources]
    opened = await codec.reveal_many([
        SealedPayload(s["event_type"], s["schema_version"], {s["field"]: s["sealed"]}, subject) for subject, s in flat])
    found: dict[str, Any] = {}
    for (subject, source), payload in zip(flat, opened, strict=True):
        if subject in found:
            continue
        value = payload.get(source["field"])
        if isinstance(value, dict):
            value = value.get(key)
        if value is not None:
            found[subject] = value
    return {subject: found.get(subject) for subject in sources_by_subject}


async def open_log_rows(codec: PersonalDataCodec, rows: Sequence[Mapping[str, Any]], subject: str,
                        visible: Collection[RecordClass]) -> list[dict[str, Any]]:
    """Behaviour-log rows with their ``personal`` JSON opened for the classes in ``visible``."""
    sealed = [json.loads(row["personal"]) if row["personal"] is not None else None for row in rows]
    opened = await open_entries(codec, [(row["event_type"], row["schema_version"], subject, values or {})
                                        for row, values in zip(rows, sealed, strict=True)], visible)
    return [{**dict(row.items()), "personal": None if values is None else json.dumps(plain)}
            for row, values, plain in zip(rows, sealed, opened, strict=True)]
