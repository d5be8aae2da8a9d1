"""In a real browser (Debian's chromium, JavaScript off): the finance journeys against the real finance service
(its API, relay and projections), Kafka and PostgreSQL, signed in through the local OIDC provider.

The budget is part-way through the scripted year (``ap_testing.web_w3``). The host school's finance officer reads
spend against budget (a chart and its table), signs the £35,000 item and is refused a second signature of it,
is refused a virement past its line, moves budget, requests a virement that needs approval and is refused
approving it (the requester), and downloads the quarterly return in every format finance offers (each file
opened). The Partnership's lead gives the second signature (the spend appears against its line) and approves
the virement. The LA's finance officer closes the year (the surplus appears once the ledger projection catches
up). The Partnership's lead shares part of the surplus, seeing each school's share before confirming; the
recorded shares are those shown. A finance officer of another host school is refused every page and download by
a page naming nothing, and a forged signature, approval or close from its session changes nothing.

Pages and roles covered: budgets, spend against budget, items awaiting signatures, sign (and its refusal),
signed, virements (and the approval refusal), move budget (empty, refused, valid), check, done, approved,
quarterly return (5 downloads), year end, close the year (empty, valid), share the surplus, check the shares,
surplus shared; host school finance, Partnership lead, LA finance officer; not found (another host school).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess  # nosec B404 - pdftotext, a fixed poppler command
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from openpyxl import load_workbook
from playwright.async_api import Browser, Page

from ap_testing.web import CheckPage, refused_everywhere, sign_out, signed_in_page
from ap_testing.web_w3 import CAST, YEAR, FinanceWeb, errors_linked, finance_web_platform, until_shown
from ap_web.journeys.finance_forms import pounds

pytestmark = pytest.mark.e2e

BUDGET = f"/finance/{CAST.provision_id}/{YEAR}"
FORMATS = {"csv": "CSV", "xlsx": "Excel (.xlsx)", "pdf": "PDF", "html": "Web page (HTML)", "json": "JSON"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def finance_web(new_database: Callable[[str], Any], new_topic: Callable[..., Any],
                      kafka_bootstrap: str) -> AsyncIterator[FinanceWeb]:
    async with finance_web_platform(new_database, new_topic, kafka_bootstrap) as platform:
        yield platform


async def read_budget_page(page: Page, web: FinanceWeb, check_page: CheckPage) -> None:
    await page.get_by_role("link", name="Budgets").first.click()
    await check_page(page, "finance-budgets")
    await page.click(f"a[href='{BUDGET}']")
    assert await page.inner_text("h1") == "Spend against budget"
    chart_title = await page.locator("figure svg[role=img] #chart-title").text_content()
    assert chart_title == "Spend against budget by category (pounds)"
    lines = (await web.finance.read("/lines"))["items"]
    rows = await page.locator("table tbody tr").all_inner_texts()
    for line in lines:  # the table (the chart's text alternative) carries every line's figures
        assert any(pounds(line["spent_pence"]) in row and pounds(line["revised_pence"]) in row for row in rows), line
    await check_page(page, "finance-budget")


async def sign(page: Page, supplier: str) -> None:
    await page.get_by_role("link", name="Items awaiting signatures").first.click()
    await page.get_by_role("link", name=re.compile(f"^Sign {supplier}")).click()
    await page.get_by_role("button", name="Sign the item").click()


async def host_signs_once_only(page: Page, web: FinanceWeb, check_page: CheckPage) -> None:
    await page.get_by_role("link", name="Items awaiting signatures").first.click()
    assert "£35,000.00" in await page.inner_text("main")
    await check_page(page, "finance-items")
    await page.get_by_role("link", name=re.compile("^Sign Family support worker agency")).click()
    await check_page(page, "finance-sign")
    await page.get_by_role("button", name="Sign the item").click()
    assert "Item signed" in await page.inner_text(".govuk-panel")
    assert "waits for the other organisation's signature" in await page.inner_text("main")
    await check_page(page, "finance-signed")
    # The same person again: the service refuses (signature.different_people); shown at the button; nothing stored.
    await sign(page, "Family support worker agency")
    assert await errors_linked(page) == ["#signature"]
    assert "has already signed this item" in await page.inner_text(".govuk-error-summary")
    await check_page(page, "finance-sign-refused")
    items = (await web.finance.read("/items"))["items"]
    item = next(i for i in items if i["item_id"] == web.finance.item_id)
    assert [s["user_id"] for s in item["signatures_given"]] == ["finance-host"]


async def move_budget(page: Page, from_: str, to: str, source: str, amount: str) -> None:
    await page.select_option("#from_category", from_)
    await page.select_option("#to_category", to)
    await page.check(f"input[name=funding_source][value={source}]")
    await page.fill("#amount", amount)
    await page.fill("#reason", "More staff to be trained in de-escalation than planned")
    await page.get_by_role("button", name="Continue").click()
    assert await page.inner_text("h1") == "Check your answers before moving the budget"


async def host_moves_budget(page: Page, web: FinanceWeb, check_page: CheckPage) -> None:
    await page.get_by_role("link", name="Back to the items awaiting signatures").click()
    await page.get_by_role("link", name="Virements").first.click()
    await check_page(page, "finance-virements-none")
    await page.get_by_role("button", name="Move budget between lines").click()
    await page.get_by_role("button", name="Continue").click()
    assert await errors_linked(page) == ["#from_category", "#to_category", "#funding_source", "#amount", "#reason"]
    await check_page(page, "finance-virement-errors")
    # More than the contingency line holds: refused by the service against the amount; nothing recorded.
    await move_budget(page, "contingency", "training_cpd", "dsg_allocation", "20,000")
    await check_page(page, "finance-virement-check")
    await page.get_by_role("button", name="Move the budget").click()
    assert await errors_linked(page) == ["#amount"]
    assert "out of contingency" in await page.inner_text(".govuk-error-summary")
    await check_page(page, "finance-virement-refused")
    assert (await web.finance.read("/virements"))["items"] == []
    await move_budget(page, "contingency", "training_cpd", "dsg_allocation", "3000")
    await page.get_by_role("button", name="Move the budget").click()
    assert await page.inner_text(".govuk-panel__title") == "Budget moved"
    await check_page(page, "finance-virement-made")
    # Leaving resources (top-up) below its £3,000 commitment: only requested, for another person's approval.
    await page.get_by_role("link", name="See the virements").click()
    await page.get_by_role("button", name="Move budget between lines").click()
    await move_budget(page, "resources", "premises", "top_up", "13000")
    await page.get_by_role("button", name="Move the budget").click()
    assert await page.inner_text(".govuk-panel__title") == "Virement requested"
    await page.get_by_role("link", name="See the virements").click()
    await page.get_by_role("button", name=re.compile("^Approve")).click()
    assert len(await errors_linked(page)) == 1
    await check_page(page, "finance-virement-approval-refused")


async def downloads_every_format(page: Page, web: FinanceWeb, check_page: CheckPage, tmp: Path) -> None:
    ledger = await web.finance.ledger()  # the return is read from the ledger projection: wait for it
    await page.get_by_role("link", name="Quarterly return").first.click()
    await check_page(page, "finance-quarterly-return")
    for fmt, words in FORMATS.items():
        async with page.expect_download(timeout=90_000) as download_info:
            await page.get_by_role("link", name=f"Download quarter 1 as {words}").click()
        download = await download_info.value
        await download.save_as(tmp / f"q1.{fmt}")
        assert download.suggested_filename == f"quarterly-return-{CAST.provision_id}-{YEAR}-q1.{fmt}"
    opened_files(tmp, ledger)


def opened_files(tmp: Path, ledger: dict[str, Any]) -> None:
    """Each downloaded format opened: JSON and CSV parsed, the workbook read, the PDF's text extracted."""
    files = {fmt: (tmp / f"q1.{fmt}").read_bytes() for fmt in FORMATS}
    report = json.loads(files["json"])
    assert (report["header"]["provision_id"], report["quarter"]) == (CAST.provision_id, 1)
    assert report["total"]["budget_pence"] == ledger["total"]["budget_pence"]
    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8"))))
    staffing = next(c for c in report["categories"] if c["line"] == "staffing")
    assert ["line", "measure", "value"] == rows[0][1:4]
    assert [r[3] for r in rows if r[:3] == ["categories", "staffing", "budget"]] == [str(staffing["budget_pence"])]
    workbook = load_workbook(io.BytesIO(files["xlsx"]))
    assert workbook.active is not None and workbook.active.max_row > 5
    assert files["pdf"].startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(tmp / "q1.pdf"), "-"], check=True,  # nosec B603, B607 - poppler text extractor
                          capture_output=True, text=True).stdout
    assert "Quarterly" in text and pounds(ledger["total"]["budget_pence"]) in text
    assert b"<html" in files["html"] and CAST.provision_id.encode() in files["html"]


