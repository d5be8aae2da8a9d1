"""What a read model implements. Projections are boring on purpose: no business decisions here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import asyncpg

from ap_contracts.envelope import EventEnvelope

_FIELDS = ("envelope", "payload", "topic", "partition", "offset")  # ReceivedEvent's, in its order


class _SettableFields:
    """``ReceivedEvent``'s slots, in its order, without its frozen ``__setattr__``: an event is filled in as one."""

    __slots__ = _FIELDS
    envelope: EventEnvelope
    payload: dict[str, Any]
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True, slots=True, init=False)
class ReceivedEvent:
    """An event as a projection sees it. ``payload`` has personal fields decrypted when the
    projection asked for them (None where the pupil's key was erased), else still sealed.

    Frozen, yet built without a frozen dataclass's ``__init__``, which sets each field through
    ``object.__setattr__``: 1.26 us an event against 0.54 (issue 11: a rebuild builds a million). The
    fields are set on an instance of ``_SettableFields``, whose slots are the same, and the instance is
    then made a ``ReceivedEvent`` (``__class__``: allowed between classes of one layout, checked below).
    """

    envelope: EventEnvelope
    payload: dict[str, Any]
    topic: str
    partition: int
    offset: int

    def __new__(cls, envelope: EventEnvelope, payload: dict[str, Any], topic: str, partition: int,
                offset: int) -> ReceivedEvent:
        event = object.__new__(_SettableFields)
        event.envelope = envelope
        event.payload = payload
        event.topic = topic
        event.partition = partition
        event.offset = offset
        event.__class__ = cls  # type: ignore[assignment]  # the layouts are one (see the class)
        return event  # type: ignore[return-value]  # a ReceivedEvent now (see the class)

    @property
    def event_type(self) -> str:
        # Read several times per event by a projection's row (issue 11: a rebuild's million rows); the
        # envelope's field is already ``str`` (validated), so no conversion.
        event_type: str = self.envelope.event_type
        return event_type

    @property
    def erased(self) -> bool:
        return bool(self.payload.get("_erased"))


if ReceivedEvent.__slots__ != _FIELDS:  # the two layouts must stay one (ReceivedEvent.__new__)
    raise RuntimeError("ReceivedEvent's fields changed: give _SettableFields the same slots in the same order")


class Projection:
    """Subclass, set ``name``, ``topics`` (the default) and ``ddl``, implement ``apply``.

    ``setup`` creates the read model's tables with unqualified names (``ddl`` by default): the runner
    places them in the projection's own PostgreSQL schema, so a rebuild can fill a new schema while the
    old one serves. ``Projection(topics=...)`` consumes other topics than the default (tests).
    """

    name: ClassVar[str]
    topics: tuple[str, ...] = ()
    needs_personal_data: ClassVar[bool] = False
    ddl: ClassVar[str] = ""
    # Indexes (by name) of ``ddl``'s tables that a rebuild may build after loading instead of updating per
    # row (``deferred_indexes.py``): only those no ``load_batch`` statement needs (ON CONFLICT, lookups).
    deferred_indexes: ClassVar[tuple[str, ...]] = ()
    # While they are deferred, ``load_batch`` may leave what would need one (a lookup) in tables that
    # ``deferred_ddl`` creates with the deferral; ``deferred_finish`` does it set-based once they are built,
    # in the same transaction, and drops those tables (``deferred_indexes.py``).
    deferred_ddl: ClassVar[str] = ""
    deferred_finish: ClassVar[str] = ""

    def __init__(self, topics: Sequence[str] | None = None) -> None:
        if topics:
            self.topics = tuple(topics)

    async def setup(self, conn: asyncpg.Connection) -> None:
        if not self.ddl:
            raise NotImplementedError(f"{type(self).__name__} declares no ddl and does not override setup")
        await conn.execute(self.ddl)

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        raise NotImplementedError

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        """Apply several events in order; override with set-based SQL where a read model needs speed.

        Must have the same effect as calling ``apply`` on each event in turn.
        """
        for event in events:
            await self.apply(conn, event)

    async def load_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        """Apply several events to a generation being rebuilt: tables no reader sees and only the rebuild
        writes, whose ``processed_events`` already refused every event id seen before.

        Rule served: a rebuild fills a new generation fast (issue 11) and leaves the rows ``apply_batch``
        would. Override with ``copy_records_to_table`` where plain inserts are the read model's bulk;
        the default is ``apply_batch``. A failure here (a unique violation included) makes the runner
        apply the batch again through ``apply_batch``.
        """
        await self.apply_batch(conn, events)
