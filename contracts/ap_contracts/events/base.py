"""Base class and registry of domain events.

Each event is a frozen pydantic model named in the past tense. Its class variables say what
it is on the wire: ``event_type`` (stable name), ``schema_version`` and ``topic``. Events about
one pupil carry ``pupil_ref`` (pseudonymous UUID) so the runtime knows whose data key encrypts
the personal fields.
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

from ap_contracts.envelope import StrictModel

_REGISTRY: dict[tuple[str, int], type[DomainEvent]] = {}


class DomainEvent(StrictModel):
    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    topic: ClassVar[str]
    # Name of the payload field holding the pseudonymous pupil reference, if the event is about a pupil.
    pii_subject_field: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "event_type" not in cls.__dict__:
            return  # an abstract intermediate base
        key = (cls.event_type, cls.schema_version)
        if key in _REGISTRY and _REGISTRY[key] is not cls:
            raise TypeError(f"event {key} is declared twice: {_REGISTRY[key]!r} and {cls!r}")
        _REGISTRY[key] = cls

    def pii_subject(self) -> str | None:
        if self.pii_subject_field is None:
            return None
        value = getattr(self, self.pii_subject_field)
        return None if value is None else str(value)


def registered_events() -> dict[tuple[str, int], type[DomainEvent]]:
    """Every event model declared so far (import ``ap_contracts.events.catalogue`` to load all)."""
    return dict(_REGISTRY)


def event_model(event_type: str, schema_version: int) -> type[DomainEvent]:
    """The contract of the event; its module is imported if nothing has imported it yet.

    So a reader need not import every contract (``ap_contracts.events.catalogue``) before its first
    lookup to find the one it needs (issue 11: the whole catalogue was 0.1-0.2 s of each rebuild
    worker's start, for the two contracts a register's history uses); the first lookup that misses loads
    the catalogue, and only an event this build does not declare is unknown.
    """
    model = _REGISTRY.get((event_type, schema_version))
    if model is None:
        load_contract_of(event_type, schema_version)
        model = _REGISTRY.get((event_type, schema_version))
        if model is None:
            raise UnknownEventType(event_type, schema_version)
    return model


_catalogue_loading = False  # set once: a lookup that misses during or after the load does not load again


def load_contract_of(event_type: str, schema_version: int) -> None:
    """Import the module declaring the event's contract (and its upcasters, declared beside it) if none has.

    The whole catalogue is imported, once, at the first event not declared yet.
    """
    global _catalogue_loading
    if (event_type, schema_version) not in _REGISTRY and not _catalogue_loading:
        _catalogue_loading = True
        importlib.import_module("ap_contracts.events.catalogue")  # its import declares every contract


class UnknownEventType(LookupError):
    def __init__(self, event_type: str, schema_version: int) -> None:
        super().__init__(f"no contract for event {event_type!r} version {schema_version}")
        self.event_type = event_type
        self.schema_version = schema_version
