"""End to end: a scripted financial year for one Partnership through the public HTTP API.

Every part runs as its own OS process, as deployed: the finance API (uvicorn), the relay (event
store -> Kafka) and the finance projections (Kafka -> ledger and placement-cost read models), on
fresh databases and unique topics of the real PostgreSQL and Kafka. Placement events come from an
incidents event store (personal fields sealed with per-pupil keys) through its own relay.

The year (``demo.finance_year``): the organisations registered with their names (through the incidents
event store and its relay, as the incidents service records them), budget with funding sources and lines,
a year of spend and commitments, a £35,000 item that waits for its second signature (the same person
cannot give it), a virement, a virement requested and made only when a second person approves it, an
overspend refused and then approved by the host school's second finance officer, a £42,000 commitment
found by the Partnership's lead through awaiting-my-signature and signed, year-end close with a surplus, a
50/30/20 combination allocation across five schools and the host school's strategic plan, each part
read back, a claw-back and a carry-forward into the next year. Then: the ledger read from the projection
through the API reconciles to the penny and equals the domain's fold of the event stream; the
.xlsx return read back with openpyxl has the ledger's totals; no output holds pupil data.
"""

from __future__ import annotations

import asyncio
import io
import statistics
import tempfile
import time
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio
from openpyxl import load_workbook

from ap_contracts.envelope import Actor, OrgKind
from ap_contracts.events.organisations import OrganisationRegistered
from ap_contracts.events.placements import PlacementEnded, PlacementStarted
from ap_contracts.events.pupil_vocabulary import KeyStage, PlacementEndReason, Severity, TimetableKind
from ap_finance.domain.allocation import recompute
from ap_finance.domain.evolve import fold
from ap_finance.domain.financial_year import budget_stream_id
from ap_runtime.access import TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.privacy.codec import PersonalDataCodec
from ap_runtime.privacy.keystore import KeyStore
from ap_runtime.relay import Relay
from ap_testing.privacy import random_ring
from ap_testing.processes import PlatformProcess as Process
from ap_testing.processes import free_port, processes_report, wait_for_platform
from ap_testing.workbook_formulas import cell_value
from demo.finance_year import (
    ALLOCATION_PENCE,
    APPROVED_VIREMENT_PENCE,
    CLAWBACK_PENCE,
    LARGE_COMMITMENT_PENCE,
    OVERSPEND_PENCE,
    SCHOOL_NAMES,
    SIGNED_ITEM_PENCE,
    DemoCast,
    DemoYear,
    demo_organisations,
    demo_tokens,
)

pytestmark = pytest.mark.e2e  # several platform processes (ap_testing.levels)

CAST = DemoCast()
YEAR, NEXT_YEAR = "2025-26", "2026-27"
PUPIL_MARKER = "Quillon-Ashworthy"  # a made-up name written into the sealed placement narratives


@dataclass
class Platform:
    http: httpx.AsyncClient
    issuer: TokenIssuer
    finance_pool: asyncpg.Pool
    incidents: EventStore
    incidents_topic: str
    bootstrap: str
    processes: list[Process]
    latencies: list[float] = field(default_factory=list)

    def report(self) -> str:
        return processes_report(self.processes)

    async def stream_version(self, year: str) -> int:
        value = await self.finance_pool.fetchval("SELECT version FROM streams WHERE stream_id = $1",
                                                 budget_stream_id(CAST.provision_id, year))
        return int(value or 0)


