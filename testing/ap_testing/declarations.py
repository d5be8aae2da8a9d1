"""Helpers for the per-service declaration tests (issue 10: a command declared once, nothing half-way).

``constructed_events`` reads a decider's own source for the event classes it builds (through
``ap_runtime.code_reading.constructed``, the one reader), so a test can compare them with what the
command's declaration says it emits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ap_contracts.events.base import DomainEvent
from ap_runtime.code_reading import constructed


def constructed_events(function: Callable[..., Any]) -> set[type[DomainEvent]]:
    """The event classes ``function`` builds, following calls to functions of its own package."""
    return constructed(function, DomainEvent)
