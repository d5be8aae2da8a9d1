"""A contract is found by its event type whether or not anything imported the whole catalogue first.

Issue 11: a rebuild worker no longer imports every contract module at start (0.1-0.2 s of CPU each), so
``event_model`` and the upcasters load the catalogue at the first event not declared yet. A reader that
looked up a contract nobody had imported would otherwise be told it is unknown, and a reader of an old
version would miss the upcaster that marks a field personal since (the behaviour log's PlacementStarted
v1 ``looked_after_by``): both are checked in a fresh interpreter, where nothing has loaded the catalogue.
"""

from __future__ import annotations

import subprocess  # nosec B404 - runs this interpreter on a fixed script
import sys
from pathlib import Path

import pytest

from ap_contracts.events.base import event_model
from ap_contracts.events.catalogue import load_all
from ap_contracts.upcasting import UPCASTERS

_FRESH = """
import sys
from ap_contracts.events.base import UnknownEventType, event_model
from ap_contracts.upcasting import UPCASTERS
assert "ap_contracts.events.catalogue" not in sys.modules, "imported before the first lookup"
{check}
"""


def _in_fresh_interpreter(check: str) -> str:
    done = subprocess.run([sys.executable, "-c", _FRESH.format(check=check)], capture_output=True, text=True,
                          timeout=120, check=False, cwd=Path(__file__).parent)  # nosec B603 - fixed argument list
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.integration
def test_a_contract_no_module_imported_is_found_and_an_undeclared_event_is_unknown() -> None:
    printed = _in_fresh_interpreter(
        "print(event_model('SuspensionIssued', 1).__module__)\n"
        "try:\n    event_model('NoSuchEventAnywhere', 1)\nexcept UnknownEventType as exc:\n    print(exc)")
    assert printed.splitlines() == ["ap_contracts.events.school_exclusions",
                                    "no contract for event 'NoSuchEventAnywhere' version 1"]


@pytest.mark.integration
def test_an_upcaster_is_found_before_its_contract_was_looked_up() -> None:
    printed = _in_fresh_interpreter(
        "print(UPCASTERS.has_upcaster('PlacementStarted', 1))\n"
        "print(UPCASTERS.upcast('PlacementStarted', 1, {'looked_after_by': None})[0])")
    assert printed.splitlines() == ["True", "2"]


def test_every_upcaster_is_declared_in_the_module_of_the_contract_it_reads() -> None:
    """What lets ``has_upcaster`` load only its event's contract: the step comes with it (upcasting.py)."""
    load_all()
    steps = UPCASTERS._steps  # the registry's own table: every step declared
    assert steps
    misplaced = {key: step.__module__ for key, step in steps.items() if step.__module__ != event_model(*key).__module__}
    assert misplaced == {}
