"""How event payloads are sealed before storage and revealed after reading.

Services holding pupil data use ``ap_runtime.privacy.codec.PersonalDataCodec`` (per-pupil keys);
services with no personal data (finance) use ``PlaintextCodec``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ap_contracts.events.base import DomainEvent
from ap_contracts.personal import personal_fields
from ap_contracts.upcasting import read_event
from ap_runtime.eventstore.json_columns import plain_payloads_json


class EventCodec(Protocol):
    async def seal(self, event: DomainEvent) -> dict[str, Any]: ...

    async def reveal(
        self, event_type: str, schema_version: int, payload: dict[str, Any], subject: str | None
    ) -> dict[str, Any]: ...


class PlaintextCodec:
    """For contexts whose events carry no personal fields; refuses any event that does."""

    async def seal(self, event: DomainEvent) -> dict[str, Any]:
        _refuse_personal(type(event))
        payload: dict[str, Any] = event.model_dump(mode="json")
        return payload

    def seal_json_many(self, events: Sequence[DomainEvent]) -> list[str]:
        """Each event's ``seal`` as the JSON text an append stores, each event type checked once.

        Issue 11 (the write path's CPU per event): the payload's JSON straight from its model, with no
        dictionary in between (``json_columns.plain_payloads_json``).
        """
        for kind in {type(event) for event in events}:
            _refuse_personal(kind)
        return plain_payloads_json(events)

    async def reveal(
        self, event_type: str, schema_version: int, payload: dict[str, Any], subject: str | None
    ) -> dict[str, Any]:
        return payload


def _refuse_personal(kind: type[DomainEvent]) -> None:
    marked = personal_fields(kind)
    if marked:
        raise TypeError(f"{kind.event_type} has personal fields {sorted(marked)}: use PersonalDataCodec")


async def seal_all(codec: EventCodec, events: Sequence[DomainEvent]) -> list[dict[str, Any]]:
    seal_many = getattr(codec, "seal_many", None)
    if seal_many is not None:
        return list(await seal_many(events))
    return [await codec.seal(e) for e in events]


async def reveal_model(codec: EventCodec, event_type: str, schema_version: int,
                       payload: dict[str, Any], subject: str | None) -> DomainEvent:
    """A stored event as its domain model; codecs that know erasure raise their own error for it."""
    own = getattr(codec, "reveal_model", None)
    if own is not None:
        model: DomainEvent = await own(event_type, schema_version, payload, subject)
        return model
    revealed = await codec.reveal(event_type, schema_version, payload, subject)
    revealed = {k: v for k, v in revealed.items() if not k.startswith("_")}
    return read_event(event_type, schema_version, revealed)  # an older version read as the latest (upcasters)