async def test_finance_people_sign_move_budget_download_close_and_share(
    finance_web: FinanceWeb, browser: Browser, check_page: CheckPage, tmp_path: Path
) -> None:
    web = finance_web
    page = await signed_in_page(browser, web.web_url, "finance-host", check_page, "finance-start")
    await read_budget_page(page, web, check_page)
    await host_signs_once_only(page, web, check_page)
    await host_moves_budget(page, web, check_page)
    await downloads_every_format(page, web, check_page, tmp_path)
    await sign_out(page, "finance-signed-out", check_page)

    page = await signed_in_page(browser, web.web_url, "lead-np-north", check_page, "finance-start-partnership")
    await page.goto(web.web_url + BUDGET)
    staffing_before = next(r for r in (await web.finance.read("/lines"))["items"]
                           if (r["category"], r["funding_source"]) == ("staffing", "dsg_allocation"))
    await sign(page, "Family support worker agency")
    assert "Both signatures are given" in await page.inner_text("main")
    await check_page(page, "finance-signed-both")
    await page.get_by_role("link", name="See spend against budget").click()
    assert pounds(staffing_before["spent_pence"] + 3_500_000) in await page.inner_text("main")
    await page.get_by_role("link", name="Virements").first.click()
    await page.get_by_role("button", name=re.compile("^Approve")).click()
    assert await page.inner_text(".govuk-panel__title") == "Virement approved"
    await check_page(page, "finance-virement-approved")
    await page.get_by_role("link", name="See the virements").click()
    assert "Awaiting approval" not in await page.inner_text("main")
    await check_page(page, "finance-virements")
    await sign_out(page, "finance-signed-out-partnership", check_page)

    await close_the_year(web, browser, check_page)
    await share_the_surplus(web, browser, check_page)


