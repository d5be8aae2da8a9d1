"""Shared helpers and fixtures of the web service's browser tests (every role's; services/web/tests/conftest.py
exposes the fixtures to its test modules): the platform behind the web service, the
local OpenID Connect provider with the demo people, Debian's chromium through Playwright, and ``check_page``
(axe-core on the page, no WCAG 2.2 A/AA violation; screenshots at desktop and mobile widths in tests/artefacts/).

``web_platform`` (module-scoped: one platform per test module) starts the incidents API, its relay and
projections on the test's own databases and topics, places ashgrove (the scripted day's first pupil) at
provision-demo-north, and starts the OIDC provider and the web service. A module needing more services
starts them with ``ap_testing.processes`` and passes their URLs to ``start_web`` (``extra_env``).
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess  # nosec B404 - starts the local OIDC provider with a fixed argv
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
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

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "services" / "web"
ARTEFACTS = WEB / "tests" / "artefacts"
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NODE = shutil.which("node") or "/usr/bin/node"
WIDTHS = {"desktop": (1280, 900), "mobile": (375, 740)}
PLACEMENT_STARTED = "the commissioner starts the placement"
PASSWORD = "local development only"  # noqa: S105  # nosec B105 - the local provider accepts any password

CheckPage = Callable[[Page, str], Awaitable[None]]


@dataclass
class WebPlatform:
    web_url: str
    day: ScriptedDay
    pupil_ref: str
    placement_id: str
    processes: list[Process]
    incidents_url: str = ""
    issuer: TokenIssuer | None = None
    logs: Path = field(default_factory=Path)

    def report(self) -> str:
        return processes_report(self.processes)


async def place_first_pupil(http: httpx.AsyncClient, day: ScriptedDay) -> tuple[str, str]:
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
    people.write_text(subprocess.run(  # noqa: S603  # nosec B603 - our own provider script
        [str(ROOT / "deploy/local/oidc.sh"), "people"], check=True, capture_output=True, text=True).stdout)
    with (logs / "oidc.log").open("wb") as output:
        return subprocess.Popen(  # noqa: S603  # nosec B603 - our own provider script
            [NODE, str(ROOT / "deploy/local/oidc-provider.mjs")], stdout=output, stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin", "AP_OIDC_PORT": str(port), "AP_OIDC_PEOPLE": str(people),
                 "AP_OIDC_CLIENT_SECRET": client_secret, "AP_OIDC_REDIRECT_URIS": redirect_uri})


def stop_platform(processes: list[Process], oidc: subprocess.Popen[bytes] | None) -> None:
    """Every process stopped, last started first, then the OIDC provider (a test's web platform going away)."""
    for process in reversed(processes):
        process.stop()
    if oidc is not None:
        oidc.terminate()
        oidc.wait(10)


async def start_web(processes: list[Process], logs: Path, private_pem: str, drafts_dsn: str,
                    extra_env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes]]:
    """The OIDC provider and the web service (``extra_env``: its AP_WEB_*_URL), both answering; the web's URL."""
    web_port, oidc_port = free_port(), free_port()
    client_secret = secrets.token_urlsafe(24)
    oidc = start_oidc_provider(logs, oidc_port, client_secret, f"http://localhost:{web_port}/auth/callback")
    processes.append(Process("web", ["-m", "ap_web", str(web_port)], {
        "AP_WEB_OIDC_ISSUER": f"http://localhost:{oidc_port}", "AP_WEB_OIDC_CLIENT_SECRET": client_secret,
        "AP_TOKEN_PRIVATE_KEY": private_pem, "AP_DSN_AP_WEB": drafts_dsn, **extra_env}, logs))

    async def web_and_provider_ready() -> bool:
        async with httpx.AsyncClient(timeout=5) as probe:
            provider = await probe.get(f"http://localhost:{oidc_port}/.well-known/openid-configuration")
            web = await probe.get(f"http://localhost:{web_port}/")
        return provider.status_code == 200 and web.status_code == 200

    try:
        await wait_for_platform(web_and_provider_ready, "the web service and the OIDC provider", processes)
    except BaseException:
        oidc.terminate()
        raise
    return f"http://localhost:{web_port}", oidc


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def web_platform(new_database: Callable[[str], Any], new_topic: Callable[..., Any],
                       kafka_bootstrap: str) -> AsyncIterator[WebPlatform]:
    dsns = {name: await new_database(f"web_{name}") for name in ("events", "audit", "keys", "drafts")}
    topics = {name: await new_topic(f"web-{name}") for name in ("events", "commands", "results")}
    _ring, raw_keys = random_ring("mk-web")
    pair = generate_keypair()
    api_port = free_port()
    env = incidents_process_env(dsns, topics, master_keys=master_keys_env(raw_keys, "mk-web"),
                                token_public_pem=pair.public_pem, bootstrap=kafka_bootstrap, port=api_port)
    logs = Path(tempfile.mkdtemp(prefix="web-browser-"))
    processes = [Process("api", ["-m", "ap_incidents.entrypoints.api"], env, logs)]
    incidents_url = f"http://127.0.0.1:{api_port}"
    http = httpx.AsyncClient(base_url=incidents_url, timeout=30)
    oidc: subprocess.Popen[bytes] | None = None
    try:
        async def api_ready() -> bool:
            return (await http.get("/readyz")).status_code == 200

        await wait_for_platform(api_ready, "the incidents API", processes)
        processes += [
            Process("relay", ["-m", "ap_runtime.relay", "--service", "incidents", "--dsn", dsns["events"],
                              "--topic", topics["events"]], env, logs),
            Process("projections", ["-m", "ap_incidents.entrypoints.projections"], env, logs),
        ]
        issuer = TokenIssuer(load_private_key(pair.private_pem))
        day = scripted_day(tokens_from(issuer))
        pupil_ref, placement_id = await place_first_pupil(http, day)
        web_url, oidc = await start_web(processes, logs, pair.private_pem, dsns["drafts"],
                                        {"AP_WEB_INCIDENTS_URL": incidents_url})
        yield WebPlatform(web_url, day, pupil_ref, placement_id, processes, incidents_url, issuer, logs)
    finally:
        await http.aclose()
        stop_platform(processes, oidc)


