"""In a real browser (Debian's chromium, JavaScript off): the DSL, home-school and DPO journeys of issue 16 against
the real incidents, notifications and reporting services, Kafka and PostgreSQL (``ap_testing.web_w2``). axe-core
runs on every page of the service (no violations); each page is kept at desktop and mobile widths.

Pages x roles covered: DSL (dsl-north): safeguarding pupils, a pupil's concerns, raise a concern (errors, check,
confirmation), one concern with its action recorded (error, confirmation), send a child-protection file (errors,
check, confirmation), the transfer tagged due; DSL (dsl-ashgrove): the transfer, receipt confirmed (received),
alerts; home school (head-ashgrove): pupils in AP, the weekly report (a staff incident appears once the
projections catch up; CSV downloaded and parsed), a bad week named, alerts acknowledged, break-glass (reason
required, the record, the DSL alerted); DPO (dpo-ashgrove): subject access (error, summary, JSON and HTML
downloads opened), erasure refused under a legal hold then done, the access audit filtered by pupil and date.
Refused with the one not-found page: provision staff and the home school on every safeguarding page (as for a
record that is not there), other organisations on every page and download, and a forged action on a concern.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page

from ap_testing.web import CheckPage, refused_everywhere, sign_out, signed_in_page
from ap_testing.web_w2 import W2Platform, w2_platform
from demo.personas import Persona

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 60.0
INCIDENT = "an incident at break"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def w2(new_database: Callable[[str], Any], new_topic: Callable[..., Any],
             kafka_bootstrap: str) -> AsyncIterator[W2Platform]:
    async with w2_platform(new_database, new_topic, kafka_bootstrap) as platform:
        yield platform


async def until_shown(page: Page, url: str, shown: Callable[[str], bool], w2: W2Platform) -> str:
    """Reload ``url`` until its main content satisfies ``shown`` (the projections caught up); that content."""
    for _ in range(int(WAIT_SECONDS * 4)):
        await page.goto(url)
        main = await page.inner_text("main")
        if shown(main):
            return main
        await page.wait_for_timeout(250)
    raise AssertionError(f"{url} never showed what was expected:\n{main}\n{w2.report()}")


async def summary_value(page: Page, key: str) -> str:
    return await page.locator(".govuk-summary-list__row", has_text=key).first.locator("dd").first.inner_text()


async def error_hrefs(page: Page) -> list[str]:
    summary = page.locator(".govuk-error-summary")
    assert "There is a problem" in await summary.inner_text()
    assert (await page.title()).startswith("Error: ")
    links: list[str] = await summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return links


async def download(page: Page, link: str) -> bytes:
    async with page.expect_download() as info:
        await page.get_by_role("link", name=link).click()
    path = await (await info.value).path()
    return path.read_bytes()


# ----------------------------------------------------------------------------- home school


async def test_home_school_sees_a_staff_incident_in_the_weekly_report(w2: W2Platform, browser: Browser,
                                                                      check_page: CheckPage) -> None:
    page = await signed_in_page(browser, w2.web_url, "head-ashgrove", check_page, "home-school-start")
    await page.get_by_role("link", name="Your pupils in Alternative Provision").first.click()
    await until_shown(page, f"{w2.web_url}/home-school/pupils", lambda main: "provision-demo-north" in main, w2)
    await check_page(page, "home-school-pupils")
    await page.get_by_role("link", name=f"Weekly report for pupil {w2.pupil_ref}").click()
    yesterday = (w2.day.today - timedelta(1)).isoformat()
    report = f"{w2.web_url}/home-school/weekly-report?week_of={yesterday}&pupil={w2.pupil_ref}"
    await until_shown(page, report, lambda main: "1 in the week" in main and "Engagement scores" in main, w2)
    before = int((await summary_value(page, "Incidents")).split(" ")[0])
    assert "Targets and progress" in await page.inner_text("main")
    await check_page(page, "home-school-weekly-report")

    # Provision staff record another incident through the incidents API; the report shows it once caught up.
    step = next(s for s in w2.day.steps if s.label == INCIDENT)
    recorded = await w2.api(Persona.PROVISION_STAFF, f"/v1/pupils/{w2.pupil_ref}/incidents",
                            {**step.command, "command_id": str(uuid.uuid4()), "incident_id": str(uuid.uuid4())})
    assert recorded.status_code == 201, recorded.text
    await until_shown(page, report, lambda main: f"{before + 1} in the week" in main, w2)
    rows = list(csv.DictReader(io.StringIO((await download(page, "Download the week's report (CSV)")).decode())))
    assert [int(r["incidents_total"]) for r in rows if r["pupil_ref"] == w2.pupil_ref] == [before + 1], rows

    # A week that is not a date is named against its field.
    await page.goto(f"{w2.web_url}/home-school/weekly-report?week_of=last+monday")
    assert await error_hrefs(page) == ["#week_of"]
    await check_page(page, "home-school-weekly-report-bad-week")
    await sign_out(page, "home-school-signed-out", check_page)


async def test_home_school_acknowledges_an_alert_and_sees_no_safeguarding_one(
        w2: W2Platform, browser: Browser, check_page: CheckPage) -> None:
    page = await signed_in_page(browser, w2.web_url, "staff-ashgrove", check_page, "home-staff-start")
    main = await until_shown(page, f"{w2.web_url}/alerts", lambda main: "Pupil sent home" in main, w2)
    assert "Safeguarding concern" not in main and "safeguarding" not in main.lower()
    await check_page(page, "home-school-alerts")
    await page.get_by_role("button", name="Acknowledge the alert Pupil sent home").first.click()
    assert "Alert acknowledged" in await page.inner_text(".govuk-notification-banner")
    assert "Acknowledged" in await page.locator("tr", has_text="Pupil sent home").first.inner_text()
    await check_page(page, "home-school-alert-acknowledged")
    await page.context.close()


# ----------------------------------------------------------------------------- DSL


async def raise_concern(page: Page, w2: W2Platform, check_page: CheckPage) -> None:
    await page.get_by_role("link", name="Raise a safeguarding concern").click()
    await page.get_by_role("button", name="Continue").click()
    assert await error_hrefs(page) == ["#category", "#immediate_risk", "#concern"]
    await check_page(page, "dsl-concern-question-errors")
    await page.select_option("#category", "neglect")
    await page.get_by_label("No", exact=True).check()
    await page.fill("#concern", "Hungry at breakfast club again; says there is no food at home.")
    await page.get_by_role("button", name="Continue").click()
    assert await page.inner_text("h1") == "Check your answers before recording the concern"
    await check_page(page, "dsl-concern-check")
    await page.get_by_role("button", name="Record the concern").click()
    assert "Safeguarding concern recorded" in await page.inner_text(".govuk-panel")
    await check_page(page, "dsl-concern-recorded")


async def record_action(page: Page, w2: W2Platform, check_page: CheckPage) -> None:
    await page.get_by_role("link", name="Open the concern").last.click()
    await check_page(page, "dsl-concern")
    await page.get_by_role("button", name="Record the action").click()
    assert await error_hrefs(page) == ["#action_taken"]
    await check_page(page, "dsl-concern-action-error")
    await page.fill("#action_taken", "Food parcel arranged; early help referral made.")
    await page.get_by_role("button", name="Record the action").click()
    assert "Action recorded" in await page.inner_text(".govuk-panel")
    await check_page(page, "dsl-action-recorded")
    concern_url = await page.get_by_role("link", name="See the concern").get_attribute("href")
    await until_shown(page, w2.web_url + str(concern_url), lambda main: "early help referral made" in main, w2)


async def send_file(page: Page, w2: W2Platform, check_page: CheckPage) -> str:
    await page.goto(f"{w2.web_url}/safeguarding/transfers/new")
    await page.get_by_role("button", name="Continue").click()
    assert await error_hrefs(page) == ["#pupil_ref", "#to_organisation_id"]
    await check_page(page, "dsl-transfer-question-errors")
    await page.fill("#pupil_ref", w2.pupil_ref)
    await page.fill("#to_organisation_id", "school-demo-ashgrove")
    await page.get_by_role("button", name="Continue").click()
    await check_page(page, "dsl-transfer-check")
    await page.get_by_role("button", name="Send the file").click()
    assert "Receipt due by" in await page.inner_text(".govuk-panel")
    await check_page(page, "dsl-transfer-sent")
    await page.get_by_role("link", name="Follow this transfer").click()
    assert await summary_value(page, "Status") == "Due"
    await check_page(page, "dsl-transfer-due")
    return page.url


async def test_dsl_manages_concerns_and_sends_the_file(w2: W2Platform, browser: Browser,
                                                       check_page: CheckPage) -> None:
    page = await signed_in_page(browser, w2.web_url, "dsl-north", check_page, "dsl-start")
    await page.get_by_role("link", name="Safeguarding concerns").first.click()
    await check_page(page, "dsl-pupils")
    await page.get_by_role("link", name=f"Concerns about pupil {w2.pupil_ref}").click()
    assert "Neglect" in await page.inner_text("main")  # the concern a member of staff raised
    await check_page(page, "dsl-concerns")
    await raise_concern(page, w2, check_page)
    await until_shown(page, f"{w2.web_url}/safeguarding/pupils/{w2.pupil_ref}",
                      lambda main: main.count("the concern raised") == 2, w2)
    await record_action(page, w2, check_page)
    transfer_url = await send_file(page, w2, check_page)
    await sign_out(page, "dsl-signed-out", check_page)

    receiver = await signed_in_page(browser, w2.web_url, "dsl-ashgrove", check_page, "home-dsl-start")
    await until_shown(receiver, f"{w2.web_url}/alerts", lambda main: "Child-protection file sent to you" in main, w2)
    await check_page(receiver, "home-dsl-alerts")
    await receiver.goto(transfer_url)
    await receiver.get_by_role("button", name="Confirm receipt of the file").click()
    assert await summary_value(receiver, "Status") == "Received"
    await check_page(receiver, "home-dsl-transfer-received")
    await receiver.context.close()


async def test_safeguarding_pages_are_not_found_for_staff_and_the_home_school(
        w2: W2Platform, browser: Browser, check_page: CheckPage) -> None:
    concern_record = await _a_concern_record(w2)
    made_up = str(uuid.uuid4())
    pages = [f"/safeguarding/pupils/{w2.pupil_ref}", f"/safeguarding/pupils/{w2.pupil_ref}/concerns/{concern_record}",
             f"/safeguarding/pupils/{w2.pupil_ref}/new-concern", "/safeguarding"]
    for login in ("staff-north", "head-ashgrove"):
        page = await signed_in_page(browser, w2.web_url, login, check_page, f"{login}-start")
        assert "Safeguarding concerns" not in await page.inner_text("body")  # no task, no navigation
        await refused_everywhere(page, w2.web_url, pages, [concern_record, "Neglect", "neglect"], check_page,
                                 f"{login}-safeguarding-not-found")
        # The page for a real concern is the page for one that never existed, byte for byte but the address.
        real, missing = pages[1], f"/safeguarding/pupils/{made_up}/concerns/{made_up}"
        await page.goto(w2.web_url + real)
        hidden = (await page.content()).replace(real, "PATH")
        await page.goto(w2.web_url + missing)
        assert (await page.content()).replace(missing, "PATH") == hidden, "the page hints that the record exists"
        await page.context.close()
    staff = await signed_in_page(browser, w2.web_url, "staff-north", check_page, "staff-start")
    log = await until_shown(staff, f"{w2.web_url}/pupils/{w2.pupil_ref}/behaviour-log",
                            lambda main: "Incident recorded" in main, w2)
    assert "safeguarding" not in log.lower() and "withheld" not in log.lower(), log
    await staff.context.close()


async def _safeguarding_log(w2: W2Platform) -> list[dict[str, Any]]:
    """The pupil's log with safeguarding detail, as the provision's DSL reads it from the incidents API."""
    async with httpx.AsyncClient(base_url=w2.urls["incidents"], timeout=30) as http:
        answer = await http.get(f"/v1/pupils/{w2.pupil_ref}/behaviour-log", params={"safeguarding": "true"},
                                headers={"Authorization": f"Bearer {w2.token(Persona.PROVISION_DSL)}",
                                         "X-Access-Purpose": "safeguarding"})
    entries: list[dict[str, Any]] = answer.json()["entries"]
    return entries


async def _a_concern_record(w2: W2Platform) -> str:
    entries = [e for e in await _safeguarding_log(w2) if e["event_type"] == "SafeguardingConcernRaised"]
    return str(entries[0]["record_id"])


async def forged_action_records_nothing(page: Page, w2: W2Platform) -> None:
    """An action on the pupil's concern posted from another organisation's session, with its own CSRF token: the
    page not found, naming nothing, and nothing recorded."""
    record, before = await _a_concern_record(w2), await _safeguarding_log(w2)
    token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = await page.request.post(f"{w2.web_url}/safeguarding/pupils/{w2.pupil_ref}/concerns/{record}",
                                     form={"csrf_token": token or "", "action_taken": "Forged by another setting"})
    assert forged.status == 404 and record not in await forged.text()
    assert await _safeguarding_log(w2) == before


async def test_break_glass_needs_a_reason_and_tells_the_dsl(w2: W2Platform, browser: Browser,
                                                            check_page: CheckPage) -> None:
    page = await signed_in_page(browser, w2.web_url, "head-ashgrove", check_page, "head-start")
    await page.get_by_role("link", name="Emergency access to a safeguarding record").first.click()
    await page.fill("#pupil_ref", w2.pupil_ref)
    await page.get_by_label("Immediate risk", exact=True).check()
    await page.get_by_role("button", name="Read the safeguarding record").click()
    assert await error_hrefs(page) == ["#reason"]
    await check_page(page, "break-glass-reason-required")
    await page.fill("#reason", "Pupil missing after school, DSL unreachable")
    await page.get_by_role("button", name="Read the safeguarding record").click()
    record = await page.inner_text("main")  # both concerns, the DSL's with the action it recorded since
    assert "Arrived without a coat" in record and "early help referral made" in record, record
    await check_page(page, "break-glass-record")
    await page.context.close()
    dsl = await signed_in_page(browser, w2.web_url, "dsl-north", check_page, "dsl-start-again")
    await until_shown(dsl, f"{w2.web_url}/alerts",
                      lambda main: "Safeguarding record read by emergency access" in main, w2)
    await check_page(dsl, "dsl-alerts-break-glass")
    await dsl.context.close()


# ----------------------------------------------------------------------------- DPO


async def subject_access(page: Page, w2: W2Platform, check_page: CheckPage) -> None:
    await page.get_by_role("link", name="Subject access request").first.click()
    await page.fill("#pupil_ref", "ashgrove's pupil")
    await page.get_by_role("button", name="Find the records").click()
    assert await error_hrefs(page) == ["#pupil_ref"]
    await check_page(page, "dpo-subject-access-error")
    await page.fill("#pupil_ref", w2.pupil_ref)
    await page.get_by_role("button", name="Find the records").click()
    assert "IncidentRecorded" in await page.inner_text("main")
    await check_page(page, "dpo-subject-access")
    document = json.loads(await download(page, "Download the response (JSON, machine-readable)"))
    assert document["pupil_ref"] == w2.pupil_ref and document["record_count"] == len(document["records"]) > 0
    assert "IncidentRecorded" in {record["event_type"] for record in document["records"]}
    readable = (await download(page, "Download a readable copy (HTML)")).decode()
    assert readable.lstrip().lower().startswith("<!doctype html") and w2.pupil_ref in readable


async def erase(page: Page, w2: W2Platform, pupil_ref: str, check_page: CheckPage) -> None:
    """Refused while a legal hold is in force (a GOV.UK error, nothing erased); erased once it is lifted."""
    hold = {"command_id": str(uuid.uuid4()), "hold_id": str(uuid.uuid4()), "authority_reference": "Claim CL-2026-7"}
    placed = await w2.api(Persona.HOME_DPO, f"/v1/pupils/{pupil_ref}/legal-holds", hold, purpose="legal")
    assert placed.status_code == 201, placed.text
    await page.goto(f"{w2.web_url}/dpo/pupils/{pupil_ref}/erasure")
    await page.get_by_role("button", name="Continue").click()
    assert await error_hrefs(page) == ["#reason", "#legal_basis", "#requested_by"]
    await check_page(page, "dpo-erasure-errors")
    await page.get_by_label("Erasure request upheld").check()
    await page.fill("#legal_basis", "UK GDPR Art. 17(1)(a)")
    await page.get_by_label("Parent or carer").check()
    await page.get_by_role("button", name="Continue").click()
    await check_page(page, "dpo-erasure-check")
    await page.get_by_role("button", name="Erase the personal data").click()
    assert await error_hrefs(page) == ["#reason"]
    assert "legal hold" in await page.inner_text(".govuk-error-summary")
    await check_page(page, "dpo-erasure-refused-legal-hold")
    lifted = await w2.api(Persona.HOME_DPO, f"/v1/pupils/{pupil_ref}/legal-holds/{hold['hold_id']}/lift",
                          {**hold, "command_id": str(uuid.uuid4())}, purpose="legal")
    assert lifted.status_code == 201, lifted.text
    await page.goto(f"{w2.web_url}/dpo/pupils/{pupil_ref}/erasure/check")
    await page.get_by_role("button", name="Erase the personal data").click()
    assert "Personal data erased" in await page.inner_text(".govuk-panel")
    await check_page(page, "dpo-erased")


async def test_dpo_exports_erases_and_reads_the_audit(w2: W2Platform, browser: Browser,
                                                      check_page: CheckPage) -> None:
    page = await signed_in_page(browser, w2.web_url, "dpo-ashgrove", check_page, "dpo-start")
    await subject_access(page, w2, check_page)
    second = await w2.register_another_pupil()
    await erase(page, w2, second, check_page)
    today = w2.day.today.isoformat()
    await page.goto(f"{w2.web_url}/dpo/audit?pupil_ref={second}&since={today}&until={today}")
    table = await page.inner_text("table")
    assert "privacy.erase_pupil" in table and "Refused" not in table, table
    await check_page(page, "dpo-audit-pupil")
    await page.goto(f"{w2.web_url}/dpo/audit?pupil_ref={w2.pupil_ref}&since=yesterday")
    assert await error_hrefs(page) == ["#since"]
    await check_page(page, "dpo-audit-error")
    await sign_out(page, "dpo-signed-out", check_page)


# ----------------------------------------------------------------------------- other organisations


async def test_other_organisations_are_refused_every_page_and_download(w2: W2Platform, browser: Browser,
                                                                       check_page: CheckPage) -> None:
    ref = w2.pupil_ref
    secrets_ = [ref, "provision-demo-north", "Neglect", "IncidentRecorded"]
    refused = {
        "dpo-birchfield": [f"/dpo/subject-access?pupil_ref={ref}", f"/dpo/pupils/{ref}/subject-access.json",
                           f"/dpo/pupils/{ref}/subject-access.html", f"/dpo/pupils/{ref}/erasure",
                           f"/dpo/audit?pupil_ref={ref}"],
        "staff-south": [f"/safeguarding/pupils/{ref}", "/safeguarding/transfers/new", "/safeguarding"],
    }
    for login, paths in refused.items():
        page = await signed_in_page(browser, w2.web_url, login, check_page, f"{login}-start")
        await refused_everywhere(page, w2.web_url, paths, secrets_, check_page, f"{login}-not-found")
        if login == "staff-south":
            await forged_action_records_nothing(page, w2)
        await page.context.close()
    head = await signed_in_page(browser, w2.web_url, "head-birchfield", check_page, "head-birchfield-start")
    for path in ("/home-school/pupils", f"/home-school/weekly-report?pupil={ref}", "/alerts"):
        await head.goto(w2.web_url + path)  # the reference typed in the address is all the report repeats
        main = await head.inner_text("main")
        assert f"Pupil {ref}" not in main and "provision-demo-north" not in main and "sent home" not in main, main
    await check_page(head, "head-birchfield-alerts")
    csv_body = (await (await head.context.request.get(f"{w2.web_url}/home-school/weekly-report.csv")).body()).decode()
    assert ref not in csv_body and csv_body.startswith("week_start"), csv_body
    await head.context.close()