@pytest_asyncio.fixture(loop_scope="session")
async def platform(new_database: Callable[[str], Any], new_topic: Callable[..., Any],
                   kafka_bootstrap: str) -> AsyncIterator[Platform]:
    dsns = {name: await new_database(f"e2e_finance_{name}") for name in ("events", "audit", "incidents")}
    topics = {name: await new_topic(f"e2e-finance-{name}") for name in ("finance", "incidents")}
    pair = generate_keypair()
    port = free_port()
    env = {
        "AP_DSN_AP_FINANCE": dsns["events"], "AP_DSN_AP_AUDIT": dsns["audit"], "AP_TOKEN_PUBLIC_KEY": pair.public_pem,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_HTTP_PORT": str(port), "AP_LOG_LEVEL": "WARNING",
    }
    logs = Path(tempfile.mkdtemp(prefix="e2e-finance-"))
    processes = [Process("api", ["-m", "ap_finance.entrypoints.api"], env, logs)]
    platform: Platform | None = None
    latencies: list[float] = []

    async def started(request: httpx.Request) -> None:
        request.extensions["started"] = time.perf_counter()

    async def finished(response: httpx.Response) -> None:
        if response.request.method == "POST":
            latencies.append(time.perf_counter() - response.request.extensions["started"])

    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30,
                             event_hooks={"request": [started], "response": [finished]})
    finance_pool = await asyncpg.create_pool(dsns["events"], min_size=1, max_size=4)
    incidents_pool = await asyncpg.create_pool(dsns["incidents"], min_size=1, max_size=4)
    await migrate(incidents_pool)
    keys = await KeyStore.open(dsns["incidents"], random_ring()[0])
    try:
        await wait_for_platform(lambda: _ready(http), "the finance API to be ready", processes)
        processes.append(Process("relay", ["-m", "ap_runtime.relay", "--service", "finance", "--dsn", dsns["events"],
                                           "--topic", topics["finance"]], env, logs))
        processes.append(Process("projections", ["-m", "ap_finance.entrypoints.projections", "--dsn", dsns["events"],
                                                 "--finance-topic", topics["finance"],
                                                 "--incidents-topic", topics["incidents"],
                                                 "--group-suffix", topics["finance"]], env, logs))
        platform = Platform(http, TokenIssuer(load_private_key(pair.private_pem), audience="ap-finance"), finance_pool,
                            EventStore(incidents_pool, PersonalDataCodec(keys)), topics["incidents"],
                            kafka_bootstrap, processes, latencies)
        yield platform
    finally:
        await http.aclose()
        for process in processes:
            process.stop()
        await keys.close()
        await incidents_pool.close()
        await finance_pool.close()


async def _ready(http: httpx.AsyncClient) -> bool:
    return (await http.get("/readyz")).status_code == 200


# ---- placements from the incidents service ----------------------------------------------------------


async def register_organisations(platform: Platform) -> int:
    """The demo's organisations with their names, as the incidents service records a registration."""
    admin = Actor(user_id="platform-admin-1", organisation_id="platform", roles=("platform_admin",))
    organisations = demo_organisations(CAST)
    for organisation in organisations:
        facts = organisation.registration()
        event = OrganisationRegistered(**{**facts, "kind": OrgKind(facts["kind"]), "key_stages": tuple(
            KeyStage(k) for k in facts["key_stages"])})
        await platform.incidents.append(f"organisation-{organisation.organisation_id}", 0,
                                        [NewEvent(event, admin, "platform", uuid4())])
    return len(organisations)


async def record_placements(platform: Platform) -> list[UUID]:
    """The organisations and three placements at the provision, stored as the incidents service stores
    them, then relayed."""
    registered = await register_organisations(platform)
    actor = Actor(user_id="pbp-manager-1", organisation_id=CAST.provision_id, roles=("provision_manager",))
    pupils = []
    for start, end in ((date(2025, 4, 28), date(2025, 7, 18)), (date(2025, 9, 1), date(2026, 2, 13)),
                       (date(2026, 1, 5), None)):
        pupil, placement = uuid4(), uuid4()
        events: list[Any] = [PlacementStarted(
            pupil_ref=pupil, record_id=uuid4(), placement_id=placement, referral_id=uuid4(),
            provision_id=CAST.provision_id, home_school_id="school-demo-a", commissioner_id=CAST.local_authority_id,
            partnership_id=CAST.partnership_id, start_date=start, planned_end_date=date(2026, 7, 17),
            key_stage=KeyStage.KS2, pupil_key_stage=KeyStage.KS2, outside_key_stage=False,
            timetable=TimetableKind.FULL_TIME, reduced_timetable_review_date=None,
            reintegration_plan=f"{PUPIL_MARKER} returns to class in stages",
            planned_review_date=date(2026, 7, 1), exit_criteria=f"{PUPIL_MARKER} settled for six weeks",
            incident_severity_threshold=Severity.SERIOUS, attendance_threshold_percent=90, rule_version="e2e-1",
        )]
        if end is not None:
            events.append(PlacementEnded(pupil_ref=pupil, record_id=uuid4(), placement_id=placement, end_date=end,
                                         reason=PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL,
                                         summary=f"{PUPIL_MARKER} went back to the home school"))
        await platform.incidents.append(f"pupil-{pupil}", 0, [NewEvent(e, actor, CAST.provision_id, uuid4(),
                                                                       event_id=e.record_id) for e in events])
        pupils.append(pupil)
    stop = asyncio.Event()
    relay = Relay(platform.incidents.pool, platform.bootstrap, "e2e-incidents", topic_override=platform.incidents_topic)
    task = asyncio.create_task(relay.run(stop))

    async def relayed() -> bool:
        return relay.published >= 5 + registered

    await wait_for_platform(relayed, "the placement events to be relayed", platform.processes)
    stop.set()
    await task
    assert relay.published == 5 + registered
    return pupils


