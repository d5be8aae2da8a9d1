"""In a real browser (Debian's chromium, JavaScript off): the commissioner moderates a provider's self-audit
against the real commissioning service and PostgreSQL, signed in through the local OIDC provider.

The county asked provision-demo-north for its 2025-26 self-audit and the provision's manager rated two statements
(``ap_testing.web_w3``). The county's commissioner finds the audit, sees each statement's rating as a tag, tries
to moderate without a reason (refused against the field), changes Amber to Red with a reason, checks and records
it; the audit then shows Red standing, with the reason. Before that, while the audit is open, the commissioner
changes its due date (a GOV.UK date input: nothing typed, then a past day, refused in GOV.UK's words against the
field; then a day ahead with a reason); the link is gone once a rating is moderated. The Partnership's lead
(not the audit's commissioner) is refused the audit, the moderation and due-date pages by a page naming nothing,
and a forged moderation or due date from that session records nothing.

Pages and roles covered: change due date (empty, past day, valid), check the new due date, due date changed;
self-audits, self-audit, moderate (empty reason, valid), check your moderation,
moderation recorded (commissioner; the self-audits and the audit show its due date as a tag, issue 16 follow-up);
not found (a Partnership lead of the same area).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser

from ap_testing.web import CheckPage, refused_everywhere, sign_out, signed_in_page
from ap_testing.web_w3 import (
    AUDIT_YEAR,
    AUDITED_PROVISION,
    CommissionerWeb,
    commissioner_web_platform,
    errors_linked,
)
from ap_web.journeys.commissioner import due_status
from ap_web.pages import SCHOOL_CLOCK
from demo.personas import COMMISSIONER

pytestmark = pytest.mark.e2e

AUDIT = f"/commissioning/self-audits/{AUDITED_PROVISION}/{COMMISSIONER}/{AUDIT_YEAR}"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def commissioner_web(new_database: Callable[[str], Any]) -> AsyncIterator[CommissionerWeb]:
    async with commissioner_web_platform(new_database) as platform:
        yield platform


async def test_the_commissioner_changes_the_due_date_of_an_open_self_audit(
    commissioner_web: CommissionerWeb, browser: Browser, check_page: CheckPage
) -> None:
    """Runs before the moderation below: a moderated audit's due date no longer moves."""
    web_url = commissioner_web.web_url
    page = await signed_in_page(browser, web_url, "commissioner-county", check_page, "commissioner-start-due")
    await page.goto(web_url + AUDIT)
    await page.get_by_role("link", name="Change due date of this self-audit").click()
    await check_page(page, "commissioner-due-date")
    await page.get_by_role("button", name="Continue").click()
    assert await errors_linked(page) == ["#due_on-day", "#reason"]
    assert "Enter the date the self-audit is due" in await page.inner_text("main")
    await check_page(page, "commissioner-due-date-errors")
    today = datetime.now(SCHOOL_CLOCK).date()
    for part, value in (("day", today.day), ("month", today.month), ("year", today.year - 1)):
        await page.fill(f"#due_on-{part}", str(value))
    await page.fill("#reason", "The provider's new manager starts next month")
    await page.get_by_role("button", name="Continue").click()
    assert await errors_linked(page) == ["#due_on-day"]
    assert "Date the self-audit is due must be today or in the future" in await page.inner_text("main")
    moved = today + timedelta(days=30)
    for part, value in (("day", moved.day), ("month", moved.month), ("year", moved.year)):
        await page.fill(f"#due_on-{part}", str(value))
    await page.get_by_role("button", name="Continue").click()
    assert await page.inner_text("h1") == "Check the new due date"
    await check_page(page, "commissioner-due-date-check")
    await page.get_by_role("button", name="Change the due date").click()
    assert f"now due on {moved.day} {moved:%B %Y}" in await page.inner_text(".govuk-panel")
    await check_page(page, "commissioner-due-date-changed")
    assert (await commissioner_web.audit())["due_on"] == moved.isoformat()
    await page.get_by_role("link", name="Back to the self-audit").click()
    assert await page.locator("main .govuk-tag").first.inner_text() == due_status(
        {"due_on": moved.isoformat()}, today)[0]
    await sign_out(page, "commissioner-signed-out-due", check_page)


