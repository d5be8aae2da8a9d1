"""In a real browser (Debian's chromium through Playwright): provision staff sign in through the local
OpenID Connect provider, record an incident on GOV.UK pages against the real incidents service,
Kafka and PostgreSQL, and see it in the pupil's behaviour log; a person of another provision is
refused the log by a page that names nothing. axe-core runs on every page of the service (no
violations); each page is kept as a screenshot at desktop and mobile widths in tests/artefacts/.

Pages and role covered: start, sign-in (provider's page, not ours: axe not run on it), record an
incident (empty answers, a rule refusal, valid answers), check your answers, confirmation,
behaviour log (provision staff), not found (staff of another provision), signed out.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess  # nosec B404 - starts the local OIDC provider with a fixed argv
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from ap_runtime.access import TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import PlatformProcess as Process
from ap_testing.processes import free_port, incidents_process_env, processes_report, wait_for_platform
from demo.personas import tokens_from
from demo.runner import send_http
from demo.scripted_day import ScriptedDay, scripted_day

pytestmark = pytest.mark.e2e

WEB = Path(__file__).resolve().parents[1]
ROOT = WEB.parents[1]
ARTEFACTS = WEB / "tests" / "artefacts"
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDTHS = {"desktop": (1280, 900), "mobile": (375, 740)}
PLACEMENT_STARTED = "the commissioner starts the placement"


@dataclass
class Service:
    web_url: str
    day: ScriptedDay
    pupil_ref: str
    placement_id: str
    processes: list[Process]

    def report(self) -> str:
        return processes_report(self.processes)


async def _place_a_pupil(http: httpx.AsyncClient, day: ScriptedDay) -> tuple[str, str]:
    """The scripted day's steps up to ashgrove's placement, sent over HTTP (organisations, staff, referral)."""
    for step in day.steps:
        result = await send_http(http, step)
        assert result.as_expected, (step.label, result.http_status, result.body)
        if step.label == PLACEMENT_STARTED:
            return str(step.pupil_ref), str(step.command["placement_id"])
    raise AssertionError("the scripted day has no placement start")


def start_oidc_provider(logs: Path, port: int, client_secret: str, redirect_uri: str) -> subprocess.Popen[bytes]:
    """The local OIDC provider (deploy/local/oidc-provider.mjs) with the demo people, its output in logs/."""
    people = logs / "people.json"
    people.write_text(subprocess.run([str(ROOT / "deploy/local/oidc.sh"), "people"], check=True,
                                     capture_output=True, text=True).stdout)
    with (logs / "oidc.log").open("wb") as output:
        return subprocess.Popen(  # nosec B603 - our own provider script
            ["node", str(ROOT / "deploy/local/oidc-provider.mjs")], stdout=output, stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin", "AP_OIDC_PORT": str(port), "AP_OIDC_PEOPLE": str(people),
                 "AP_OIDC_CLIENT_SECRET": client_secret, "AP_OIDC_REDIRECT_URIS": redirect_uri})


@pytest_asyncio.fixture(loop_scope="session")
async def service(new_database: Callable[[str], Any], new_topic: Callable[..., Any],
                  kafka_bootstrap: str) -> AsyncIterator[Service]:
    dsns = {name: await new_database(f"web_{name}") for name in ("events", "audit", "keys")}
    topics = {name: await new_topic(f"web-{name}") for name in ("events", "commands", "results")}
    _ring, raw_keys = random_ring("mk-web")
    pair = generate_keypair()
    api_port, web_port, oidc_port = free_port(), free_port(), free_port()
    env = incidents_process_env(dsns, topics, master_keys=master_keys_env(raw_keys, "mk-web"),
                                token_public_pem=pair.public_pem, bootstrap=kafka_bootstrap, port=api_port)
    logs = Path(tempfile.mkdtemp(prefix="web-browser-"))
    client_secret = secrets.token_urlsafe(24)
    oidc = start_oidc_provider(logs, oidc_port, client_secret, f"http://localhost:{web_port}/auth/callback")
    web_env = {"AP_WEB_OIDC_ISSUER": f"http://localhost:{oidc_port}", "AP_WEB_OIDC_CLIENT_SECRET": client_secret,
               "AP_WEB_INCIDENTS_URL": f"http://127.0.0.1:{api_port}", "AP_TOKEN_PRIVATE_KEY": pair.private_pem}
    processes = [Process("api", ["-m", "ap_incidents.entrypoints.api"], env, logs)]
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{api_port}", timeout=30)
    try:
        async def api_ready() -> bool:
            return (await http.get("/readyz")).status_code == 200

        await wait_for_platform(api_ready, "the incidents API", processes)
        processes += [
            Process("relay", ["-m", "ap_runtime.relay", "--service", "incidents", "--dsn", dsns["events"],
                              "--topic", topics["events"]], env, logs),
            Process("projections", ["-m", "ap_incidents.entrypoints.projections"], env, logs),
            Process("web", ["-m", "ap_web", str(web_port)], web_env, logs),
        ]
        day = scripted_day(tokens_from(TokenIssuer(load_private_key(pair.private_pem))))
        pupil_ref, placement_id = await _place_a_pupil(http, day)

        async def web_and_provider_ready() -> bool:
            async with httpx.AsyncClient(timeout=5) as probe:
                provider = await probe.get(f"http://localhost:{oidc_port}/.well-known/openid-configuration")
                web = await probe.get(f"http://localhost:{web_port}/")
            return provider.status_code == 200 and web.status_code == 200

        await wait_for_platform(web_and_provider_ready, "the web service and the OIDC provider", processes)
        yield Service(f"http://localhost:{web_port}", day, pupil_ref, placement_id, processes)
    finally:
        await http.aclose()
        for process in reversed(processes):
            process.stop()
        oidc.terminate()
        oidc.wait(10)


class Checker:
    """axe-core on each page the script-free browser shows, and its screenshots.

    The journey runs with JavaScript off (every journey must work without it), so axe cannot run in
    that page: the exact HTML it shows is served again, at the same address, to a second browser
    context with scripts on (the styles load from the service itself), and axe runs there."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser

    async def check(self, page: Page, name: str) -> None:
        """axe-core finds no WCAG 2.2 A/AA violation; the page is kept at desktop and mobile widths."""
        html = await page.content()
        context = await self._browser.new_context()
        try:
            axe_page = await context.new_page()
            address = page.url.split("#")[0]
            await axe_page.route(address, lambda route: route.fulfill(body=html, content_type="text/html"))
            await axe_page.goto(address)
            await axe_page.add_script_tag(path=str(AXE))
            result = await axe_page.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})""")
        finally:
            await context.close()
        violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
        assert violations == [], f"{name}: {json.dumps(violations, indent=1)}"
        ARTEFACTS.mkdir(exist_ok=True)
        for width_name, (width, height) in WIDTHS.items():
            await page.set_viewport_size({"width": width, "height": height})
            await page.screenshot(path=str(ARTEFACTS / f"{name}-{width_name}.png"), full_page=True)
        await page.set_viewport_size({"width": WIDTHS["desktop"][0], "height": WIDTHS["desktop"][1]})


async def sign_in(page: Page, service: Service, login: str, check_page: Callable[[Page, str], Any]) -> None:
    await page.goto(service.web_url + "/")
    await check_page(page, "start")
    await page.get_by_role("button", name="Sign in").click()
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", "local development only")
    await page.click("button[type=submit]")
    await page.wait_for_url(service.web_url + "/")
    assert f"Signed in as {login}" in await page.inner_text("body")


async def sign_out(page: Page, name: str, check_page: Callable[[Page, str], Any]) -> None:
    await page.get_by_role("button", name="Sign out").click()
    assert await page.inner_text("h1") == "You have signed out"
    await check_page(page, name)


async def fill_incident(page: Page, service: Service, happened_on: str) -> None:
    await page.fill("#pupil_ref", service.pupil_ref)
    await page.fill("#placement_id", service.placement_id)
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


async def test_staff_record_an_incident_and_see_it_in_the_behaviour_log(service: Service) -> None:
    yesterday = (service.day.today - timedelta(1)).isoformat()
    before_placement = (service.day.today - timedelta(30)).isoformat()
    async with async_playwright() as playwright:
        browser: Browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        check_page = Checker(browser).check
        try:
            # Every journey works without JavaScript: the browser runs none of the service's scripts.
            context = await browser.new_context(java_script_enabled=False)
            page = await context.new_page()
            await sign_in(page, service, "staff-north", check_page)
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

            # A date before the placement began: the incidents service refuses it by its rule; nothing stored.
            await fill_incident(page, service, before_placement)
            await page.get_by_role("button", name="Continue").click()
            await on_check_your_answers(page)
            await page.get_by_role("button", name="Record the incident").click()
            refusal = await page.locator(".govuk-error-summary").inner_text()
            assert "There is a problem" in refusal and "before the placement started" in refusal, refusal
            assert await page.locator(".govuk-error-summary a").get_attribute("href") == "#happened_on"
            await check_page(page, "incident-refused")

            # Corrected, checked and recorded.
            await fill_incident(page, service, yesterday)
            await page.get_by_role("button", name="Continue").click()
            await on_check_your_answers(page)
            assert "Shouted at a member of staff during maths." in await page.inner_text("main")
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
            await context.close()

            # Staff of another provision: a not-found page that names nothing of the pupil.
            context = await browser.new_context(java_script_enabled=False)
            page = await context.new_page()
            await sign_in(page, service, "staff-south", check_page)
            response = await page.goto(f"{service.web_url}/pupils/{service.pupil_ref}/behaviour-log")
            assert response is not None and response.status == 404
            body = await page.content()
            assert await page.inner_text("h1") == "Page not found"
            assert service.pupil_ref not in body and "Incident recorded" not in body
            assert "provision-demo-north" not in body
            await check_page(page, "not-found-other-provision")
            await context.close()
        finally:
            await browser.close()
