"""Schemathesis against the OpenAPI of every service's HTTP API: no request gets a server error.

Each service runs as a real process (its ``python -m <module>`` entry point, uvicorn) on fresh
databases of the real PostgreSQL, with the processes it needs beside it (the incidents API alone;
the notifications API with its worker; the reporting API with its projection; finance's API; the
commissioning API).
Schemathesis (v4, Python API) loads the OpenAPI document the process serves and, for every
operation, generates requests that fit the schema and requests that break it. Each request carries
a token drawn from one minted for every role at an organisation where the role is valid, plus a
role held where the policy does not allow it, a forged token and none, so the handlers behind the
access check run too. The incidents service is seeded with the HTTP steps of the scripted day and
half of the generated ``pupil_ref`` path values name one of its pupils, so commands and reads
reach the pupil-path rules and the read models, not only the "unknown pupil" answer.

Per operation: up to 20 of schemathesis' boundary cases (its coverage phase, the same every run),
then 40 generated requests that fit the schema and 15 that break it. Generation goes through
hypothesis and follows the profile the root conftest selects: ``ci`` (derandomised: the same
requests every run, so CI cannot fail by chance) or, under ``make fuzz``, ``fuzz`` (random) with
``AP_FUZZ_FACTOR`` times as many examples and as much time. A service takes under a minute on a
quiet machine (the budget is three). The test fails listing every operation that answered 5xx or dropped the connection,
with a curl command that reproduces it: that request becomes a plain test in the service's tests.
Finance is included automatically once ``ap_finance.entrypoints.api`` has ``create_app`` and ``main``.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import os
import shutil
import socket
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
import pytest_asyncio
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role, TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import PlatformProcess
from demo.personas import COMMISSIONER, HOME_SCHOOL, PARTNERSHIP, PROVISION, tokens_from
from demo.runner import send_http
from demo.scripted_day import Channel, scripted_day

pytestmark = [pytest.mark.integration, pytest.mark.hypothesis]  # ``make fuzz`` selects -m hypothesis

FUZZ_FACTOR = max(1, int(os.environ.get("AP_FUZZ_FACTOR") or "1"))  # ``make fuzz``: more and longer
POSITIVE_EXAMPLES = 40 * FUZZ_FACTOR  # per operation, requests that fit the schema
NEGATIVE_EXAMPLES = 15 * FUZZ_FACTOR  # per operation, requests that break it
COVERAGE_CASES = 20  # per operation, schemathesis' boundary cases
# A budget against runaway generation, not a benchmark: generous enough that a loaded 2-core machine
# (a shared CI runner) cannot fail the test by timing alone (issue 9: CI must not fail by chance).
SERVICE_SECONDS = 180.0 * FUZZ_FACTOR
READY_SECONDS = 60.0

# An organisation of each kind, for the tokens (the demo's organisations where there is one).
ORGANISATIONS: dict[OrgKind, str] = {
    OrgKind.PROVISION: PROVISION, OrgKind.HOME_SCHOOL: HOME_SCHOOL, OrgKind.LOCAL_AUTHORITY: COMMISSIONER,
    OrgKind.COMMISSIONER: COMMISSIONER, OrgKind.PARTNERSHIP: PARTNERSHIP,
}


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """How to run one service's API as a process, and what it needs beside it."""

    name: str
    module: str
    port_env: str
    ready_path: str
    databases: tuple[str, ...]
    env: Callable[[dict[str, str], dict[str, str]], dict[str, str]]  # (databases, topics) -> environment
    topics: tuple[str, ...] = ()
    companions: tuple[str, ...] = ()  # modules run beside the API (read models it serves from)
    seeded: bool = False


def _incidents_env(dsns: dict[str, str], _topics: dict[str, str]) -> dict[str, str]:
    return {"AP_DSN_AP_INCIDENTS": dsns["events"], "AP_DSN_AP_AUDIT": dsns["audit"], "AP_DSN_AP_KEYS": dsns["keys"]}


