"""Two API processes of finance and of reporting, each pair against one database (issue 11, more than one).

Real processes on the real servers, as two replicas behind a load balancer (separate ports): two
finance APIs with the finance relay and projections beside them, and two reporting APIs over one
reporting read model. What must hold across finance instances lives in PostgreSQL, and this proves
it does: the same command sent to both APIs at once is recorded once and both answer with the same
events (one says ``Idempotent-Replayed``); concurrent spends on one budget line through both APIs,
more than the line can take, land as one gap-free stream in which the line is never overspent (each
accepted spend decided on the state the previous one left; the rest refused by
``budget_control.spend_within_line``); both APIs then read the same ledger. The two reporting APIs
answer every report identically, asked at the same time. The amounts and the number of spends are
seeded (the seed is printed; ``AP_E2E_SEED`` replays it).
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind
from ap_contracts.events.pupil_vocabulary import IncidentCategory, KeyStage, Severity
from ap_finance.domain.financial_year import budget_stream_id
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.access import Role, TokenIssuer, generate_keypair
from ap_runtime.access.audit import verify
from ap_runtime.access.keys import load_private_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.projection import active_schema
from ap_testing.processes import PlatformProcess as Process
from ap_testing.processes import free_port, processes_report, wait_for_platform
from ap_testing.reporting.api_client import register_read_models
from demo.finance_year import DemoCast, DemoTokens, DemoYear, demo_tokens

pytestmark = pytest.mark.e2e  # several platform processes (ap_testing.levels)

CAST = DemoCast()
YEAR = "2025-26"
TRANSPORT_LINE_PENCE = 1_200_000  # the demo budget's transport (top-up) line
PARTNERSHIPS = ("np-north", "np-south")


@dataclass
class Finance:
    apis: list[httpx.AsyncClient]
    tokens: DemoTokens
    pool: asyncpg.Pool
    audit: asyncpg.Pool
    processes: list[Process]
    rng: random.Random
    seed: int

    def report(self) -> str:
        return f"seed {self.seed}\n{processes_report(self.processes)}"

    def path(self, suffix: str) -> str:
        return f"/v1/budgets/{CAST.provision_id}/{YEAR}{suffix}"


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def finance(new_database: Callable[[str], Any], new_topic: Callable[..., Any],
                  kafka_bootstrap: str) -> AsyncIterator[Finance]:
    seed = int(os.environ.get("AP_E2E_SEED") or random.randrange(1_000_000))
    print(f"finance and reporting instances seed: {seed} (AP_E2E_SEED={seed} replays it)")
    dsns = {name: await new_database(f"instances_finance_{name}") for name in ("events", "audit")}
    topics = {name: await new_topic(f"instances-finance-{name}") for name in ("finance", "incidents")}
    pair = generate_keypair()
    ports = [free_port(), free_port()]
    env = {
        "AP_DSN_AP_FINANCE": dsns["events"], "AP_DSN_AP_AUDIT": dsns["audit"], "AP_TOKEN_PUBLIC_KEY": pair.public_pem,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_LOG_LEVEL": "WARNING",
    }
    logs = Path(tempfile.mkdtemp(prefix="e2e-finance-instances-"))
    processes = [Process(f"finance-api-{i}", ["-m", "ap_finance.entrypoints.api"], {**env, "AP_HTTP_PORT": str(port)},
                         logs) for i, port in enumerate(ports)]
    apis = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) for port in ports]
    pool = await asyncpg.create_pool(dsns["events"], min_size=1, max_size=4)
    audit = await asyncpg.create_pool(dsns["audit"], min_size=1, max_size=2)
    try:
        for api in apis:
            async def ready(api: httpx.AsyncClient = api) -> bool:
                return (await api.get("/readyz")).status_code == 200

            await wait_for_platform(ready, "both finance APIs to be ready", processes)
        processes.append(Process("relay", ["-m", "ap_runtime.relay", "--service", "finance", "--dsn", dsns["events"],
                                           "--topic", topics["finance"]], env, logs))
        processes.append(Process("projections", ["-m", "ap_finance.entrypoints.projections", "--dsn", dsns["events"],
                                                 "--finance-topic", topics["finance"],
                                                 "--incidents-topic", topics["incidents"],
                                                 "--group-suffix", topics["finance"]], env, logs))
        tokens = demo_tokens(TokenIssuer(load_private_key(pair.private_pem), audience=ServiceAudience.FINANCE), CAST)
        await DemoYear(apis[0], tokens, CAST, YEAR).set_budget()  # the demo's budget and lines, through one API
        yield Finance(apis, tokens, pool, audit, processes, random.Random(seed), seed)
    finally:
        for api in apis:
            await api.aclose()
        for process in reversed(processes):
            process.stop()
        await pool.close()
        await audit.close()


def spend(category: str, source: str, pence: int, day: date) -> dict[str, Any]:
    return {"command_id": str(uuid4()), "spend_id": str(uuid4()), "supplier": "Instances Ltd", "category": category,
            "funding_source": source, "amount_pence": pence, "spent_on": day.isoformat(),
            "evidence_reference": f"INV-{uuid4().hex[:8]}"}


async def stored_spends(finance: Finance, spend_ids: list[str]) -> list[asyncpg.Record]:
    return await finance.pool.fetch(
        "SELECT stream_version, payload->>'spend_id' AS spend_id, (payload->>'amount_pence')::bigint AS pence"
        " FROM events WHERE event_type = 'SpendRecorded' AND payload->>'spend_id' = ANY($1::text[])"
        " ORDER BY stream_version", spend_ids)


async def test_the_same_finance_command_sent_to_both_apis_is_recorded_once(finance: Finance) -> None:
    bodies = [spend("resources", "dsg_allocation", finance.rng.randint(100, 5_000), date(2025, 5, 1 + n))
              for n in range(8)]
    for body in bodies:
        first, second = await asyncio.gather(*(api.post(finance.path("/spend"), json=body,
                                                         headers=finance.tokens.host_finance)
                                               for api in finance.apis))
        assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text, finance.report())
        assert sorted(r.headers.get("Idempotent-Replayed", "false") for r in (first, second)) == ["false", "true"]
        assert first.json() == second.json()
    stored = await stored_spends(finance, [b["spend_id"] for b in bodies])
    assert sorted(r["spend_id"] for r in stored) == sorted(b["spend_id"] for b in bodies)


async def test_concurrent_spends_on_one_line_through_both_apis_never_overspend_it(finance: Finance) -> None:
    stream = budget_stream_id(CAST.provision_id, YEAR)
    before = await finance.pool.fetchval("SELECT version FROM streams WHERE stream_id = $1", stream)
    amount = finance.rng.choice([150_000, 200_000, 240_000, 300_000])
    fits = TRANSPORT_LINE_PENCE // amount
    bodies = [spend("transport", "top_up", amount, date(2025, 6, 2)) for _ in range(fits + finance.rng.randint(4, 8))]
    busy: list[int] = []

    async def send(api: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
        """As a client should: a 503 busy (the stream kept moving; nothing written) is sent again after
        its Retry-After, with the same command id and a fresh token."""
        while True:
            response = await api.post(finance.path("/spend"), json=body, headers=finance.tokens.host_finance)
            if response.status_code != 503 or "Retry-After" not in response.headers:
                return response
            busy.append(response.status_code)
            await asyncio.sleep(float(response.headers["Retry-After"]) * finance.rng.random())

    responses = await asyncio.gather(*(send(finance.apis[n % 2], body) for n, body in enumerate(bodies)))
    print(f"{len(bodies)} concurrent spends of {amount} pence, {fits} fit; answered busy and sent again: {len(busy)}")
    accepted = [b["spend_id"] for b, r in zip(bodies, responses, strict=True) if r.status_code == 200]
    refused = [r for r in responses if r.status_code != 200]
    assert len(accepted) == fits, ([r.text for r in refused], finance.report())
    assert {(r.status_code, r.json().get("rule")) for r in refused} == {(422, "budget_control.spend_within_line")}, (
        [r.text for r in refused], finance.report())
    stored = await stored_spends(finance, [b["spend_id"] for b in bodies])
    assert sorted(r["spend_id"] for r in stored) == sorted(accepted)  # the refused recorded nothing
    assert sum(r["pence"] for r in stored) <= TRANSPORT_LINE_PENCE
    versions = [r["stream_version"] for r in await finance.pool.fetch(
        "SELECT stream_version FROM events WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version",
        stream, before)]
    assert versions == list(range(before + 1, before + len(versions) + 1))  # one gap-free stream
    assert len(versions) >= fits


async def test_both_finance_apis_read_the_same_ledger(finance: Finance) -> None:
    stream_version = await finance.pool.fetchval("SELECT version FROM streams WHERE stream_id = $1",
                                                 budget_stream_id(CAST.provision_id, YEAR))
    ledgers = [await DemoYear(api, finance.tokens, CAST, YEAR).ledger(YEAR) for api in finance.apis]
    assert ledgers[0] == ledgers[1], finance.report()
    transport = next(line for line in ledgers[0]["lines"]
                     if (line["category"], line["funding_source"]) == ("transport", "top_up"))
    assert transport["budget_pence"] == TRANSPORT_LINE_PENCE
    assert stream_version > 0


async def test_the_audit_chain_written_by_both_finance_apis_verifies(finance: Finance) -> None:
    result = await verify(finance.audit)
    assert result.ok, result
    allowed = await finance.audit.fetchval("SELECT count(*) FROM access_audit WHERE decision = 'allowed'")
    assert allowed >= 9 + 16 + 4  # the budget and its lines, both copies of each repeated command, the spends


# ---- reporting ------------------------------------------------------------------------------------------


async def write_facts(pool: asyncpg.Pool, rng: random.Random) -> None:
    """A few placements and incidents in each Partnership, written to the reporting read model (the
    projection that writes them is tested in services/reporting)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {await active_schema(conn, ReportingFactsProjection.name)}")
        for np in PARTNERSHIPS:
            for n in range(rng.randint(8, 14)):
                placement, pupil = uuid4(), uuid4()
                await conn.execute("INSERT INTO placements VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                                   placement, pupil, f"prov-{np}", f"school-{n % 3}", np, date(2024, 9, 2),
                                   KeyStage.KS3.value, False, None, None)
                for _ in range(rng.randint(0, 4)):
                    await conn.execute("INSERT INTO incidents VALUES ($1, $2, $3, $4, $5, $6)", uuid4(), placement,
                                       pupil, date(2024, 10, rng.randint(1, 30)),
                                       rng.choice(list(IncidentCategory)).value,
                                       int(rng.choice(list(Severity))))


