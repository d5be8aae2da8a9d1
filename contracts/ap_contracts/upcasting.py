"""Upcasting: reading an old event version as the current one, without rewriting the store.

Stored events are immutable. When an event's shape must change incompatibly, declare the next
version as a new class (``schema_version = N + 1``, the old class stays registered so old payloads
can still be decrypted and validated) and register one pure function that turns a version-N payload
into a version-N+1 payload. Readers call ``upcast`` and always see the latest version.

Register upcasters in the events module that declares the versions, so importing
``ap_contracts.events.catalogue`` loads them with the events::

    @upcaster("PlacementStarted", from_version=1)
    def _placement_started_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
        return {**payload, "timetable": "full_time"}

Upcasters work on the revealed (decrypted) JSON payload and must not look anything up: the same
stored event must read the same way on every replay.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ap_contracts.events.base import DomainEvent, event_model, load_contract_of

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]


class UpcasterAlreadyRegistered(ValueError):
    def __init__(self, event_type: str, from_version: int) -> None:
        super().__init__(f"an upcaster from {event_type} v{from_version} is already registered")


class UpcasterRegistry:
    """Pure functions from (event type, version N) payloads to version N+1 payloads."""

    def __init__(self) -> None:
        self._steps: dict[tuple[str, int], Upcaster] = {}

    def register(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: ``fn`` turns a ``from_version`` payload of ``event_type`` into the next version."""
        if from_version < 1:
            raise ValueError("schema versions start at 1")

        def decorate(fn: Upcaster) -> Upcaster:
            key = (event_type, from_version)
            if key in self._steps:
                raise UpcasterAlreadyRegistered(event_type, from_version)
            self._steps[key] = fn
            return fn

        return decorate

    def has_upcaster(self, event_type: str, from_version: int) -> bool:
        load_contract_of(event_type, from_version)  # an event's upcasters are declared beside its contract
        return (event_type, from_version) in self._steps

    def upcast(self, event_type: str, version: int, payload: Payload) -> tuple[int, Payload]:
        """The latest version reachable from ``version`` and the payload rewritten to it.

        Each step receives its own copy, so a careless upcaster cannot alter the caller's payload.
        """
        load_contract_of(event_type, version)
        while (step := self._steps.get((event_type, version))) is not None:
            payload = step(copy.deepcopy(payload))
            version += 1
        return version, payload


UPCASTERS = UpcasterRegistry()
upcaster = UPCASTERS.register


def upcast(event_type: str, version: int, payload: Payload) -> tuple[int, Payload]:
    """Bring a stored payload to the latest version using the registered upcasters."""
    return UPCASTERS.upcast(event_type, version, payload)


def read_event(
    event_type: str, version: int, payload: Payload, registry: UpcasterRegistry = UPCASTERS
) -> DomainEvent:
    """The latest model of a stored event: upcast its revealed payload, then validate it."""
    latest, upcast_payload = registry.upcast(event_type, version, payload)
    return event_model(event_type, latest).model_validate(upcast_payload)