def _notifications_env(dsns: dict[str, str], topics: dict[str, str]) -> dict[str, str]:
    return {"AP_DSN_AP_NOTIFICATIONS": dsns["notifications"], "AP_DSN_AP_AUDIT": dsns["audit"],
            "AP_DSN_AP_KEYS": dsns["keys"], "AP_NOTIFY_API_HOST": "127.0.0.1",
            "AP_NOTIFY_INCIDENTS_TOPIC": topics["incidents"], "AP_NOTIFY_NOTIFICATIONS_TOPIC": topics["notifications"],
            "AP_NOTIFY_GROUP_PREFIX": f"schemathesis-{topics['incidents']}"}


def _reporting_env(dsns: dict[str, str], topics: dict[str, str]) -> dict[str, str]:
    return {"AP_DSN_AP_REPORTING": dsns["reporting"], "AP_DSN_AP_AUDIT": dsns["audit"],
            "AP_REPORTING_API_HOST": "127.0.0.1", "AP_REPORTING_TOPIC": topics["incidents"],
            "AP_REPORTING_GROUP_PREFIX": f"schemathesis-{topics['incidents']}"}


def _finance_env(dsns: dict[str, str], _topics: dict[str, str]) -> dict[str, str]:
    return {"AP_DSN_AP_FINANCE": dsns["finance"], "AP_DSN_AP_AUDIT": dsns["audit"], "AP_DSN_AP_KEYS": dsns["keys"]}


def _commissioning_env(dsns: dict[str, str], _topics: dict[str, str]) -> dict[str, str]:
    return {"AP_DSN_AP_COMMISSIONING": dsns["commissioning"], "AP_DSN_AP_AUDIT": dsns["audit"]}


SERVICES = {
    "incidents": ServiceSpec("incidents", "ap_incidents.entrypoints.api", "AP_HTTP_PORT", "/readyz",
                             ("events", "audit", "keys"), _incidents_env, seeded=True),
    "notifications": ServiceSpec("notifications", "ap_notifications.entrypoints.api", "AP_NOTIFY_API_PORT",
                                 "/v1/health", ("notifications", "audit", "keys"), _notifications_env,
                                 topics=("incidents", "notifications"),
                                 companions=("ap_notifications.entrypoints.worker",)),
    "reporting": ServiceSpec("reporting", "ap_reporting.entrypoints.api", "AP_REPORTING_API_PORT", "/v1/health",
                             ("reporting", "audit"), _reporting_env, topics=("incidents",),
                             companions=("ap_reporting.entrypoints.projections",)),
    "finance": ServiceSpec("finance", "ap_finance.entrypoints.api", "AP_HTTP_PORT", "/readyz",
                           ("finance", "audit", "keys"), _finance_env),
    "commissioning": ServiceSpec("commissioning", "ap_commissioning.entrypoints.api", "AP_HTTP_PORT", "/readyz",
                                 ("commissioning", "audit"), _commissioning_env),
}


def finance_api_ready() -> bool:
    """Finance joins once its API module offers ``create_app`` and a ``main`` to run it."""
    try:
        module = importlib.import_module("ap_finance.entrypoints.api")
    except ImportError:
        return False
    return callable(getattr(module, "create_app", None)) and callable(getattr(module, "main", None))


def services_under_test() -> list[str]:
    return ["incidents", "notifications", "reporting", "commissioning"] + (["finance"] if finance_api_ready() else [])


# ----------------------------------------------------------------------------- running a service