async def close_the_year(web: FinanceWeb, browser: Browser, check_page: CheckPage) -> None:
    page = await signed_in_page(browser, web.web_url, "finance-county", check_page, "finance-start-la")
    await page.goto(web.web_url + BUDGET + "/year-end")
    await check_page(page, "finance-year-end-open")
    await page.get_by_role("button", name="Close the year").click()
    await page.get_by_role("button", name="Close the year").click()
    assert await errors_linked(page) == ["#closed_on"]
    await check_page(page, "finance-close-errors")
    await page.fill("#closed_on", "2026-04-10")
    await page.check("#confirmed")
    await page.get_by_role("button", name="Close the year").click()
    text = await until_shown(page, "The year closed on 10 April 2026", web)
    surplus = (await web.finance.ledger())["surplus"]
    assert surplus is not None and surplus["surplus_pence"] > 1_000_000
    assert pounds(surplus["surplus_pence"]) in text
    await check_page(page, "finance-year-end-closed")
    await sign_out(page, "finance-signed-out-la", check_page)


async def share_the_surplus(web: FinanceWeb, browser: Browser, check_page: CheckPage) -> None:
    page = await signed_in_page(browser, web.web_url, "lead-np-north", check_page, "finance-start-partnership-2")
    await page.goto(web.web_url + BUDGET + "/year-end")
    await page.get_by_role("button", name="Share the surplus between schools").click()
    await check_page(page, "finance-share-question")
    await page.get_by_role("radio", name="Equal shares").check()
    await page.fill("#amount", "10,000")
    for row, school in enumerate(("school-demo-a", "school-demo-b", "school-demo-c"), start=1):
        await page.fill(f"#school_{row}_id", school)
    await page.get_by_role("button", name="Continue").click()
    assert await page.inner_text("h1") == "Check each school's share before confirming"
    shown = await page.locator("table tbody tr").all_inner_texts()
    assert [" ".join(row.split()) for row in shown] == ["school-demo-a £3,333.34", "school-demo-b £3,333.33",
                                                       "school-demo-c £3,333.33"]
    await check_page(page, "finance-share-check")
    await page.get_by_role("button", name="Confirm the shares").click()
    assert await page.inner_text(".govuk-panel__title") == "Surplus shared"
    recorded = await page.locator("table tbody tr").all_inner_texts()
    assert [" ".join(row.split()) for row in recorded] == [" ".join(row.split()) for row in shown]
    await check_page(page, "finance-share-done")
    allocations = (await web.finance.read("/allocations"))["items"]
    assert [(s["school_id"], s["amount_pence"]) for s in allocations[0]["shares"]] == [
        ("school-demo-a", 333_334), ("school-demo-b", 333_333), ("school-demo-c", 333_333)]
    await page.get_by_role("link", name="Back to the year end").click()
    await until_shown(page, "Shared between schools £10,000.00", web)
    await check_page(page, "finance-year-end-shared")
    await sign_out(page, "finance-signed-out-partnership-2", check_page)


