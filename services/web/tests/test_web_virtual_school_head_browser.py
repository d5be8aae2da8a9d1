"""In a real browser (Debian's chromium, JavaScript off): the virtual school head's alerts (issue 16 follow-up)
against the real incidents, notifications and reporting services, Kafka and PostgreSQL (``ap_testing.web_w2``).
axe-core runs on every page (no violations); each page is kept at desktop and mobile widths.

A child the county looks after is placed and suspended (``ap_testing.web_vsh``); the county's virtual school head
(vsh-county) finds the alert from the start page and acknowledges it. Hostile readers, each after the alert exists:
an LA officer of the same county (officer-county) and the child's home school (head-ashgrove) are not shown it,
and acknowledging it by its address, with their own valid form token, is the not-found page and changes nothing.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from ap_testing.web import CheckPage, sign_out, signed_in_page
from ap_testing.web_vsh import VSH_ALERT, suspend_looked_after_child
from ap_testing.web_w2 import W2Platform

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 60.0


async def until_alerted(page: Page, w2: W2Platform, pupil_ref: str) -> str:
    """Reload the alerts page until the row of the looked-after child's alert shows; that row's text."""
    row = page.locator("tr", has_text=VSH_ALERT).filter(has_text=pupil_ref)
    for _ in range(int(WAIT_SECONDS * 4)):
        await page.goto(f"{w2.web_url}/alerts")
        if await row.count():
            return await row.first.inner_text()
        await page.wait_for_timeout(250)
    raise AssertionError(f"the alert never showed:\n{await page.inner_text('main')}\n{w2.report()}")


async def acknowledge_by_address(page: Page, w2: W2Platform, notification_id: str) -> None:
    """A reader's forged acknowledgement (its own session's form token) answers the not-found page."""
    token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = await page.context.request.post(f"{w2.web_url}/alerts/{notification_id}/acknowledge",
                                             form={"csrf_token": str(token)}, max_redirects=0)
    text = await forged.text()
    assert forged.status == 404 and "Page not found" in text, (forged.status, text)
    assert VSH_ALERT not in text and notification_id not in text


async def not_shown(browser: Browser, w2: W2Platform, check_page: CheckPage, login: str, notification_id: str
                    ) -> None:
    page = await signed_in_page(browser, w2.web_url, login, check_page, f"{login}-start")
    await page.goto(f"{w2.web_url}/alerts")
    assert VSH_ALERT not in await page.inner_text("main")
    assert notification_id not in await page.content()
    await check_page(page, f"{login}-alerts-without-vsh")
    await acknowledge_by_address(page, w2, notification_id)
    await page.context.close()


async def test_the_virtual_school_head_alone_sees_and_acknowledges_a_looked_after_childs_suspension(
        w2: W2Platform, browser: Browser, check_page: CheckPage) -> None:
    pupil_ref = await suspend_looked_after_child(w2)
    vsh = await signed_in_page(browser, w2.web_url, "vsh-county", check_page, "vsh-start")
    await vsh.get_by_role("link", name="Alerts").first.click()
    assert "Acknowledge" in await until_alerted(vsh, w2, pupil_ref)
    await check_page(vsh, "vsh-alerts")
    action = await vsh.locator("tr", has_text=VSH_ALERT).locator("form").first.get_attribute("action")
    notification_id = str(action).split("/")[2]

    # Hostile readers, while the alert is still waiting: another officer of the county, the child's home school.
    for login in ("officer-county", "head-ashgrove"):
        await not_shown(browser, w2, check_page, login, notification_id)

    await vsh.reload()
    row = vsh.locator("tr", has_text=VSH_ALERT)
    assert "Acknowledged" not in await row.first.inner_text()  # their attempts changed nothing
    await vsh.get_by_role("button", name=f"Acknowledge the alert {VSH_ALERT}").first.click()
    assert "Alert acknowledged" in await vsh.inner_text(".govuk-notification-banner")
    assert "Acknowledged" in await row.first.inner_text()
    await check_page(vsh, "vsh-alert-acknowledged")
    await sign_out(vsh, "vsh-signed-out", check_page)