@dataclass
class RunningService:
    spec: ServiceSpec
    base_url: str
    tokens: list[tuple[str, Callable[[], str | None]]]  # (whose, a fresh token: one carries one write command)
    pupil_refs: list[UUID]
    processes: list[PlatformProcess] = field(default_factory=list)

    def report(self) -> str:
        return "\n\n".join(f"--- {p.name} (exit {p.popen.poll()}) ---\n{p.tail(40)}" for p in self.processes)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tokens_for_every_role(issuer: TokenIssuer) -> list[tuple[str, Callable[[], str | None]]]:
    """A token per role at an organisation where the role is valid; a role held where it is not; a
    forged token; no token. Minted afresh for each request: a token carries one write command."""
    kinds: dict[Role, OrgKind] = {
        Role.PROVISION_STAFF: OrgKind.PROVISION, Role.PROVISION_MANAGER: OrgKind.PROVISION, Role.DSL: OrgKind.PROVISION,
        Role.HOME_SCHOOL_STAFF: OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD: OrgKind.HOME_SCHOOL,
        Role.COMMISSIONER: OrgKind.LOCAL_AUTHORITY, Role.PARTNERSHIP_LEAD: OrgKind.PARTNERSHIP,
        Role.LA_OFFICER: OrgKind.LOCAL_AUTHORITY, Role.FINANCE_OFFICER: OrgKind.FINANCE_TEAM,
        Role.HOST_SCHOOL_FINANCE: OrgKind.HOST_SCHOOL, Role.DPO: OrgKind.HOME_SCHOOL,
        Role.SCHOOLS_FORUM_MEMBER: OrgKind.SCHOOLS_FORUM, Role.PLATFORM_ADMIN: OrgKind.PLATFORM,
        Role.VIRTUAL_SCHOOL_HEAD: OrgKind.LOCAL_AUTHORITY,
        Role.PARENT: OrgKind.HOME_SCHOOL,  # valid at no organisation: refused by the policy's role check
    }
    assert set(kinds) == set(Role), "a new role needs a token here"
    tokens: list[tuple[str, Callable[[], str | None]]] = [
        (f"{role.value} at a {kind.value}",
         functools.partial(issuer.mint, user_id=f"schemathesis-{role.value}", org_kind=kind, roles=(role,),
                           ttl_seconds=3600, organisation_id=ORGANISATIONS.get(kind, f"{kind.value}-demo")))
        for role, kind in kinds.items()
    ]
    forged = TokenIssuer(load_private_key(generate_keypair().private_pem), audience=issuer.audience)
    tokens.append(("a forged token", functools.partial(forged.mint, user_id="intruder", organisation_id=HOME_SCHOOL,
                                                       org_kind=OrgKind.HOME_SCHOOL, roles=(Role.DPO,))))
    tokens.append(("no token", lambda: None))
    return tokens


async def _seed_incidents(client: httpx.AsyncClient, issuer: TokenIssuer) -> list[UUID]:
    """The scripted day's HTTP steps (the Kafka pupil is left out: no command consumer runs here)."""
    day = scripted_day(tokens_from(issuer))
    for step in day.steps:
        if step.channel is Channel.HTTP:
            result = await send_http(client, step)
            assert result.as_expected, (step.label, result.http_status, result.body)
    return [p.pupil_ref for p in day.pupils.values() if p.key != "birchfield"]


@pytest_asyncio.fixture(loop_scope="session")
async def running(request: pytest.FixtureRequest, new_database: Callable[[str], Awaitable[str]],
                  new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str) -> AsyncIterator[RunningService]:
    spec = SERVICES[request.param]
    dsns = {name: await new_database(f"schemathesis_{spec.name}_{name}") for name in spec.databases}
    topics = {name: await new_topic(f"schemathesis-{spec.name}-{name}") for name in spec.topics}
    _ring, raw_keys = random_ring("mk-schemathesis")
    pair = generate_keypair()
    issuer = TokenIssuer(load_private_key(pair.private_pem), audience=f"ap-{spec.name}")  # the service's own
    port = _free_port()
    logs = Path(tempfile.mkdtemp(prefix=f"schemathesis-{spec.name}-"))
    env = {**spec.env(dsns, topics), **master_keys_env(raw_keys, "mk-schemathesis"),
           "AP_TOKEN_PUBLIC_KEY": pair.public_pem, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           spec.port_env: str(port), "AP_LOG_LEVEL": "WARNING", "AP_NOTIFY_OUTBOX_DIR": str(logs / "outbox")}
    service = RunningService(spec, f"http://127.0.0.1:{port}", tokens_for_every_role(issuer), [])
    try:
        # Companions first: they create the read models the API serves from.
        service.processes += [PlatformProcess(module.rsplit(".", 1)[-1], ["-m", module], env, logs)
                              for module in spec.companions]
        service.processes.append(PlatformProcess("api", ["-m", spec.module], env, logs))
        async with httpx.AsyncClient(base_url=service.base_url, timeout=30) as client:
            deadline = time.monotonic() + READY_SECONDS
            while True:
                assert all(p.popen.poll() is None for p in service.processes), service.report()
                try:
                    if (await client.get(spec.ready_path)).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"{spec.name} did not become ready\n{service.report()}"
                await asyncio.sleep(0.2)
            if spec.seeded:
                service.pupil_refs = await _seed_incidents(client, issuer)
        await asyncio.sleep(1.0)  # companions register their read models as they start
        yield service
    finally:
        for process in reversed(service.processes):
            process.stop()
        shutil.rmtree(logs, ignore_errors=True)  # the failure message carries the tails


