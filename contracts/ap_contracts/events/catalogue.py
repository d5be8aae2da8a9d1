"""Importing this module loads every event contract into the registry."""

from __future__ import annotations

import importlib
import pkgutil

import ap_contracts.events as _events_pkg


def load_all() -> None:
    """Import every module of ``ap_contracts.events`` so each event class registers itself."""
    for info in pkgutil.iter_modules(_events_pkg.__path__):
        if info.name not in {"base", "catalogue"}:
            importlib.import_module(f"ap_contracts.events.{info.name}")


load_all()