async def test_the_commissioner_moderates_a_self_audit_rating_with_a_reason(
    commissioner_web: CommissionerWeb, browser: Browser, check_page: CheckPage
) -> None:
    web_url = commissioner_web.web_url
    page = await signed_in_page(browser, web_url, "commissioner-county", check_page, "commissioner-start")
    await page.get_by_role("link", name="Provider self-audits").first.click()
    assert "2 of 20" in await page.inner_text("main")
    # Issue 16 follow-up: the audit's due date (as the test above moved it) as a tag against today.
    assert await page.locator("table tbody tr .govuk-tag").first.inner_text() == due_status(
        {"due_on": (await commissioner_web.audit())["due_on"]}, datetime.now(SCHOOL_CLOCK).date())[0]
    await check_page(page, "commissioner-self-audits")
    await page.click(f"a[href='{AUDIT}']")
    rows = await page.locator("table tbody tr").all_inner_texts()
    assert sum("Amber" in row for row in rows) == 1 and sum("Not rated" in row for row in rows) == 18
    await check_page(page, "commissioner-self-audit")
    await page.get_by_role("link", name="Moderate statement behaviour-01").click()
    assert await page.get_by_role("radio", name="Amber").is_checked()  # the provider's rating, to agree with
    await check_page(page, "commissioner-moderate")
    await page.get_by_role("button", name="Continue").click()
    assert await errors_linked(page) == ["#reason"]
    await check_page(page, "commissioner-moderate-errors")
    await page.get_by_role("radio", name="Red").check()
    await page.fill("#reason", "Logs are kept but never analysed: none seen at the visit")
    await page.get_by_role("button", name="Continue").click()
    assert await page.inner_text("h1") == "Check your moderation"
    assert "Red (changed)" in await page.inner_text("main")
    await check_page(page, "commissioner-moderate-check")
    await page.get_by_role("button", name="Record the moderation").click()
    assert "The rating stands at Red" in await page.inner_text(".govuk-panel")
    await check_page(page, "commissioner-moderated")
    await page.get_by_role("link", name="Back to the self-audit").click()
    first = await page.locator("table tbody tr").first.inner_text()
    assert "Red" in first and "none seen at the visit" in first, first
    assert "1 moderated" in await page.inner_text("main")
    assert await page.get_by_role("link", name="Change due date of this self-audit").count() == 0
    first_statement = (await commissioner_web.audit())["statements"][0]
    assert (first_statement["moderated_rating"], first_statement["moderated_by"]) == ("red", "commissioner-county")
    await check_page(page, "commissioner-self-audit-moderated")
    await sign_out(page, "commissioner-signed-out", check_page)


async def test_a_partnership_lead_not_the_audit_s_commissioner_is_refused_and_forges_nothing(
    commissioner_web: CommissionerWeb, browser: Browser, check_page: CheckPage
) -> None:
    web_url = commissioner_web.web_url
    page = await signed_in_page(browser, web_url, "lead-np-north", check_page, "commissioner-start-partnership")
    await page.goto(web_url + "/commissioning/self-audits")
    assert "There are no self-audits you can see" in await page.inner_text("main")
    paths = [AUDIT, f"{AUDIT}/behaviour-01/moderate", f"{AUDIT}/behaviour-01/moderate/check", f"{AUDIT}/x y/moderate",
             f"{AUDIT}/due-date", f"{AUDIT}/due-date/check"]
    await refused_everywhere(page, web_url, paths, [AUDITED_PROVISION, "never analysed", "Behaviour logs kept"],
                             check_page, "commissioner-not-found-partnership")
    before = await commissioner_web.audit()
    token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = await page.request.post(f"{web_url}{AUDIT}/behaviour-02/moderate",
                                     form={"csrf_token": token or "", "moderated_rating": "red", "reason": "forged"})
    assert forged.status == 404 and AUDITED_PROVISION not in await forged.text()
    forged_due = await page.request.post(f"{web_url}{AUDIT}/due-date", form={
        "csrf_token": token or "", "due_on-day": "1", "due_on-month": "6", "due_on-year": "2027", "reason": "forged"})
    assert forged_due.status == 404 and AUDITED_PROVISION not in await forged_due.text()
    assert await commissioner_web.audit() == before
    await sign_out(page, "commissioner-signed-out-partnership", check_page)
