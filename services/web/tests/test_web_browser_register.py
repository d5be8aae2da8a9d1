"""In a real browser (Debian's chromium through Playwright, JavaScript off), against the real incidents service,
Kafka and PostgreSQL (issue 16): today's register shows the marks already recorded, pre-filled with who recorded
them; a re-mark is a correction the service accepts from the provision's manager and refuses from its staff, the
reason shown on the row while the mark held stays; a recorded engagement score is amended with a reason from the
pupil's behaviour log, a score off the scale refused against its question first. Staff of another provision see
none of it: not the pupil on their register, the not-found page for the amendment pages, forged posts change
nothing. axe-core runs on every page (no violations); screenshots at desktop and mobile widths in tests/artefacts/.

Pages and roles covered: provision staff (`staff-north`): today's register (empty, saved, pre-filled, a correction
refused on its row); behaviour log with the amend link; amend a score (errors, check, refusal, done). Provision
manager (`pm-north`): the register pre-filled, a mark corrected, the register showing the correction. Staff of
another provision (`staff-south`): the register without the pupil, the amendment pages not found.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from playwright.async_api import Browser, Page

from ap_testing.web import CheckPage, WebPlatform, refused_everywhere, signed_in_page
from demo.personas import Persona, tokens_from

pytestmark = pytest.mark.e2e

SAVE = "Save the register"


async def error_hrefs(page: Page) -> list[str]:
    hrefs: list[str] = await page.locator(".govuk-error-summary a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    return hrefs


async def shown_once_projected(page: Page, address: str, words: str) -> None:
    """The page at ``address`` reloaded until it shows ``words`` (the read models catch up), for at most 30 s."""
    await page.goto(address)
    for _ in range(150):
        if words in await page.inner_text("main"):
            return
        await page.wait_for_timeout(200)
        await page.reload()


async def marked_today(service: WebPlatform, check_page: CheckPage, page: Page, name: str) -> tuple[str, str]:
    """Staff mark both sessions; the register then shows them pre-filled with who recorded them."""
    am, pm = f"#am-{service.placement_id}", f"#pm-{service.placement_id}"
    await page.goto(service.web_url + "/register")
    assert await page.input_value(am) == "" and await page.input_value(pm) == ""
    await check_page(page, "register-before")
    await page.select_option(am, "/")
    await page.select_option(pm, "\\")
    await page.get_by_role("button", name=SAVE).click()
    saved = await page.inner_text("main")
    assert f"{name}, morning" in saved and "/ (recorded)" in saved and "\\ (recorded)" in saved, saved
    await page.goto(service.web_url + "/register")
    assert (await page.input_value(am), await page.input_value(pm)) == ("/", "\\")
    main = await page.inner_text("main")
    assert main.count("Recorded by staff-north") == 2, main
    await check_page(page, "register-prefilled")
    return am, pm


async def staff_cannot_correct(service: WebPlatform, check_page: CheckPage, page: Page, name: str, pm: str) -> None:
    await page.select_option(pm, "O")
    await page.get_by_role("button", name=SAVE).click()
    summary = await page.inner_text(".govuk-error-summary")
    assert f"{name}, afternoon: already marked \\" in summary and "manager" in summary, summary
    assert await error_hrefs(page) == [pm]
    await check_page(page, "register-correction-refused")
    await page.goto(service.web_url + "/register")
    assert await page.input_value(pm) == "\\"  # the mark held stays


async def the_manager_corrects(service: WebPlatform, browser_page: Page, check_page: CheckPage, pm: str) -> None:
    page = browser_page
    await page.goto(service.web_url + "/register")
    assert await page.input_value(pm) == "\\"
    await page.select_option(pm, "O")
    await page.get_by_role("button", name=SAVE).click()
    saved = await page.inner_text("main")
    assert "O (corrected)" in saved and "/ (already recorded)" in saved, saved
    await check_page(page, "register-corrected")
    await page.go_back()
    await page.get_by_role("button", name=SAVE).click()  # sent again: nothing corrected twice
    assert "O (already recorded)" in await page.inner_text("main")
    await page.goto(service.web_url + "/register")
    assert await page.input_value(pm) == "O"
    assert "corrected by pm-north" in await page.inner_text("main")
    await check_page(page, "register-after-correction")


async def score_recorded(service: WebPlatform) -> None:
    """Yesterday morning's score, 4, recorded through the incidents API as the provision's staff."""
    assert service.issuer is not None
    token = tokens_from(service.issuer)(Persona.PROVISION_STAFF)
    command_id = uuid.uuid4()
    async with httpx.AsyncClient(base_url=service.incidents_url, timeout=30) as http:
        answer = await http.post(f"/v1/pupils/{service.pupil_ref}/engagement-scores", headers={
            "Authorization": f"Bearer {token}"}, json={
            "command_id": str(command_id), "placement_id": service.placement_id,
            "scored_on": (service.day.today - timedelta(1)).isoformat(), "session": "AM", "score": 4,
            "keyworker": "staff-north"})
    assert answer.status_code == 201, answer.text


async def amend_the_score(service: WebPlatform, check_page: CheckPage, page: Page) -> None:
    await shown_once_projected(page, f"{service.web_url}/pupils/{service.pupil_ref}/behaviour-log", "Amend the score")
    await check_page(page, "behaviour-log-amend-link")
    await page.get_by_role("link", name="Amend the score").first.click()
    assert await page.inner_text("h1") == "Amend an engagement score"
    await page.get_by_role("button", name="Continue").click()
    assert await error_hrefs(page) == ["#score_record_id", "#score", "#reason", "#explanation"]
    await check_page(page, "score-amend-errors")
    await page.get_by_label("Score 4, morning of").check()
    await page.fill("#score", "9")
    await page.get_by_label("Wrong value").check()
    await page.fill("#explanation", "Scored on the old ten-point scale by mistake.")
    await page.get_by_role("button", name="Continue").click()
    assert await page.inner_text("h1") == "Check your answers"
    await check_page(page, "score-amend-check")
    await page.get_by_role("button", name="Amend the score").click()
    assert await error_hrefs(page) == ["#score"], await page.inner_text("main")  # off the scale: refused
    await check_page(page, "score-amend-refused")
    await page.fill("#score", "5")
    await page.get_by_role("button", name="Continue").click()
    await page.get_by_role("button", name="Amend the score").click()
    assert "Engagement score amended" in await page.inner_text(".govuk-panel")
    await check_page(page, "score-amend-done")
    await shown_once_projected(page, f"{service.web_url}/pupils/{service.pupil_ref}/behaviour-log",
                               "Engagement score amended: score 5")
    assert "Engagement score amended: score 5, reason wrong_value" in await page.inner_text("main")
    await page.goto(f"{service.web_url}/pupils/{service.pupil_ref}/record/engagement-score-amendment")
    assert await page.get_by_label("Score 5, morning of").count() == 1


async def another_provision_sees_none_of_it(browser_page: Page, service: WebPlatform, check_page: CheckPage,
                                            name: str) -> None:
    page = browser_page
    await page.goto(service.web_url + "/register")
    assert name not in await page.inner_text("main")
    await check_page(page, "other-register")
    base = f"/pupils/{service.pupil_ref}/record/engagement-score-amendment"
    await refused_everywhere(page, service.web_url, [base, base + "/check"], [service.pupil_ref, name],
                             check_page, "other-score-amend-not-found")
    await page.goto(service.web_url + "/register")
    token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    forged = await page.context.request.post(f"{service.web_url}{base}", form={
        "csrf_token": token, "score": "0", "reason": "wrong_value", "explanation": "forged"})
    assert forged.status == 404 and name not in await forged.text()
    forged = await page.context.request.post(f"{service.web_url}/register",
                                             form={"csrf_token": token, f"pm-{service.placement_id}": "X"})
    assert forged.status == 422 and name not in await forged.text()


async def test_the_register_shows_todays_marks_and_scores_are_amended(
        web_platform: WebPlatform, browser: Browser, check_page: CheckPage) -> None:
    service = web_platform
    name = service.day.pupils["ashgrove"].display_name
    staff = await signed_in_page(browser, service.web_url, "staff-north", check_page, "register-staff-start")
    _am, pm = await marked_today(service, check_page, staff, name)
    await staff_cannot_correct(service, check_page, staff, name, pm)

    manager = await signed_in_page(browser, service.web_url, "pm-north", check_page, "register-manager-start")
    await the_manager_corrects(service, manager, check_page, pm)
    await manager.context.close()

    await score_recorded(service)
    await amend_the_score(service, check_page, staff)
    await staff.context.close()

    other = await signed_in_page(browser, service.web_url, "staff-south", check_page, "register-other-start")
    await another_provision_sees_none_of_it(other, service, check_page, name)
    await other.context.close()

    # What the service holds for the day: the afternoon corrected once, the morning as first recorded.
    assert service.issuer is not None
    token = tokens_from(service.issuer)(Persona.PROVISION_STAFF)
    async with httpx.AsyncClient(base_url=service.incidents_url, timeout=30) as http:
        log = await http.get(f"/v1/pupils/{service.pupil_ref}/behaviour-log",
                             headers={"Authorization": f"Bearer {token}"})
    types = [entry["event_type"] for entry in log.json()["entries"]]
    assert types.count("AttendanceRecorded") == 2 and types.count("RecordAmended") == 1, types
    assert types.count("EngagementScoreAmended") == 1, types