# ---- the year -------------------------------------------------------------------------------------------


def pence(value: Any) -> int:
    return int(Decimal(str(value)) * 100)


async def test_a_financial_year_reconciles_to_the_penny_and_the_return_matches_the_ledger(
    platform: Platform,
) -> None:
    tokens = demo_tokens(platform.issuer, CAST)
    pupils = await record_placements(platform)
    checked: list[str] = []

    async def observe(step: str, demo: DemoYear) -> None:
        if step == "virement_requested":
            # Requested, not made: nothing moves until another person approves it.
            assert demo.answers["premises-virement"]["created"]["state"] == "awaiting_approval"
            premises = next(c for c in (await demo.ledger(YEAR))["lines"]
                            if (c["category"], c["funding_source"]) == ("premises", "top_up"))
            assert premises["budget_pence"] == 850_000
            checked.append(step)
        if step == "virement_approved":
            assert demo.answers["premises-virement-approval"]["created"]["state"] == "made"
            premises = next(c for c in (await demo.ledger(YEAR))["lines"]
                            if (c["category"], c["funding_source"]) == ("premises", "top_up"))
            assert premises["budget_pence"] == 850_000 + APPROVED_VIREMENT_PENCE
            checked.append(step)
        if step == "overspend_approved":
            assert demo.refusals["coach-hire-refused"] == "budget_control.spend_within_line"
            assert demo.answers["coach-hire"]["created"]["state"] == "recorded"
            lines = (await platform.http.get(demo.path(YEAR, "/lines"), headers=tokens.host_finance)).json()["items"]
            transport = next(r for r in lines if (r["category"], r["funding_source"]) == ("transport", "top_up"))
            assert (transport["remaining_pence"], transport["overspend_approved_pence"]) == (
                -OVERSPEND_PENCE, OVERSPEND_PENCE)
            checked.append(step)
        if step == "found_awaiting_signature":
            found = demo.found_awaiting["therapy-partnership-signature"]
            assert found is not None, "the Partnership's lead did not find the commitment awaiting its signature"
            assert (found["item_id"], found["supplier"], found["amount_pence"]) == (
                demo.id_for("therapy-commitment-id"), "Therapy Partners", LARGE_COMMITMENT_PENCE)
            checked.append(step)
        if step != "awaiting_second_signature":
            return
        # The held item is not spend yet, and the person who signed cannot give the second signature.
        before = await platform.stream_version(YEAR)
        item = demo.id_for("family-worker-id")
        again = await platform.http.post(demo.path(YEAR, f"/items/{item}/signatures"),
                                         json={"command_id": str(uuid4())}, headers=tokens.host_finance)
        assert (again.status_code, again.json()["rule"]) == (409, "signature.different_people")
        assert await platform.stream_version(YEAR) == before
        ledger = await demo.ledger(YEAR)
        staffing = next(c for c in ledger["by_category"] if c["category"] == "staffing")
        assert staffing["actual_pence"] == 11 * 1_150_000  # the year's payroll, not the held £35,000
        checked.append(step)

    started = time.perf_counter()
    demo = DemoYear(platform.http, tokens, CAST, YEAR, observer=observe)
    await demo.run()
    year_seconds = time.perf_counter() - started
    assert checked == ["awaiting_second_signature", "virement_requested", "virement_approved",
                       "overspend_approved", "found_awaiting_signature"]
    assert demo.answers["therapy-partnership-signature"]["created"]["state"] == "open"

    # The ledger, from the projection through the API, once it has caught up with both streams.
    closed, following = await demo.ledger(YEAR), await demo.ledger(NEXT_YEAR)
    for year in (YEAR, NEXT_YEAR):
        report = (await platform.http.get(demo.path(year, "/reconciliation"), headers=tokens.finance_officer)).json()
        assert report["ok"] is True, report["differences"]
        assert report["compared_with_event_stream"] is True

    # It equals the domain's own fold of the event stream.
    store = EventStore(platform.finance_pool)
    history = await store.load(budget_stream_id(CAST.provision_id, YEAR))
    state = fold(history)  # type: ignore[arg-type]
    assert closed["total"] == {"budget_pence": state.funding_total_pence(), "actual_pence": state.actual_total_pence(),
                               "committed_pence": state.committed_total_pence(),
                               "remaining_pence": state.balance_pence()}
    for line in closed["lines"]:
        if line["category"] != "unallocated":
            cell = (line["category"], line["funding_source"])
            assert (line["budget_pence"], line["actual_pence"], line["remaining_pence"]) == (
                state.line_budget_pence[cell], state.actual_pence.get(cell, 0),  # type: ignore[index,call-overload]
                state.remaining_pence(cell))  # type: ignore[arg-type]
    staffing = next(c for c in closed["by_category"] if c["category"] == "staffing")
    assert staffing["actual_pence"] == 11 * 1_150_000 + SIGNED_ITEM_PENCE

    # The surplus: determined at close, shared by need (shares add up and can be recomputed), clawed
    # back, and the rest carried into the next year's budget.
    surplus = closed["surplus"]
    assert surplus["surplus_pence"] == state.surplus_pence > 0
    assert (surplus["allocated_pence"], surplus["clawed_back_pence"]) == (ALLOCATION_PENCE, CLAWBACK_PENCE)
    assert surplus["carried_forward_pence"] == surplus["surplus_pence"] - ALLOCATION_PENCE - CLAWBACK_PENCE
    assert surplus["available_pence"] == 0
    [allocation] = [e for e in history if e.event_type == "SurplusAllocated"]
    assert recompute(allocation) == allocation.shares  # type: ignore[arg-type,attr-defined]
    # A combination: five schools by need and equally, and the host school's strategic plan.
    assert len(closed["allocations"]) == 6
    assert sum(s["amount_pence"] for s in closed["allocations"]) == ALLOCATION_PENCE
    [in_full] = closed["allocations_in_full"]
    assert in_full == demo.answers["allocation"]["allocation"]
    parts = {part["method"]: part for part in in_full["parts"]}
    assert {m: p["amount_pence"] for m, p in parts.items()} == {
        "needs_based": ALLOCATION_PENCE // 2, "equity_based": ALLOCATION_PENCE * 3 // 10,
        "strategic_plan": ALLOCATION_PENCE // 5}
    assert {s["school_id"]: s["amount_pence"] for s in parts["strategic_plan"]["shares"] if s["amount_pence"]} == {
        CAST.host_school_id: ALLOCATION_PENCE // 5}
    assert {s["amount_pence"] for s in parts["equity_based"]["shares"] if s["school_id"] in SCHOOL_NAMES} == {
        ALLOCATION_PENCE * 3 // 10 // 5}
    brought = next(s for s in following["by_funding_source"] if s["funding_source"] == "carry_forward")
    assert brought["budget_pence"] == surplus["carried_forward_pence"]

    # The quarterly return for Q4 as a workbook: its totals are the ledger's.
    response = await platform.http.get(demo.path(YEAR, "/reports/quarterly-return"),
                                       params={"quarter": 4, "format": "xlsx"}, headers=tokens.finance_officer)
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    budget_sheet = book["Budget v actual"]
    rows = {r[0].value: r for r in budget_sheet.iter_rows(min_row=9) if r[0].value}
    # Revised budget, actual, commitments, remaining: columns D to G; the totals are formulas, evaluated.
    assert [pence(cell_value(budget_sheet, c.coordinate)) for c in rows["Total"][3:7]] == [closed["total"][k] for k in (
        "budget_pence", "actual_pence", "committed_pence", "remaining_pence")]
    for category in closed["by_category"]:
        if category["category"] != "unallocated":
            row = next(r for name, r in rows.items() if name != "Total" and
                       name.lower().replace(" / ", "_").replace(" ", "_") == category["category"])
            assert pence(row[4].value) == category["actual_pence"]
    year_end = {r[0].value: r[1].value for r in book["Funding and year end"].iter_rows() if r[0].value}
    assert pence(year_end["Surplus / (deficit) determined at close"]) == surplus["surplus_pence"]
    assert pence(year_end["Carried forward to the next year"]) == surplus["carried_forward_pence"]
    notes = " ".join(str(c.value) for c in book["Notes"]["A"] if c.value)
    assert f"up to event version {closed['ledger_version']}" in notes

    # The organisations are read by name: the ledger, and the return's CSV labels each school's part so.
    async def named() -> bool:
        ledger = await demo.ledger(YEAR)
        return bool(ledger["host_school_name"]) and all(s["school_name"] for s in ledger["allocations"])

    await wait_for_platform(named, "the organisations' names", platform.processes)
    names = {o.organisation_id: o.name for o in demo_organisations(CAST)}
    ledger = await demo.ledger(YEAR)
    assert (ledger["provision_name"], ledger["host_school_name"], ledger["partnership_name"]) == (
        names[CAST.provision_id], names[CAST.host_school_id], names[CAST.partnership_id])
    csv_text = (await platform.http.get(demo.path(YEAR, "/reports/quarterly-return"),
                                        params={"quarter": 4, "format": "csv"}, headers=tokens.finance_officer)).text
    for school, name in SCHOOL_NAMES.items():
        assert f"allocation_parts,allocation 1 needs_based {name} ({school}),amount," in csv_text

    # Placement costs arrive from the incidents service's events through Kafka.
    async def placements_counted() -> bool:
        shown = (await platform.http.get(demo.path(YEAR, "/reports/quarterly-return"), params={"quarter": 4},
                                         headers=tokens.finance_officer)).json()["placement_costs"]
        return bool(shown["placements"] == 3)

    await wait_for_platform(placements_counted, "the placement costs", platform.processes)
    costs = (await platform.http.get(demo.path(YEAR, "/reports/quarterly-return"), params={"quarter": 4},
                                     headers=tokens.finance_officer)).json()["placement_costs"]
    assert costs["pupil_days"] == 60 + 120 + 62  # weekdays: 28 Apr-18 Jul, 1 Sep-13 Feb, 5 Jan-31 Mar
    assert costs["cost_per_pupil_day_pence"] == (2 * closed["total"]["actual_pence"] + 242) // 484

    # No finance output holds pupil data.
    texts = []
    for suffix, params in (("/ledger", {}), ("/reconciliation", {}), ("/reports/quarterly-return", {"quarter": 4}),
                           ("/reports/quarterly-return", {"quarter": 4, "format": "csv"}),
                           ("/reports/termly-monitoring", {"term": "summer"}),
                           ("/reports/governing-body-summary", {"format": "csv"})):
        answer = await platform.http.get(demo.path(YEAR, suffix), params=params, headers=tokens.partnership_lead)
        assert answer.status_code == 200, answer.text
        texts.append(answer.text)
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        texts += [archive.read(name).decode() for name in archive.namelist()]
    for text in texts:
        assert PUPIL_MARKER not in text and "pupil_ref" not in text
        assert not any(str(pupil) in text for pupil in pupils)

    # Running the year again replays every command: same answers, nothing recorded twice.
    versions = (await platform.stream_version(YEAR), await platform.stream_version(NEXT_YEAR))
    replay = DemoYear(platform.http, tokens, CAST, YEAR)
    await replay.run()
    assert replay.answers == demo.answers
    assert (await platform.stream_version(YEAR), await platform.stream_version(NEXT_YEAR)) == versions

    latencies = sorted(platform.latencies)
    print(f"\nscripted year: {len(demo.answers)} commands in {year_seconds:.2f}s; command latency p50 "
          f"{statistics.median(latencies) * 1000:.1f} ms, p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms "
          f"over {len(latencies)} POSTs; ledger of {closed['ledger_version']} events reconciled")
