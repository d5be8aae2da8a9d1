"""A serving process's collector: start-up objects frozen, then the serving thresholds (issue 11).

Rule served: the API workers' and command consumer's CPU and pauses go to commands, not to young
collections every 700 allocations and full collections over what start-up made.
"""

from __future__ import annotations

import gc
import weakref

import pytest

from ap_runtime.gc_tuning import SERVING_THRESHOLDS, settle_for_serving
from ap_testing.collector import collector_restored, collector_walks  # noqa: F401 - a fixture, found by its name

pytestmark = pytest.mark.unit


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


@pytest.mark.usefixtures("collector_restored")
def test_settling_freezes_start_up_and_sets_the_serving_thresholds() -> None:
    gc.set_threshold(700, 10, 10)
    live = _Node()
    frozen = settle_for_serving()
    assert gc.get_threshold() == SERVING_THRESHOLDS
    assert frozen == gc.get_freeze_count() > 0
    assert not collector_walks(live)  # no collection walks it again


@pytest.mark.usefixtures("collector_restored")
def test_cycles_made_after_settling_are_still_collected_by_the_collector_itself() -> None:
    settle_for_serving()
    witnesses = [weakref.ref(_Node()) for _ in range(3 * SERVING_THRESHOLDS[0])]  # past the young threshold
    alive = sum(1 for w in witnesses if w() is not None)
    # No explicit collection: the automatic ones freed all but (at most) those made since the last.
    assert alive < SERVING_THRESHOLDS[0], f"{alive} of {len(witnesses)} cycles outlived the collector"
