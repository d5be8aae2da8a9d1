"""`make demo-web` as a newcomer meets it (e2e): started as the Makefile starts it, on the test's servers, it prints
the address and the people; a person printed signs in through the local provider and the journeys' pages answer
from the services it started (finance's budgets, the provision's pupils); Ctrl-C stops every process.

It uses the demo's fixed ports (8101-8105, 8180, 8190) and the platform's own database names, as `make demo` does:
run it where no other demo is running."""

from __future__ import annotations

import os
import re
import signal
import subprocess  # nosec B404 - starts the demo script with a fixed argv
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from ap_testing.web import signed_in_page

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]
STARTED_WITHIN_SECONDS = 300


async def no_check(_page: Page, _name: str) -> None:
    """Pages are checked with axe-core and screenshot by the journeys' own tests; here only that they answer."""


def started(demo: subprocess.Popen[str]) -> list[str]:
    """The demo's output up to its last line ("Ctrl-C stops it."), or a failure naming what it said."""
    assert demo.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + STARTED_WITHIN_SECONDS
    while time.monotonic() < deadline:
        line = demo.stdout.readline()
        if not line and demo.poll() is not None:
            break
        lines.append(line.rstrip())
        if line.startswith("Ctrl-C stops it."):
            return lines
    raise AssertionError("make demo-web did not start:\n" + "\n".join(lines[-30:]))


@pytest.fixture(scope="module")
def demo_output() -> Iterator[list[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AP_LOG_LEVEL": "WARNING"}
    demo = subprocess.Popen(  # nosec B603 - our own demo script, fixed argv
        [sys.executable, "-u", str(ROOT / "services/web/web_demo.py")], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield started(demo)
    finally:
        demo.send_signal(signal.SIGINT)  # as Ctrl-C: the demo stops its processes
        try:
            assert demo.wait(timeout=60) == 0, "Ctrl-C did not stop the demo cleanly"
        finally:
            if demo.poll() is None:
                demo.kill()


def test_the_demo_prints_the_address_and_every_person_with_organisation_and_role(demo_output: list[str]) -> None:
    from demo.personas import PERSONAS

    address = [line for line in demo_output if line.startswith("The web service: ")]
    assert address and "http://localhost:8180/" in address[0]
    printed = {line.split()[0]: line.split()[1:] for line in demo_output if line.startswith("  ")}
    for spec in PERSONAS.values():
        organisation, *roles = printed[spec.user_id]
        assert organisation == spec.organisation_id and [r.rstrip(",") for r in roles] == [r.value for r in spec.roles]


@pytest.mark.parametrize(("login", "path", "heading"), [("finance-county", "/finance", "Budgets"),
                                                         ("staff-north", "/pupils", "Your pupils")])
async def test_a_printed_person_signs_in_and_a_journey_page_answers(
        demo_output: list[str], browser: Browser, login: str, path: str, heading: str) -> None:
    address = re.search(r"http://localhost:\d+", next(line for line in demo_output if "The web service" in line))
    assert address is not None
    page = await signed_in_page(browser, address.group(0), login, no_check)
    answer = await page.goto(address.group(0) + path)
    assert answer is not None and answer.status == 200
    assert await page.inner_text("h1") == heading
    await page.context.close()
