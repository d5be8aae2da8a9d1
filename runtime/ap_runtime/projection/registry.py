"""Every projection of the platform by name, with how to build it and its collaborators from settings.

Rule served: every read model can be rebuilt from its topics by an operator (``ap projections
rebuild <name>``), including those whose constructors need collaborators (the notification alert
projections dispatch through the service's command executor and delivery channel). The runtime
imports no service: each service declares ``PROJECTIONS`` (a tuple of ``RegisteredProjection``)
in a catalogue module, and the runtime reads the modules named in ``AP_PROJECTION_CATALOGUES``
(default: the five services'). A service that is not installed in this environment is skipped.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import asyncpg

from ap_runtime.eventstore.codec import EventCodec
from ap_runtime.projection.base import Projection
from ap_runtime.settings import platform_settings

CATALOGUES_ENV = "AP_PROJECTION_CATALOGUES"
DEFAULT_CATALOGUES = (
    "ap_incidents.entrypoints.projection_catalogue",
    "ap_finance.entrypoints.projection_catalogue",
    "ap_notifications.entrypoints.projection_catalogue",
    "ap_reporting.entrypoints.projection_catalogue",
    "ap_commissioning.entrypoints.projection_catalogue",
)


@dataclass(frozen=True, slots=True)
class ProjectionOptions:
    """What an operator may override: the topics read (all of the projection's) and the read-model DSN."""

    topics: tuple[str, ...] | None = None
    dsn: str | None = None


@dataclass(slots=True)
class BuiltProjection:
    """A projection ready to run: its read-model pool and, for a projection that decrypts, a codec."""

    projection: Projection
    pool: asyncpg.Pool
    codec: EventCodec | None = None


ProjectionOpener = Callable[[ProjectionOptions], AbstractAsyncContextManager[BuiltProjection]]


@dataclass(frozen=True, slots=True)
class RegisteredProjection:
    name: str
    service: str
    open: ProjectionOpener


class UnknownProjection(LookupError):
    """No catalogue declares a projection by that name."""


def pooled(build: Callable[[tuple[str, ...] | None], Projection],
           default_dsn: Callable[[], str]) -> ProjectionOpener:
    """An opener for a projection that needs nothing but its read-model database."""

    @asynccontextmanager
    async def opened(options: ProjectionOptions) -> AsyncIterator[BuiltProjection]:
        pool = await asyncpg.create_pool(options.dsn or default_dsn(), min_size=1, max_size=8)
        try:
            yield BuiltProjection(build(options.topics), pool)
        finally:
            await pool.close()

    return opened


def catalogue_modules() -> tuple[str, ...]:
    configured = platform_settings().projection_catalogues
    if not configured:
        return DEFAULT_CATALOGUES
    return tuple(m.strip() for m in configured.split(",") if m.strip())


def registered_projections(modules: Sequence[str] | None = None) -> dict[str, RegisteredProjection]:
    """Every declared projection by name; a name declared twice is an error."""
    found: dict[str, RegisteredProjection] = {}
    for module_name in modules or catalogue_modules():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module_name.startswith(exc.name):
                continue  # that service is not installed here
            raise
        for entry in getattr(module, "PROJECTIONS", ()):
            if entry.name in found:
                raise ValueError(f"projection {entry.name!r} is declared by {found[entry.name].service}"
                                 f" and by {entry.service}")
            found[entry.name] = entry
    return found


def projection_named(name: str, modules: Sequence[str] | None = None) -> RegisteredProjection:
    known = registered_projections(modules)
    try:
        return known[name]
    except KeyError:
        raise UnknownProjection(f"no projection is named {name!r}; known: {', '.join(sorted(known))}") from None
