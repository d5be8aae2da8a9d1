"""In a real browser (Debian's chromium, JavaScript off): the county's LA officer finds a panel and reads its
cases from the real commissioning service (PostgreSQL), by the link its area's panel list gives or by typing the
panel's reference: a referral awaiting a decision and an open Fair Access
case, each with its tag; a panel reference that cannot be one is shown against its field; an officer of another
local authority gets the not-found page naming nothing, as for a panel that is not there.

Pages and roles covered: find a panel, the area's panels listed as links (officer-county; an error;
officer-elsewhere sees none), panel cases (officer-county; officer-elsewhere refused, a panel not there refused).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser

from ap_testing.web import CheckPage, refused_everywhere, sign_out, signed_in_page
from ap_testing.web_w4 import PANEL, CasesWeb, cases_web_platform

pytestmark = pytest.mark.e2e


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cases_web(new_database: Callable[[str], Any]) -> AsyncIterator[CasesWeb]:
    async with cases_web_platform(new_database) as platform:
        yield platform


async def test_the_la_officer_reads_a_panels_cases_with_their_tags(
    cases_web: CasesWeb, browser: Browser, check_page: CheckPage
) -> None:
    page = await signed_in_page(browser, cases_web.web_url, "officer-county", check_page, "cases-start")
    await page.get_by_role("link", name="Panel and Fair Access cases").first.click()
    await check_page(page, "cases-find")
    listed = page.get_by_role("link", name="North Behaviour and Attendance Panel")
    assert await listed.get_attribute("href") == f"/commissioning/panels/{PANEL}"
    assert " ".join((await page.locator("table tbody tr").first.inner_text()).split()).endswith("1 1")
    await page.fill("#panel", "not a panel!")
    await page.get_by_role("button", name="Show the panel's cases").click()
    assert [await a.get_attribute("href") for a in await page.locator(".govuk-error-summary a").all()] == ["#panel"]
    await check_page(page, "cases-find-error")
    await page.fill("#panel", PANEL)
    await page.get_by_role("button", name="Show the panel's cases").click()
    assert page.url == f"{cases_web.web_url}/commissioning/panels/{PANEL}"
    await page.goto(f"{cases_web.web_url}/commissioning/panels")
    await listed.click()
    assert page.url == f"{cases_web.web_url}/commissioning/panels/{PANEL}"
    tables = page.locator("table")
    referral = " ".join((await tables.nth(0).locator("tbody tr").first.inner_text()).split())
    case = " ".join((await tables.nth(1).locator("tbody tr").first.inner_text()).split())
    assert f"Pupil {cases_web.referred[:8]}" in referral and "Awaiting decision" in referral
    assert f"Pupil {cases_web.without_place[:8]}" in case and "Open" in case
    await check_page(page, "cases-panel")
    await sign_out(page, "cases-signed-out", check_page)


async def test_another_areas_officer_is_refused_the_panel_as_if_it_were_not_there(
    cases_web: CasesWeb, browser: Browser, check_page: CheckPage
) -> None:
    page = await signed_in_page(browser, cases_web.web_url, "officer-elsewhere", check_page, "cases-start-other")
    paths = [f"/commissioning/panels/{PANEL}", "/commissioning/panels/no-such"]
    secrets = [cases_web.referred[:8], cases_web.without_place[:8], "North Behaviour"]
    await refused_everywhere(page, cases_web.web_url, paths, secrets, check_page, "cases-refused-other-area")
    await page.goto(f"{cases_web.web_url}/commissioning/panels")
    assert "No panel of your area shares its cases with you." in await page.inner_text("main")
    assert not [s for s in secrets if s in await page.content()]
    await check_page(page, "cases-find-other-area")
    await sign_out(page, "cases-signed-out-other", check_page)
