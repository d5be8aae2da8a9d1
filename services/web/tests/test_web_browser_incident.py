"""In a real browser (Debian's chromium through Playwright): provision staff sign in through the local
OpenID Connect provider, record an incident on GOV.UK pages against the real incidents service,
Kafka and PostgreSQL, and see it in the pupil's behaviour log; a person of another provision is
refused the log by a page that names nothing. axe-core runs on every page of the service (no
violations); each page is kept as a screenshot at desktop and mobile widths in tests/artefacts/.

Pages and role covered: start, sign-in (provider's page, not ours: axe not run on it), record an
incident (empty answers; then for a pupil picked from the list: a rule refusal, valid answers), check your
answers, confirmation,
behaviour log (provision staff), not found (staff of another provision), signed out.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Browser, Page

from ap_testing.web import CheckPage, WebPlatform, sign_out, signed_in_page

pytestmark = pytest.mark.e2e


async def fill_incident(page: Page, happened_on: str) -> None:
    """The incident's answers; the pupil is the one chosen from the pupil list (no reference typed)."""
    await page.fill("#happened_on", happened_on)
    await page.fill("#happened_time", "10:15")
    await page.get_by_label("Verbal abuse to adult").check()
    await page.get_by_label("Moderate").check()
    await page.select_option("#location", "classroom")
    await page.get_by_label("Peer conflict").check()
    await page.fill("#description", "Shouted at a member of staff during maths.")


async def on_check_your_answers(page: Page) -> None:
    heading = await page.inner_text("h1")
    assert heading == "Check your answers before recording the incident", await page.inner_text("main")


async def test_staff_record_an_incident_and_see_it_in_the_behaviour_log(
        web_platform: WebPlatform, browser: Browser, check_page: CheckPage) -> None:
    service = web_platform
    yesterday = (service.day.today - timedelta(1)).isoformat()
    before_placement = (service.day.today - timedelta(30)).isoformat()
    page = await signed_in_page(browser, service.web_url, "staff-north", check_page)
    await page.get_by_role("link", name="Record an incident").first.click()
    await check_page(page, "incident-question")

    # Nothing answered: the error summary links each problem to its field.
    await page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    assert "There is a problem" in await summary.inner_text()
    hrefs = await summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["#pupil_ref", "#placement_id", "#happened_on", "#category", "#severity", "#location",
                     "#triggers", "#description"]
    assert (await page.title()).startswith("Error: ")
    await check_page(page, "incident-question-errors")

    # From the pupil list, no reference typed. A date before the placement began: the incidents service refuses
    # it by its rule; nothing stored.
    name = service.day.pupils["ashgrove"].display_name
    await page.get_by_role("link", name="Your pupils").first.click()
    await page.get_by_role("link", name=f"Record an incident for {name}").click()
    assert name in await page.inner_text("main") and not await page.locator("#pupil_ref:visible").count()
    await check_page(page, "incident-question-for-pupil")
    await fill_incident(page, before_placement)
    await page.get_by_role("button", name="Continue").click()
    await on_check_your_answers(page)
    await page.get_by_role("button", name="Record the incident").click()
    refusal = await page.locator(".govuk-error-summary").inner_text()
    assert "There is a problem" in refusal and "before the placement started" in refusal, refusal
    assert await page.locator(".govuk-error-summary a").get_attribute("href") == "#happened_on"
    await check_page(page, "incident-refused")

    # Corrected, checked and recorded.
    await fill_incident(page, yesterday)
    await page.get_by_role("button", name="Continue").click()
    await on_check_your_answers(page)
    checked = await page.inner_text("main")
    assert "Shouted at a member of staff during maths." in checked and name in checked
    await check_page(page, "incident-check")
    await page.get_by_role("button", name="Record the incident").click()
    assert "Incident recorded" in await page.inner_text(".govuk-panel")
    await check_page(page, "incident-recorded")

    # The behaviour log shows it once the projections catch up (the refused one never).
    await page.get_by_role("link", name="See the pupil's behaviour log").click()
    for _ in range(150):
        if "Incident recorded:" in await page.inner_text("main"):
            break
        await page.wait_for_timeout(200)
        await page.reload()
    main = await page.inner_text("main")
    assert main.count("Incident recorded:") == 1, f"{main}\n{service.report()}"
    await check_page(page, "behaviour-log")
    await sign_out(page, "signed-out", check_page)

    # Staff of another provision: a not-found page that names nothing of the pupil.
    page = await signed_in_page(browser, service.web_url, "staff-south", check_page)
    response = await page.goto(f"{service.web_url}/pupils/{service.pupil_ref}/behaviour-log")
    assert response is not None and response.status == 404
    body = await page.content()
    assert await page.inner_text("h1") == "Page not found"
    assert service.pupil_ref not in body and "Incident recorded" not in body
    assert "provision-demo-north" not in body
    await check_page(page, "not-found-other-provision")
    await page.context.close()
