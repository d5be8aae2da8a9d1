"""In a real browser (Debian's chromium, JavaScript off): the home school head permanently excludes the scripted
day's pupil through the real incidents service; the county's LA officer sees it on the exclusions awaiting
decision page with the governing board's due date (as the service counts it) as a tag and no name; an officer of
another local authority sees no exclusion and no reference; the school's head is refused the page (not found).

Pages and roles covered: exclusions awaiting decision (officer-county; officer-elsewhere, empty; head-ashgrove
refused).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
import pytest
from playwright.async_api import Browser

from ap_testing.web import CheckPage, WebPlatform, refused_everywhere, sign_out, signed_in_page
from ap_web.journeys.commissioner_exclusions import due_tag
from ap_web.pages import SCHOOL_CLOCK
from demo.personas import PERSONAS, Persona, tokens_from

pytestmark = pytest.mark.e2e


async def _exclude(platform: WebPlatform) -> str | None:
    """The head excludes the pupil today; the board's due day as the service counts it."""
    assert platform.issuer is not None
    token_for = tokens_from(platform.issuer)
    today = datetime.now(SCHOOL_CLOCK).date().isoformat()
    body = {"command_id": str(uuid.uuid4()), "decided_on": today, "effective_from": today, "primary_reason": "PA",
            "parents_informed": True, "account": "Assaulted a member of staff"}
    async with httpx.AsyncClient(base_url=platform.incidents_url, timeout=30) as http:
        issued = await http.post(f"/v1/pupils/{platform.pupil_ref}/permanent-exclusions", json=body,
                                 headers={"Authorization": f"Bearer {token_for(Persona.HOME_HEAD)}"})
        assert issued.status_code == 201, issued.text
        area = PERSONAS[Persona.LA_OFFICER].organisation_id
        listed = await http.get(f"/v1/local-authorities/{area}/exclusions-awaiting-decision",
                                headers={"Authorization": f"Bearer {token_for(Persona.LA_OFFICER)}"})
        assert listed.status_code == 200, listed.text
    [row] = [r for r in listed.json()["exclusions"] if r["pupil_ref"] == platform.pupil_ref]
    due: str | None = row["board_due_by"]
    return due


async def test_the_officer_sees_the_exclusion_with_its_due_date_and_others_do_not(
    web_platform: WebPlatform, browser: Browser, check_page: CheckPage
) -> None:
    due = await _exclude(web_platform)
    short = web_platform.pupil_ref[:8]
    page = await signed_in_page(browser, web_platform.web_url, "officer-county", check_page, "exclusions-start")
    await page.get_by_role("link", name="Exclusions awaiting decision").first.click()
    row = " ".join((await page.locator("table tbody tr").first.inner_text()).split())
    tag = due_tag(due, datetime.now(SCHOOL_CLOCK).date())[0]
    assert f"Pupil {short}" in row and "Permanent exclusion" in row and tag in row, row
    assert "Test Pupil" not in await page.content()
    await check_page(page, "exclusions-officer")
    await sign_out(page, "exclusions-signed-out", check_page)

    page = await signed_in_page(browser, web_platform.web_url, "officer-elsewhere", check_page,
                                "exclusions-start-other")
    await page.goto(web_platform.web_url + "/commissioning/exclusions")
    assert "No exclusion in your area's schools is awaiting the governing board." in await page.inner_text("main")
    assert short not in await page.content()
    await check_page(page, "exclusions-other-area")
    await sign_out(page, "exclusions-signed-out-other", check_page)

    page = await signed_in_page(browser, web_platform.web_url, "head-ashgrove", check_page, "exclusions-start-head")
    await refused_everywhere(page, web_platform.web_url, ["/commissioning/exclusions"], [short], check_page,
                             "exclusions-refused-head")
    await sign_out(page, "exclusions-signed-out-head", check_page)
