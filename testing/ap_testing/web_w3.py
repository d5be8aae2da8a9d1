"""The finance service for the web's browser tests (issue 16, finance journeys): its API, relay and projections
as real OS processes on a test's own databases and topics, and a budget part-way through its year.

The budget is the scripted year's (``demo.finance_year``), recorded through the finance API by the people of the
demo cast (the LA's finance team set it, the host school spent), so the web journeys meet a real year: lines,
spend, a £3,000 commitment on resources (top-up), and a £35,000 item over the threshold waiting for its
signatures.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page

from ap_runtime.access import TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_runtime.access.tokens import ServiceAudience
from ap_testing.processes import PlatformProcess, free_port, processes_report, wait_for_platform
from ap_testing.web import start_web, stop_platform
from demo.finance_year import SIGNED_ITEM_PENCE, DemoCast, DemoYear, demo_tokens
from demo.personas import COMMISSIONER, Persona, tokens_from

YEAR = "2025-26"
CAST = DemoCast()
NewDatabase = Callable[[str], Awaitable[str]]
NewTopic = Callable[..., Awaitable[str]]


@dataclass
class FinanceService:
    url: str
    http: httpx.AsyncClient
    year: DemoYear

    @property
    def item_id(self) -> str:
        """The £35,000 family support worker spend, waiting for both signatures."""
        return self.year.id_for("family-worker-id")

    async def ledger(self) -> dict[str, Any]:
        """The ledger once its projection has caught up with the budget's stream."""
        return await self.year.ledger(YEAR)

    async def read(self, suffix: str) -> dict[str, Any]:
        """A page of the budget as the LA's finance officer reads it through the API (the test's own check)."""
        response = await self.http.get(self.year.path(YEAR, suffix), headers=self.year.tokens.finance_officer)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


