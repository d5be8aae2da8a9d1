"""The test process's cyclic collector put back as it was after a test that settles it (``ap_runtime.gc_tuning``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

__all__ = ["collector_restored", "collector_walks"]


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """Unfreeze and restore the thresholds after the test: a settled test process would keep every object
    of the tests before it out of the collector's reach."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def collector_walks(obj: object) -> bool:
    """Whether the cyclic collector still tracks ``obj`` (frozen objects are out of its reach)."""
    return any(o is obj for o in gc.get_objects())
