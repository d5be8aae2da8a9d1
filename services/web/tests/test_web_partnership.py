"""In a real browser (Debian's chromium, JavaScript off): the Partnership lead's termly report, the LA officer's
annual report and strategy data, and the Schools Forum's strategy data and panel tables, read from the real
reporting service (its projections fed through Kafka from the incidents service, PostgreSQL) via
``ap_testing.web_w2``'s platform. axe-core runs on every page (no violations); each page is kept at desktop and
mobile widths.

Pages x roles covered: termly partnership report (lead-np-north: default term, the scripted placement's term
once the projections show it suppressed as ``c``, a chart, five downloads opened, a year not offered shown
against its field; its annual report to stakeholders linked from it, five downloads opened, the PDF's Budget
Summary); annual report (officer-county: five downloads opened); exclusion strategy data
(officer-county: a range ending before it starts shown against its field, five downloads opened;
forum-county: a five-year range the service refuses (report.year_range_limit) shown against its field);
Schools Forum panel tables (forum-county: bands chosen, CSV and JSON downloads opened). Refused with the
not-found page naming nothing: the Schools Forum the partnership's termly and annual reports and the LA's
annual report, and the Partnership lead the LA's and the Forum's reports and another partnership's annual
report, each page and each download.
"""

from __future__ import annotations

import json
import subprocess  # nosec B404 - poppler's pdftotext on a file this test downloaded
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from ap_testing.web import CheckPage, refused_everywhere, sign_out, signed_in_page
from ap_testing.web_w2 import W2Platform
from ap_testing.web_w4 import download_each, filters_of, opened, w4
from ap_web.journeys.partnership_reports import FORMATS, FORUM_FORMATS, years_offered

pytestmark = pytest.mark.e2e

__all__ = ["w4"]  # the module's platform fixture, used by name below
WAIT_SECONDS = 90
PARTNERSHIP = "np-demo-north"


async def errors_shown(page: Page) -> list[str]:
    """The error summary's links, each to a field the page has."""
    links = page.locator(".govuk-error-summary a")
    hrefs = [str(await links.nth(i).get_attribute("href")) for i in range(await links.count())]
    for href in hrefs:
        assert await page.locator(href).count() == 1, href
    return hrefs


async def until_suppressed_count(page: Page, w4: W2Platform) -> None:
    """Reload until a table shows a count withheld (``c``): the scripted pupil's placement reached the report."""
    for _ in range(WAIT_SECONDS * 2):
        cells = [text.strip() for text in await page.locator("table td").all_inner_texts()]
        if "c" in cells:
            return
        await page.wait_for_timeout(500)
        await page.reload()
    raise AssertionError(f"no suppressed count shown\n{await page.inner_text('main')}\n{w4.report()}")


async def test_the_partnership_lead_reads_its_termly_report_with_a_chart_and_every_download(
    w4: W2Platform, browser: Browser, check_page: CheckPage, tmp_path: Path
) -> None:
    page = await signed_in_page(browser, w4.web_url, "lead-np-north", check_page, "partnership-start")
    await page.get_by_role("link", name="Termly partnership report").first.click()
    assert page.url.startswith(f"{w4.web_url}/reports/partnership/{PARTNERSHIP}")
    await check_page(page, "partnership-report-default")
    year, term = filters_of(w4.day.today - timedelta(14))  # the scripted placement started a fortnight ago
    await page.select_option("#year", year)
    await page.select_option("#term", term)
    await page.get_by_role("button", name="Show the report").click()
    assert f"year={year}" in page.url and f"term={term}" in page.url
    await until_suppressed_count(page, w4)
    first_title = (await page.locator("table caption").first.inner_text()).split(" (")[0]
    chart = page.locator(".app-chart")
    assert first_title in str(await chart.text_content())
    first_cells = await page.locator("table").first.locator("tbody td").all_inner_texts()
    if {text.strip() for text in first_cells} == {"c"}:  # every figure withheld: no empty plot, said in words
        assert await chart.locator("svg").count() == 0
        assert "All figures in this chart are suppressed" in str(await chart.text_content())
    else:
        assert await chart.locator("svg[role=img]").count() == 1
    await check_page(page, "partnership-report-term")
    stem = f"partnership-report-{year}-{term}"
    report = opened(await download_each(page, FORMATS, stem, tmp_path), tmp_path, stem)
    assert report["partnership_id"] == PARTNERSHIP and report["tables"][0]["title"] == first_title
    assert "c" in {value for table in report["tables"] for row in table["cells"] for value in row} | {
        value for table in report["tables"] for value in table["row_totals"]}

    await the_annual_report_and_its_downloads(page, check_page, tmp_path)

    await page.goto(f"{w4.web_url}/reports/partnership/{PARTNERSHIP}?year=1999-00&term={term}")
    assert await errors_shown(page) == ["#year"]
    assert await page.locator("table").count() == 0
    await check_page(page, "partnership-report-year-not-offered")
    await sign_out(page, "partnership-signed-out", check_page)