async def start_finance(processes: list[PlatformProcess], new_database: NewDatabase, new_topic: NewTopic,
                        bootstrap: str, public_pem: str, logs: Path) -> str:
    """The finance API, its relay and its projections, added to ``processes`` (the caller stops them); its URL."""
    dsns = {name: await new_database(f"web_finance_{name}") for name in ("events", "audit")}
    topics = {name: await new_topic(f"web-finance-{name}") for name in ("finance", "incidents")}
    port = free_port()
    env = {"AP_DSN_AP_FINANCE": dsns["events"], "AP_DSN_AP_AUDIT": dsns["audit"], "AP_TOKEN_PUBLIC_KEY": public_pem,
           "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "AP_HTTP_PORT": str(port), "AP_LOG_LEVEL": "WARNING"}
    processes.append(PlatformProcess("finance-api", ["-m", "ap_finance.entrypoints.api"], env, logs))
    url = f"http://127.0.0.1:{port}"

    async def ready() -> bool:
        async with httpx.AsyncClient(timeout=5) as probe:
            return (await probe.get(f"{url}/readyz")).status_code == 200

    await wait_for_platform(ready, "the finance API", processes)
    processes += [
        PlatformProcess("finance-relay", ["-m", "ap_runtime.relay", "--service", "finance", "--dsn", dsns["events"],
                                          "--topic", topics["finance"]], env, logs),
        PlatformProcess("finance-projections", ["-m", "ap_finance.entrypoints.projections", "--dsn", dsns["events"],
                                                "--finance-topic", topics["finance"], "--incidents-topic",
                                                topics["incidents"], "--group-suffix", topics["finance"]], env, logs),
    ]
    return url


async def budget_part_way(url: str, issuer: TokenIssuer) -> tuple[httpx.AsyncClient, DemoYear]:
    """The scripted year's budget, its spend and commitments, and the £35,000 item awaiting signatures."""
    http = httpx.AsyncClient(base_url=url, timeout=30)
    year = DemoYear(http, demo_tokens(issuer, CAST), CAST, YEAR)
    await year.set_budget()
    await year.spend_the_year()
    await year.spend("family-worker", "staffing", "dsg_allocation", SIGNED_ITEM_PENCE, date(2025, 7, 15),
                     "Family support worker agency")
    return http, year


@dataclass
class FinanceWeb:
    """The web service in front of the finance service, and the finance service's own API for the test's checks."""

    web_url: str
    finance: FinanceService
    processes: list[PlatformProcess]

    def report(self) -> str:
        return processes_report(self.processes)


@asynccontextmanager
async def finance_web_platform(new_database: NewDatabase, new_topic: NewTopic,
                               bootstrap: str) -> AsyncIterator[FinanceWeb]:
    """The finance service with its budget part-way through the year, the OIDC provider and the web service."""
    pair = generate_keypair()
    logs = Path(tempfile.mkdtemp(prefix="web-finance-"))
    processes: list[PlatformProcess] = []
    oidc = None
    http: httpx.AsyncClient | None = None
    try:
        url = await start_finance(processes, new_database, new_topic, bootstrap, pair.public_pem, logs)
        http, year = await budget_part_way(url, TokenIssuer(load_private_key(pair.private_pem)))
        web_url, oidc = await start_web(processes, logs, pair.private_pem, await new_database("web_finance_drafts"),
                                        {"AP_WEB_FINANCE_URL": url})
        yield FinanceWeb(web_url, FinanceService(url, http, year), processes)
    finally:
        if http is not None:
            await http.aclose()
        stop_platform(processes, oidc)


async def errors_linked(page: Page) -> list[str]:
    """The error summary's links (each to its field), once the page says it is an error page."""
    summary = page.locator(".govuk-error-summary")
    assert "There is a problem" in await summary.inner_text()
    assert (await page.title()).startswith("Error: ")
    hrefs: list[str] = await summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return hrefs


async def until_shown(page: Page, wanted: str, web: FinanceWeb, seconds: float = 90) -> str:
    """Reload until ``wanted`` is on the page (a projection catching up), within a deadline; the page's text
    with its white space as single spaces."""
    for _ in range(int(seconds * 4)):
        text = " ".join((await page.inner_text("main")).split())
        if wanted in text:
            return text
        await page.wait_for_timeout(250)
        await page.reload()
    raise AssertionError(f"{wanted!r} never shown\n{await page.inner_text('main')}\n{web.report()}")


# ---- the commissioning service, for the commissioner's self-audit journey -------------------------------------

AUDITED_PROVISION, AUDIT_YEAR = "provision-demo-north", "2025-26"
RATED = (("behaviour-01", "amber", "Behaviour logs kept daily; analysis termly", "Weekly analysis from spring"),
         ("behaviour-02", "green", "Policy reviewed with staff in September", ""))


async def start_commissioning(processes: list[PlatformProcess], new_database: NewDatabase, public_pem: str,
                              logs: Path) -> str:
    """The commissioning API on the test's own databases, added to ``processes``; its URL."""
    dsns = {name: await new_database(f"web_commissioning_{name}") for name in ("events", "audit")}
    port = free_port()
    env = {"AP_DSN_AP_COMMISSIONING": dsns["events"], "AP_DSN_AP_AUDIT": dsns["audit"],
           "AP_TOKEN_PUBLIC_KEY": public_pem, "AP_HTTP_PORT": str(port), "AP_LOG_LEVEL": "WARNING"}
    processes.append(PlatformProcess("commissioning-api", ["-m", "ap_commissioning.entrypoints.api"], env, logs))
    url = f"http://127.0.0.1:{port}"

    async def ready() -> bool:
        async with httpx.AsyncClient(timeout=5) as probe:
            return (await probe.get(f"{url}/readyz")).status_code == 200

    await wait_for_platform(ready, "the commissioning API", processes)
    return url


async def self_audit_rated(url: str, issuer: TokenIssuer) -> None:
    """The county asks provision-demo-north for its 2025-26 self-audit; its manager rates two statements."""
    token_for = tokens_from(issuer, audience=ServiceAudience.COMMISSIONING)
    audit = f"/v1/self-audits/{AUDITED_PROVISION}/{COMMISSIONER}/{AUDIT_YEAR}"
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        asked = await http.post(f"{audit}/request", json={"command_id": str(uuid.uuid4())},
                                headers={"Authorization": f"Bearer {token_for(Persona.COMMISSIONER)}"})
        assert asked.status_code == 200, asked.text
        for statement, rating, evidence, plan in RATED:
            rated = await http.post(f"{audit}/ratings", headers={
                "Authorization": f"Bearer {token_for(Persona.PROVISION_MANAGER)}"}, json={
                "command_id": str(uuid.uuid4()), "statement_id": statement, "rating": rating, "evidence": evidence,
                "action_plan": plan})
            assert rated.status_code == 200, rated.text


@dataclass(frozen=True)
class CommissionerWeb:
    web_url: str
    commissioning_url: str
    issuer: TokenIssuer

    async def audit(self) -> dict[str, Any]:
        """The self-audit as the county's commissioner reads it through the API (the test's own check)."""
        token = tokens_from(self.issuer, audience=ServiceAudience.COMMISSIONING)(Persona.COMMISSIONER)
        async with httpx.AsyncClient(base_url=self.commissioning_url, timeout=30) as http:
            answer = await http.get(f"/v1/self-audits/{AUDITED_PROVISION}/{COMMISSIONER}/{AUDIT_YEAR}",
                                    headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


@asynccontextmanager
async def commissioner_web_platform(new_database: NewDatabase) -> AsyncIterator[CommissionerWeb]:
    """The commissioning service with a rated self-audit, the OIDC provider and the web service."""
    pair = generate_keypair()
    logs = Path(tempfile.mkdtemp(prefix="web-commissioner-"))
    processes: list[PlatformProcess] = []
    oidc = None
    try:
        url = await start_commissioning(processes, new_database, pair.public_pem, logs)
        issuer = TokenIssuer(load_private_key(pair.private_pem))
        await self_audit_rated(url, issuer)
        web_url, oidc = await start_web(processes, logs, pair.private_pem, await new_database("web_comm_drafts"),
                                        {"AP_WEB_COMMISSIONING_URL": url})
        yield CommissionerWeb(web_url, url, issuer)
    finally:
        stop_platform(processes, oidc)