class Checker:
    """axe-core on each page the script-free browser shows, and its screenshots.

    The journeys run with JavaScript off (every journey must work without it), so axe cannot run in
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


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium (``playwright install`` cannot download browsers here)."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            await launched.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def check_page(browser: Browser) -> CheckPage:
    return Checker(browser).check


async def signed_in_page(browser: Browser, web_url: str, login: str, check_page: CheckPage,
                         start_name: str = "start") -> Page:
    """A new script-free browser context (every journey works without JavaScript), signed in as ``login``
    through the local OIDC provider; the start page is checked as ``start_name``."""
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(web_url + "/")
    await check_page(page, start_name)
    await page.get_by_role("button", name="Sign in").click()
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(web_url + "/")
    assert f"Signed in as {login}" in await page.inner_text("body")
    return page


async def sign_out(page: Page, name: str, check_page: CheckPage) -> None:
    await page.get_by_role("button", name="Sign out").click()
    assert await page.inner_text("h1") == "You have signed out"
    await check_page(page, name)
    await page.context.close()


async def refused_everywhere(page: Page, web_url: str, paths: list[str], secrets_: list[str],
                             check_page: CheckPage, name: str) -> None:
    """Each path answers the not-found page naming nothing: none of ``secrets_`` (references, names) in it."""
    for index, path in enumerate(paths):
        response = await page.goto(web_url + path)
        assert response is not None and response.status == 404, (path, response and response.status)
        assert await page.inner_text("h1") == "Page not found", path
        body = await page.content()
        for secret in secrets_:
            assert secret not in body, (path, secret)
        if index == 0:
            await check_page(page, name)
