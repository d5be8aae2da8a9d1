"""In a real browser (Debian's chromium, JavaScript off): the home school head permanently excludes the scripted
day's pupil through the real incidents service; the county's LA officer sees it on the exclusions awaiting
decision page with the governing board's due date (as the service counts it) as a tag and no name; an officer of
another local authority sees no exclusion and no reference, and is refused the board's decision page; the school's
head is refused the officers' page (not found), records the board's decision on its own question page (refused
first against the field when the parents were not told of the independent review, nothing recorded), and the
exclusion then leaves the officer's list once the projection catches up.

Pages and roles covered: exclusions awaiting decision (officer-county, listed then gone; officer-elsewhere, empty;
head-ashgrove refused); the governing board's decision (head-ashgrove: question, error, confirmation;
officer-elsewhere refused).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime

import httpx
import pytest
from playwright.async_api import Browser, Page

from ap_testing.web import CheckPage, WebPlatform, refused_everywhere, sign_out, signed_in_page
from ap_web.journeys.commissioner_exclusions import due_tag
from ap_web.journeys.home_school_exclusions import PATH as DECISION_PAGE
from ap_web.pages import SCHOOL_CLOCK
from demo.personas import PERSONAS, Persona, tokens_from

pytestmark = pytest.mark.e2e


async def _listed(http: httpx.AsyncClient, token: str, pupil_ref: str, present: bool) -> list[dict[str, object]]:
    """The area's rows of the pupil, once the exclusions-for-board projection shows it ``present`` (or not)."""
    area = PERSONAS[Persona.LA_OFFICER].organisation_id
    for _ in range(300):
        listed = await http.get(f"/v1/local-authorities/{area}/exclusions-awaiting-decision",
                                headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200, listed.text
        rows = [r for r in listed.json()["exclusions"] if r["pupil_ref"] == pupil_ref]
        if bool(rows) == present:
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f"the exclusion of {pupil_ref} did not {'appear' if present else 'leave'} in 30 s")


async def _exclude(platform: WebPlatform) -> dict[str, object]:
    """The head excludes the pupil today; the row as the service lists it, once the projection has it."""
    assert platform.issuer is not None
    token_for = tokens_from(platform.issuer)
    today = datetime.now(SCHOOL_CLOCK).date().isoformat()
    body = {"command_id": str(uuid.uuid4()), "decided_on": today, "effective_from": today, "primary_reason": "PA",
            "parents_informed": True, "account": "Assaulted a member of staff"}
    async with httpx.AsyncClient(base_url=platform.incidents_url, timeout=30) as http:
        issued = await http.post(f"/v1/pupils/{platform.pupil_ref}/permanent-exclusions", json=body,
                                 headers={"Authorization": f"Bearer {token_for(Persona.HOME_HEAD)}"})
        assert issued.status_code == 201, issued.text
        [row] = await _listed(http, token_for(Persona.LA_OFFICER), platform.pupil_ref, present=True)
    return row


async def _record_upheld(page: Page, web_url: str, row: dict[str, object], check_page: CheckPage) -> None:
    """The head's question page: refused against the field without the parents told, then recorded."""
    await page.goto(f"{web_url}{DECISION_PAGE}?pupil={row['pupil_ref']}&exclusion={row['record_id']}")
    await check_page(page, "board-decision-question")
    await page.get_by_label("The board upheld the exclusion").check()
    await page.get_by_label("The day the board met").fill(date.fromisoformat(str(row["decided_on"])).isoformat())
    await page.get_by_role("button", name="Record the decision").click()
    assert "Confirm the parents were told of their right to an independent review" in await page.inner_text("main")
    await check_page(page, "board-decision-error")
    await page.get_by_label("The parents were told of the decision").check()
    await page.get_by_role("button", name="Record the decision").click()
    assert await page.inner_text("h1") == "Governing board's decision recorded", await page.inner_text("main")
    await check_page(page, "board-decision-done")


async def test_the_officer_sees_the_exclusion_with_its_due_date_and_others_do_not(
    web_platform: WebPlatform, browser: Browser, check_page: CheckPage
) -> None:
    row = await _exclude(web_platform)
    due = row["board_due_by"]
    short = web_platform.pupil_ref[:8]
    page = await signed_in_page(browser, web_platform.web_url, "officer-county", check_page, "exclusions-start")
    await page.get_by_role("link", name="Exclusions awaiting decision").first.click()
    shown = " ".join((await page.locator("table tbody tr").first.inner_text()).split())
    tag = due_tag(due, datetime.now(SCHOOL_CLOCK).date())[0]
    assert f"Pupil {short}" in shown and "Permanent exclusion" in shown and tag in shown, shown
    assert "Test Pupil" not in await page.content()
    await check_page(page, "exclusions-officer")
    await sign_out(page, "exclusions-signed-out", check_page)

    page = await signed_in_page(browser, web_platform.web_url, "officer-elsewhere", check_page,
                                "exclusions-start-other")
    await page.goto(web_platform.web_url + "/commissioning/exclusions")
    assert "No exclusion in your area's schools is awaiting the governing board." in await page.inner_text("main")
    assert short not in await page.content()
    await check_page(page, "exclusions-other-area")
    await refused_everywhere(page, web_platform.web_url, [DECISION_PAGE], [short], check_page,
                             "board-decision-refused-other")
    await sign_out(page, "exclusions-signed-out-other", check_page)

    page = await signed_in_page(browser, web_platform.web_url, "head-ashgrove", check_page, "exclusions-start-head")
    await refused_everywhere(page, web_platform.web_url, ["/commissioning/exclusions"], [short], check_page,
                             "exclusions-refused-head")
    await _record_upheld(page, web_platform.web_url, row, check_page)
    await sign_out(page, "exclusions-signed-out-head", check_page)
    await _gone_for_the_officer(web_platform, browser, check_page)


async def _gone_for_the_officer(platform: WebPlatform, browser: Browser, check_page: CheckPage) -> None:
    """Once the projection has the board's decision, the county officer's list no longer shows the pupil."""
    assert platform.issuer is not None
    async with httpx.AsyncClient(base_url=platform.incidents_url, timeout=30) as http:
        await _listed(http, tokens_from(platform.issuer)(Persona.LA_OFFICER), platform.pupil_ref, present=False)
    page = await signed_in_page(browser, platform.web_url, "officer-county", check_page, "exclusions-start-2")
    await page.goto(platform.web_url + "/commissioning/exclusions")
    assert platform.pupil_ref[:8] not in await page.content()
    await check_page(page, "exclusions-officer-decided")
    await sign_out(page, "exclusions-signed-out-2", check_page)