async def test_two_reporting_apis_answer_every_report_alike(
    finance: Finance, new_database: Callable[[str], Any],
) -> None:
    dsn = await new_database("instances_reporting")
    audit_dsn = await new_database("instances_reporting_audit")
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    await register_read_models(pool)
    await write_facts(pool, finance.rng)
    pair = generate_keypair()
    issuer = TokenIssuer(load_private_key(pair.private_pem), audience=ServiceAudience.REPORTING)
    ports = [free_port(), free_port()]
    logs = Path(tempfile.mkdtemp(prefix="e2e-reporting-instances-"))
    env = {"AP_DSN_AP_REPORTING": dsn, "AP_DSN_AP_AUDIT": audit_dsn, "AP_TOKEN_PUBLIC_KEY": pair.public_pem,
           "AP_LOG_LEVEL": "WARNING"}
    processes = [Process(f"reporting-api-{i}", ["-m", "ap_reporting.entrypoints.api"],
                         {**env, "AP_HTTP_PORT": str(port)}, logs) for i, port in enumerate(ports)]
    apis = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) for port in ports]
    try:
        for api in apis:
            async def ready(api: httpx.AsyncClient = api) -> bool:
                return (await api.get("/v1/health")).status_code == 200

            await wait_for_platform(ready, "both reporting APIs to be ready", processes)
        urls = [f"/v1/reports/partnership/{np}?period=2024/25-autumn" for np in PARTNERSHIPS]
        urls += ["/v1/reports/annual?academic_year=2024/25", "/v1/reports/strategy?from_year=2024/25&to_year=2024/25"]

        def headers() -> dict[str, str]:
            return {"Authorization": "Bearer " + issuer.mint(user_id="officer@la", organisation_id="la-county",
                                                              org_kind=OrgKind.LOCAL_AUTHORITY,
                                                              roles=[Role.LA_OFFICER])}

        for url in urls:
            answers = await asyncio.gather(*(api.get(url, headers=headers()) for api in apis for _ in range(3)))
            assert {r.status_code for r in answers} == {200}, ([r.text for r in answers], processes_report(processes))
            assert all(r.json() == answers[0].json() for r in answers), url
    finally:
        for api in apis:
            await api.aclose()
        for process in processes:
            process.stop()
        await pool.close()
