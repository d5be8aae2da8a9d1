"""In a real browser (Debian's chromium, JavaScript off), against the real incidents and notifications services,
Kafka and PostgreSQL (``ap_testing.web_w2``): the provision's DSL sends a child-protection file; the receiving
school's DSL follows the alert's link straight to the transfer's page and finds it in the list of its transfers
(issue 16: before, only the transfer's address reached it); the sender lists it as sent. The school's head and
the provision's staff get the not-found page for the list.

Pages and roles covered: transfers list (dsl-north sent; dsl-ashgrove received; head-ashgrove and staff-north
refused), alerts with the transfer link (dsl-ashgrove).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser

from ap_testing.web import CheckPage, refused_everywhere, sign_out, signed_in_page
from ap_testing.web_w2 import W2Platform, w2_platform

from .test_web_dsl_home_school_dpo_browser import send_file, until_shown

pytestmark = pytest.mark.e2e


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def w2(new_database: Callable[[str], Any], new_topic: Callable[..., Any],
             kafka_bootstrap: str) -> AsyncIterator[W2Platform]:
    async with w2_platform(new_database, new_topic, kafka_bootstrap) as platform:
        yield platform


async def test_the_receiving_dsl_reaches_the_transfer_from_its_alert_and_its_list(
    w2: W2Platform, browser: Browser, check_page: CheckPage
) -> None:
    page = await signed_in_page(browser, w2.web_url, "dsl-north", check_page, "transfers-sender-start")
    transfer_url = await send_file(page, w2, check_page)
    transfer_path = transfer_url.removeprefix(w2.web_url)
    await page.get_by_role("link", name="Child-protection file transfers").first.click()
    row = " ".join((await page.locator("table tbody tr").first.inner_text()).split())
    assert f"Pupil {w2.pupil_ref[:8]}" in row and "Sent" in row and "Due" in row, row
    await check_page(page, "transfers-sent")
    await sign_out(page, "transfers-sender-signed-out", check_page)

    receiver = await signed_in_page(browser, w2.web_url, "dsl-ashgrove", check_page, "transfers-receiver-start")
    await until_shown(receiver, f"{w2.web_url}/alerts", lambda main: "Child-protection file sent to you" in main, w2)
    alert = receiver.get_by_role("link", name="Child-protection file sent to you").first
    assert await alert.get_attribute("href") == transfer_path
    await check_page(receiver, "transfers-alert-linked")
    await alert.click()
    assert receiver.url == transfer_url
    await receiver.goto(f"{w2.web_url}/safeguarding/transfers")
    row = " ".join((await receiver.locator("table tbody tr").first.inner_text()).split())
    assert "Received" in row and "Due" in row, row
    assert await receiver.locator("table tbody a").first.get_attribute("href") == transfer_path
    await check_page(receiver, "transfers-received")
    await sign_out(receiver, "transfers-receiver-signed-out", check_page)

    for login in ("head-ashgrove", "staff-north"):
        other = await signed_in_page(browser, w2.web_url, login, check_page, f"transfers-{login}-start")
        await refused_everywhere(other, w2.web_url, ["/safeguarding/transfers"], [w2.pupil_ref[:8]], check_page,
                                 f"transfers-{login}-refused")
        await sign_out(other, f"transfers-{login}-signed-out", check_page)
