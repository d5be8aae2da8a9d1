"""Event contracts used only by the platform's own tests and benchmarks."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ap_contracts.events.base import DomainEvent


class CounterIncremented(DomainEvent):
    """A neutral event: lets runtime tests count deliveries without any domain meaning."""

    event_type: ClassVar[str] = "CounterIncremented"
    topic: ClassVar[str] = "ap.test.counter"

    counter: str = Field(min_length=1, max_length=100)
    seq: int = Field(ge=0)
    poison: bool = False