# ----------------------------------------------------------------------------- generating and sending


@dataclass
class Findings:
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    cases: int = 0
    without_negative_examples: list[str] = field(default_factory=list)


def _strategy(operation: Any, mode: GenerationMode, pupil_refs: list[UUID]) -> Any:
    generated = operation.as_strategy(generation_mode=mode)
    names = {p.name for p in operation.path_parameters} if hasattr(operation, "path_parameters") else set()
    if "pupil_ref" not in names or not pupil_refs:
        return generated
    known = st.sampled_from(pupil_refs).flatmap(
        lambda ref: operation.as_strategy(generation_mode=mode, path_parameters={"pupil_ref": str(ref)}))
    return st.one_of(generated, known)


def coverage_cases(schema: Any, operation: Any) -> list[Any]:
    """Schemathesis' boundary cases of the operation (its coverage phase: edges of every constraint,
    missing and unexpected fields, wrong types), spread evenly down to ``COVERAGE_CASES``."""
    config = schema.config.generation_for(operation=operation, phase="coverage")
    cases = list(schema.iter_coverage_cases(operation, generation_modes=list(GenerationMode),
                                            generation_config=config))
    return cases[::max(1, len(cases) // COVERAGE_CASES)][:COVERAGE_CASES]


def exercise(service: RunningService) -> Findings:
    """Every operation: its boundary cases, then generated positive and negative examples, each
    sent with a token from the set (in turn for boundary cases, drawn for generated ones)."""
    schema = schemathesis.openapi.from_url(f"{service.base_url}/openapi.json", timeout=30)
    findings = Findings()
    session = requests.Session()
    reported: set[str] = set()

    def call(operation: Any, case: Any, token: tuple[str, Callable[[], str | None]]) -> None:
        whose, mint = token
        bearer = mint()
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        findings.cases += 1
        try:
            response = case.call(base_url=service.base_url, session=session, headers=headers, timeout=30)
        except requests.RequestException as exc:
            status, text = 0, repr(exc)
        else:
            status, text = response.status_code, response.text[:300]
        findings.statuses[status] += 1
        if (status >= 500 or status == 0) and operation.label not in reported:
            reported.add(operation.label)
            curl = case.as_curl_command(headers=headers)
            findings.server_errors.append(f"{operation.label} -> {status} ({whose}): {text}\n    {curl}")

    for result in schema.get_all_operations():
        operation = result.ok()
        for index, case in enumerate(coverage_cases(schema, operation)):
            call(operation, case, service.tokens[index % len(service.tokens)])
        for mode, examples in ((GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
                               (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)):

            # Seeding, randomness and the example database come from the selected profile (root conftest).
            @settings(max_examples=examples, deadline=None, phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=_strategy(operation, mode, service.pupil_refs),
                   token=st.sampled_from(service.tokens))
            def send(case: Any, token: tuple[str, Callable[[], str | None]]) -> None:
                call(operation, case, token)

            try:
                send()
            except Unsatisfiable:  # nothing in the operation can be made invalid (no parameters, no body)
                findings.without_negative_examples.append(operation.label)
    return findings


@pytest.mark.parametrize("running", services_under_test(), indirect=True)
async def test_no_operation_of_the_service_answers_with_a_server_error(running: RunningService) -> None:
    started = time.monotonic()
    findings = await asyncio.to_thread(exercise, running)
    seconds = time.monotonic() - started
    print(f"\n{running.spec.name}: {findings.cases} requests in {seconds:.1f}s, statuses {dict(findings.statuses)}")
    assert not findings.server_errors, "\n".join(findings.server_errors) + "\n" + running.report()
    assert findings.cases > 0 and sum(n for s, n in findings.statuses.items() if s < 300) > 0
    assert seconds < SERVICE_SECONDS, f"{running.spec.name} took {seconds:.0f}s"
