"""In a real browser (Debian's chromium, JavaScript off): the county's commissioner reads the placement register
from the real incidents service (its projection fed through Kafka), with the next review as a tag and the
attendance threshold agreed; an officer of another local authority sees no row, not even that the pupil exists.

Pages and roles covered: placement register (commissioner; another area's LA officer, empty).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Browser

from ap_testing.web import CheckPage, WebPlatform, sign_out, signed_in_page
from ap_web.pages import date_in_words

pytestmark = pytest.mark.e2e


async def test_the_commissioner_sees_reviews_due_and_another_area_sees_nothing(
    web_platform: WebPlatform, browser: Browser, check_page: CheckPage
) -> None:
    review = web_platform.day.today - timedelta(14) + timedelta(40)  # the scripted placement's planned review
    page = await signed_in_page(browser, web_platform.web_url, "commissioner-county", check_page,
                                "register-start")
    await page.get_by_role("link", name="Placement register").first.click()
    for _ in range(240):  # the register is a projection: it shows the placement once it has caught up
        if "provision-demo-north" in await page.inner_text("main"):
            break
        await page.wait_for_timeout(250)
        await page.reload()
    row = " ".join((await page.locator("table tbody tr").first.inner_text()).split())
    assert "provision-demo-north" in row, f"{row}\n{web_platform.report()}"
    assert date_in_words(review.isoformat()) in row and f"Due in {(review - web_platform.day.today).days} days" in row
    assert "90%" in row
    await check_page(page, "register-commissioner")
    await sign_out(page, "register-signed-out", check_page)

    page = await signed_in_page(browser, web_platform.web_url, "officer-elsewhere", check_page, "register-start-other")
    await page.goto(web_platform.web_url + "/commissioning/placements")
    main = await page.inner_text("main")
    assert "There are no active placements you can see." in main
    assert "provision-demo-north" not in await page.content() and web_platform.pupil_ref[:8] not in main
    await check_page(page, "register-other-area")
    await sign_out(page, "register-signed-out-other", check_page)