def _pdf_text(path: Path) -> str:
    return " ".join(subprocess.run(  # nosec B603, B607 - poppler's fixed pdftotext command
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout.split())


async def the_annual_report_and_its_downloads(page: Page, check_page: CheckPage, tmp_path: Path) -> None:
    """The termly page's link to the annual report to stakeholders (issue 15, seed 001 appendix 3): its page and
    every download, the PDF with the title and its Budget Summary section."""
    await page.get_by_role("link", name="Partnership annual report to stakeholders").first.click()
    assert f"/reports/partnership/{PARTNERSHIP}/annual" in page.url
    await check_page(page, "partnership-annual-report")
    latest = years_offered()[0]
    stem = f"partnership-annual-report-{latest}"
    files = await download_each(page, FORMATS, stem, tmp_path)
    report = json.loads(files["json"])
    assert report["figures"]["partnership_id"] == PARTNERSHIP
    assert report["figures"]["academic_year"] == latest.replace("-", "/")
    assert files["pdf"].startswith(b"%PDF") and files["xlsx"].startswith(b"PK")
    text = _pdf_text(tmp_path / f"{stem}.pdf")
    assert "report to stakeholders" in text and "Budget Summary" in text, text[:500]
    assert files["csv"].startswith(b"table,unit,row,column,value") and b"<table" in files["html"]


async def test_the_la_officer_reads_the_annual_report_and_the_strategy_data(
    w4: W2Platform, browser: Browser, check_page: CheckPage, tmp_path: Path
) -> None:
    page = await signed_in_page(browser, w4.web_url, "officer-county", check_page, "annual-start")
    await page.get_by_role("link", name="Annual report").first.click()
    await check_page(page, "annual-report")
    latest, earlier = years_offered()[0], years_offered()[1]
    opened(await download_each(page, FORMATS, f"annual-report-{latest}", tmp_path), tmp_path,
           f"annual-report-{latest}")

    await page.get_by_role("link", name="Exclusion strategy data").first.click()
    await page.select_option("#from_year", latest)
    await page.select_option("#to_year", earlier)
    await page.get_by_role("button", name="Show the report").click()
    assert await errors_shown(page) == ["#to_year"]
    assert await page.locator("table").count() == 0
    await check_page(page, "strategy-range-backwards")
    await page.select_option("#from_year", earlier)
    await page.select_option("#to_year", latest)
    await page.get_by_role("button", name="Show the report").click()
    assert await page.locator("table").count() >= 1 and await errors_shown(page) == []
    await check_page(page, "strategy-data")
    stem = f"exclusion-strategy-{earlier}-to-{latest}"
    report = opened(await download_each(page, FORMATS, stem, tmp_path), tmp_path, stem)
    assert report["academic_years"] == [earlier.replace("-", "/"), latest.replace("-", "/")]
    await sign_out(page, "annual-signed-out", check_page)


async def test_the_schools_forum_reads_the_strategy_data_and_its_panel_tables(
    w4: W2Platform, browser: Browser, check_page: CheckPage, tmp_path: Path
) -> None:
    page = await signed_in_page(browser, w4.web_url, "forum-county", check_page, "forum-start")
    years = years_offered()
    await page.get_by_role("link", name="Exclusion strategy data").first.click()
    await page.select_option("#from_year", years[-1])
    await page.select_option("#to_year", years[0])
    await page.get_by_role("button", name="Show the report").click()
    assert len(await errors_shown(page)) == 1  # five years: the service's report.year_range_limit
    assert await page.locator("table").count() == 0
    await check_page(page, "strategy-range-too-long")

    await page.get_by_role("link", name="Schools Forum panel tables").first.click()
    await page.select_option("#bands", "exclusive")
    await page.get_by_role("button", name="Show the report").click()
    assert "bands=exclusive" in page.url and await page.locator("table").count() >= 1
    await check_page(page, "schools-forum-tables")
    stem = f"schools-forum-{years[0]}-to-{years[0]}-exclusive"
    report = opened(await download_each(page, FORUM_FORMATS, stem, tmp_path), tmp_path, stem)
    assert report["cumulative_bands"] is False
    await sign_out(page, "forum-signed-out", check_page)


def _downloads(path: str, query: str, formats: dict[str, str]) -> list[str]:
    return [path] + [f"{path}/download?{query}&format={fmt}" for fmt in formats]


async def test_other_organisations_are_refused_each_report_page_and_download(
    w4: W2Platform, browser: Browser, check_page: CheckPage
) -> None:
    year = years_offered()[0]
    ranged = f"from_year={year}&to_year={year}"
    secrets = [PARTNERSHIP, w4.pupil_ref[:8]]
    page = await signed_in_page(browser, w4.web_url, "forum-county", check_page, "refused-forum-start")
    await refused_everywhere(page, w4.web_url, [
        *_downloads(f"/reports/partnership/{PARTNERSHIP}", f"year={year}&term=autumn", FORMATS),
        *_downloads("/reports/annual", f"year={year}", FORMATS),
        *_downloads(f"/reports/partnership/{PARTNERSHIP}/annual", f"year={year}", FORMATS)], secrets, check_page,
        "refused-forum")
    await sign_out(page, "refused-forum-signed-out", check_page)

    page = await signed_in_page(browser, w4.web_url, "lead-np-north", check_page, "refused-lead-start")
    await refused_everywhere(page, w4.web_url, [
        *_downloads("/reports/annual", f"year={year}", FORMATS),
        *_downloads("/reports/strategy", ranged, FORMATS),
        *_downloads("/reports/schools-forum", f"{ranged}&bands=cumulative", FORUM_FORMATS),
        *_downloads("/reports/partnership/np-demo-south", f"year={year}&term=autumn", FORMATS),
        *_downloads("/reports/partnership/np-demo-south/annual", f"year={year}", FORMATS)],
        [w4.pupil_ref[:8], "np-demo-south"], check_page, "refused-lead")
    await sign_out(page, "refused-lead-signed-out", check_page)
