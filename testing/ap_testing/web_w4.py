"""Helpers of the Partnership lead's, LA officer's and Schools Forum's report pages' browser tests (issue 16):
the term a day falls in as the pages' filters name it, each report downloaded in every format through the
page's links, and each file opened (JSON and CSV parsed, the workbook read, the PDF's text extracted, the
HTML page's table found). The platform is ``ap_testing.web_w2``'s (incidents, notifications, reporting).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess  # nosec B404 - pdftotext, a fixed poppler command
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from openpyxl import load_workbook
from playwright.async_api import Page

from ap_runtime.access import TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_runtime.access.tokens import ServiceAudience
from ap_testing.processes import PlatformProcess
from ap_testing.web import start_web, stop_platform
from ap_testing.web_w2 import NewDatabase, NewTopic, W2Platform, w2_platform
from ap_testing.web_w3 import start_commissioning
from ap_web.pages import SCHOOL_CLOCK
from demo.personas import COMMISSIONER, PERSONAS, Persona, tokens_from

#: Months from September at which each term of the reporting calendar starts (the service's periods).
TERM_STARTS = (("summer", 8), ("spring", 5), ("autumn", 0))
DOWNLOAD_MS = 90_000


def filters_of(day: date) -> tuple[str, str]:
    """The academic year (``2026-27``) and the term (``autumn``) the pages' filters give for ``day``."""
    start = day.year if day.month >= 9 else day.year - 1
    months_in = (day.month - 9) % 12
    term = next(name for name, first in TERM_STARTS if months_in >= first)
    return f"{start}-{(start + 1) % 100:02d}", term


async def download_each(page: Page, formats: dict[str, str], stem: str, tmp: Path) -> dict[str, bytes]:
    """Each "Download as ..." link followed; each file saved under its suggested name ``<stem>.<format>``."""
    files: dict[str, bytes] = {}
    for fmt, words in formats.items():
        async with page.expect_download(timeout=DOWNLOAD_MS) as download_info:
            await page.get_by_role("link", name=f"Download as {words}").click()
        download = await download_info.value
        assert download.suggested_filename == f"{stem}.{fmt}", download.suggested_filename
        target = tmp / download.suggested_filename
        await download.save_as(target)
        files[fmt] = target.read_bytes()
    return files


def opened(files: dict[str, bytes], tmp: Path, stem: str) -> dict[str, Any]:
    """Every file opened and agreeing with the JSON's tables (their names and titles); the JSON report."""
    report: dict[str, Any] = json.loads(files["json"])
    names = [table["name"] for table in report["tables"]]
    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8"))))
    assert rows[0] == ["table", "unit", "row", "column", "value"], rows[:1]
    assert sorted({row[0] for row in rows[1:]}) == sorted(names)
    if "xlsx" in files:
        workbook = load_workbook(io.BytesIO(files["xlsx"]))
        assert len(workbook.sheetnames) >= 1 and workbook.worksheets[0].max_row > 1
    if "pdf" in files:
        assert files["pdf"].startswith(b"%PDF")
        text = subprocess.run(  # noqa: S603  # nosec B603, B607 - poppler's fixed pdftotext command
            ["pdftotext", str(tmp / f"{stem}.pdf"), "-"], check=True, capture_output=True, text=True).stdout  # noqa: S607
        assert report["tables"][0]["title"] in " ".join(text.split()), text[:500]
    if "html" in files:
        assert files["html"].count(b"<table") >= len(names), files["html"][:500]
    return report


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def w4(new_database: NewDatabase, new_topic: NewTopic, kafka_bootstrap: str) -> AsyncIterator[W2Platform]:
    """The incidents, notifications and reporting services with the scripted day's first pupil placed in
    the demo partnership, the OIDC provider and the web service (one per test module)."""
    async with w2_platform(new_database, new_topic, kafka_bootstrap) as platform:
        yield platform


# ---- the commissioning service with one panel's cases, for the commissioner's cases journey ------------------

PANEL = "panel-north"


async def panel_with_cases(url: str, issuer: TokenIssuer, today: date) -> tuple[str, str]:
    """The county's officer constitutes a panel, lists an outreach service, refers a child to it and opens a
    Fair Access case for another; the two children's references."""
    token_for = tokens_from(issuer, audience=ServiceAudience.COMMISSIONING)
    referred, without_place = str(uuid.uuid4()), str(uuid.uuid4())
    base = f"/v1/panels/{PANEL}"
    commands: list[tuple[str, dict[str, Any]]] = [
        ("/constitution", {"local_authority_id": COMMISSIONER, "kind": "behaviour_attendance", "area_id": PANEL,
                           "name": "North Behaviour and Attendance Panel"}),
        ("/members", {"user_id": PERSONAS[Persona.LA_OFFICER].user_id, "organisation_id": COMMISSIONER,
                      "sits_as": "coordinator"}),
        ("/continuum", {"service_id": "svc-outreach", "name": "Behaviour outreach", "phases": ["secondary"],
                        "criteria": "at risk of exclusion", "referrer_kinds": ["local_authority"],
                        "expected_wait_school_days": 10}),
        ("/referrals", {"referral_id": str(uuid.uuid4()), "pupil_ref": referred, "phase": "secondary",
                        "service_id": "svc-outreach", "referred_on": (today - timedelta(5)).isoformat()}),
        ("/fair-access-cases", {"case_id": str(uuid.uuid4()), "pupil_ref": without_place, "phase": "secondary",
                                "without_place_since": (today - timedelta(30)).isoformat(),
                                "opened_on": (today - timedelta(30)).isoformat()}),
    ]
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for suffix, body in commands:
            answer = await http.post(base + suffix, json={"command_id": str(uuid.uuid4()), **body},
                                     headers={"Authorization": f"Bearer {token_for(Persona.LA_OFFICER)}"})
            assert answer.status_code == 200, (suffix, answer.text)
    return referred, without_place


@dataclass(frozen=True)
class CasesWeb:
    web_url: str
    referred: str
    without_place: str


@asynccontextmanager
async def cases_web_platform(new_database: NewDatabase) -> AsyncIterator[CasesWeb]:
    """The commissioning service with one panel's cases, the OIDC provider and the web service."""
    pair = generate_keypair()
    logs = Path(tempfile.mkdtemp(prefix="web-w4-cases-"))
    processes: list[PlatformProcess] = []
    oidc = None
    try:
        url = await start_commissioning(processes, new_database, pair.public_pem, logs)
        referred, without_place = await panel_with_cases(url, TokenIssuer(load_private_key(pair.private_pem)),
                                                         datetime.now(SCHOOL_CLOCK).date())
        web_url, oidc = await start_web(processes, logs, pair.private_pem, await new_database("web_w4_drafts"),
                                        {"AP_WEB_COMMISSIONING_URL": url})
        yield CasesWeb(web_url, referred, without_place)
    finally:
        stop_platform(processes, oidc)