async def test_another_host_school_is_refused_every_finance_page_and_download(
    finance_web: FinanceWeb, browser: Browser, check_page: CheckPage
) -> None:
    web = finance_web
    page = await signed_in_page(browser, web.web_url, "finance-host-south", check_page, "finance-start-south")
    await page.goto(web.web_url + "/finance")
    assert "There are no budgets you can see" in await page.inner_text("main")
    item = web.finance.item_id
    paths = [BUDGET, f"{BUDGET}/items", f"{BUDGET}/items/{item}/sign", f"{BUDGET}/virements",
             f"{BUDGET}/virements/new", f"{BUDGET}/year-end", f"{BUDGET}/year-end/close", f"{BUDGET}/year-end/surplus",
             f"{BUDGET}/quarterly-return", *(f"{BUDGET}/quarterly-return/q1.{fmt}" for fmt in FORMATS)]
    await refused_everywhere(page, web.web_url, paths, [CAST.provision_id, CAST.partnership_id, "Family support"],
                             check_page, "finance-not-found-other-host")
    # A forged signature from this person's own session (a real CSRF token): not found, nothing recorded.
    await page.goto(web.web_url + "/finance")
    token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    before = (await web.finance.read("/items"))["items"]
    forged = await page.request.post(f"{web.web_url}{BUDGET}/items/{item}/sign",
                                     form={"csrf_token": token or "", "command_id": "not-a-uuid"})
    assert forged.status == 404 and CAST.provision_id not in await forged.text()
    assert (await web.finance.read("/items"))["items"] == before
    # So are a forged approval of its virement and a forged close of its year: not found, nothing recorded.
    virements = (await web.finance.read("/virements"))["items"]
    virement = virements[0]["virement_id"] if virements else str(uuid.uuid4())
    for path, fields in ((f"{BUDGET}/virements/{virement}/approve", {"command_id": str(uuid.uuid4())}),
                         (f"{BUDGET}/year-end/close", {"closed_on": "2026-04-10", "confirmed": "yes"})):
        forged = await page.request.post(web.web_url + path, form={"csrf_token": token or "", **fields})
        assert forged.status == 404 and CAST.provision_id not in await forged.text(), path
    assert (await web.finance.read("/virements"))["items"] == virements
    await sign_out(page, "finance-signed-out-south", check_page)

