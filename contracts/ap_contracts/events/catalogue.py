"""Importing this module loads every event contract into the registry."""

from ap_contracts.events import base  # noqa: F401
