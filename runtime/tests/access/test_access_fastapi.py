"""Access control through a real FastAPI app, with the audit written to real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio
import structlog
from fastapi import Depends, FastAPI

from ap_contracts.envelope import OrgKind, StrictModel
from ap_contracts.personal import BehaviourNarrative, SafeguardingNarrative
from ap_runtime.access import (
    AccessDenied,
    AccessGuard,
    AuditLog,
    BreakGlassAccess,
    Decision,
    PolicyStore,
    Principal,
    ResourceContext,
    Role,
    TokenIssuer,
    TokenVerifier,
    generate_keypair,
    open_audit_pool,
    query,
    redact_event,
    verify,
)
from ap_runtime.access.fastapi import (
    AccessHeaders,
    Guard,
    access_headers,
    authorise,
    guard_from_request,
    install_access,
    principal_from_request,
)
from ap_runtime.access.guard import AuditUnavailable
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.http.problems import install_problem_handlers

pytestmark = pytest.mark.integration

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.INCIDENTS)
VERIFIER = TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.INCIDENTS)
PUPIL = uuid4()
PLACEMENTS = {
    PUPIL: ResourceContext(
        pupil_ref=PUPIL, provision_id="prov-north", home_school_id="school-a", commissioner_id="la-county"
    )
}


class IncidentView(StrictModel):
    what_happened: BehaviourNarrative
    disclosure: SafeguardingNarrative
    severity: int


INCIDENT = {"what_happened": "kicked a door", "disclosure": "mentioned trouble at home", "severity": 2}


def token(org: str, kind: OrgKind, *roles: Role, **kwargs: Any) -> dict[str, str]:
    minted = ISSUER.mint(user_id=f"user-{org}", organisation_id=org, org_kind=kind, roles=roles, **kwargs)
    return {"Authorization": f"Bearer {minted}"}


STAFF = token("prov-north", OrgKind.PROVISION, Role.PROVISION_STAFF)
OTHER_SCHOOL = token("school-b", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_STAFF)
HEAD = token("school-a", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)


async def pupil_context(pupil_ref: UUID) -> ResourceContext:
    return PLACEMENTS[pupil_ref]


def build_app(guard: AccessGuard) -> FastAPI:
    app = FastAPI()
    install_access(app, verifier=VERIFIER, guard=guard)
    install_problem_handlers(app)  # as every service does: refusals in the one problem format (issue 10)

    @app.get("/pupils/{pupil_ref}/behaviour-log")
    async def behaviour_log(
        decision: Annotated[Decision, Depends(authorise("incidents.read_behaviour_log", pupil_context))],
    ) -> dict[str, Any]:
        return redact_event(INCIDENT, IncidentView, decision)

    @app.get("/pupils/{pupil_ref}/safeguarding")
    async def safeguarding(
        decision: Annotated[Decision, Depends(authorise("incidents.read_safeguarding_detail", pupil_context))],
    ) -> dict[str, Any]:
        return redact_event(INCIDENT, IncidentView, decision)

    @app.post("/pupils/{pupil_ref}/commissioner-decision")
    async def commissioner_decision(
        pupil_ref: UUID,
        principal: Annotated[Principal, Depends(principal_from_request)],
        guard: Annotated[Guard, Depends(guard_from_request)],
        headers: Annotated[AccessHeaders, Depends(access_headers)],
    ) -> dict[str, str]:
        await guard.check(
            principal,
            "incidents.record_commissioner_decision",
            PLACEMENTS[pupil_ref],
            purpose=headers.purpose,
            correlation_id=headers.correlation_id,
        )
        return {"recorded": "yes"}

    return app


@pytest_asyncio.fixture(loop_scope="session")
async def audit_pool(new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_audit_pool(await new_database("access_api"), max_size=5)
    yield pool
    await pool.close()


@pytest.fixture
def told_dsl() -> list[BreakGlassAccess]:
    return []


@pytest_asyncio.fixture(loop_scope="session")
async def client(audit_pool: asyncpg.Pool, told_dsl: list[BreakGlassAccess]) -> AsyncIterator[httpx.AsyncClient]:
    async def notify_dsl(access: BreakGlassAccess) -> None:
        told_dsl.append(access)

    app = build_app(AccessGuard(AuditLog(audit_pool), notify_dsl=notify_dsl))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ap.test") as http:
        yield http


# ---- 401 -----------------------------------------------------------------------------------------------


async def test_no_token_is_401_with_reason(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/pupils/{PUPIL}/behaviour-log")
    assert response.status_code == 401
    assert response.json() == {"type": "urn:ap:problem:unauthenticated", "title": "Not authenticated", "status": 401,
                               "detail": "missing bearer token", "instance": f"/pupils/{PUPIL}/behaviour-log"}
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (
            token(
                "prov-north",
                OrgKind.PROVISION,
                Role.PROVISION_STAFF,
                ttl_seconds=60,
                now=datetime.now(UTC) - timedelta(hours=1),
            ),
            "token has expired",
        ),
        ({"Authorization": STAFF["Authorization"][:-4] + "AAAA"}, "token signature is invalid"),
        (
            {
                "Authorization": "Bearer "
                + TokenIssuer(load_private_key(KEYS.private_pem), audience="elsewhere").mint(
                    user_id="u", organisation_id="prov-north", org_kind=OrgKind.PROVISION, roles=[Role.PROVISION_STAFF]
                )
            },
            "token is not for this audience (expected ap-incidents)",
        ),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "missing bearer token"),
    ],
    ids=["expired", "tampered", "wrong-audience", "not-bearer"],
)
async def test_bad_tokens_are_401_with_reason(client: httpx.AsyncClient, headers: dict[str, str], reason: str) -> None:
    response = await client.get(f"/pupils/{PUPIL}/behaviour-log", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == reason
    assert response.json()["type"] == "urn:ap:problem:unauthenticated"


async def test_a_401_is_logged_with_reason_and_caller_address_but_never_the_token(client: httpx.AsyncClient) -> None:
    finance_token = ISSUER.mint(user_id="u", organisation_id="prov-north", org_kind=OrgKind.PROVISION,
                                roles=[Role.PROVISION_STAFF], audience=ServiceAudience.FINANCE)
    with structlog.testing.capture_logs() as logs:
        refused = await client.get(f"/pupils/{PUPIL}/behaviour-log",
                                   headers={"Authorization": f"Bearer {finance_token}"})
        missing = await client.get(f"/pupils/{PUPIL}/behaviour-log")
    assert (refused.status_code, missing.status_code) == (401, 401)
    lines = [line for line in logs if line["event"] == "access.unauthenticated"]
    assert [(line["reason"], line["client"], line["method"]) for line in lines] == [
        ("token is not for this audience (expected ap-incidents)", "127.0.0.1", "GET"),
        ("missing bearer token", "127.0.0.1", "GET"),
    ]
    assert finance_token not in repr(logs) and finance_token.split(".")[2] not in repr(logs)


# ---- allowed, denied, audited ----------------------------------------------------------------------------


async def test_staff_read_the_log_without_safeguarding_and_are_audited(
    client: httpx.AsyncClient, audit_pool: asyncpg.Pool
) -> None:
    correlation = uuid4()
    response = await client.get(
        f"/pupils/{PUPIL}/behaviour-log", headers={**STAFF, "X-Correlation-ID": str(correlation)}
    )
    assert response.status_code == 200
    assert response.json() == {"what_happened": "kicked a door", "severity": 2}
    [record] = await query(audit_pool, user="user-prov-north")
    assert (record.decision, record.rule_id, record.pupil_ref) == ("allowed", "LOG-1", PUPIL)
    assert (record.action, record.correlation_id, record.break_glass) == (
        "incidents.read_behaviour_log",
        correlation,
        False,
    )
    assert record.roles == ("provision_staff",) and record.organisation_id == "prov-north"


async def test_another_schools_staff_get_403_and_the_denial_is_audited_and_logged(
    client: httpx.AsyncClient, audit_pool: asyncpg.Pool
) -> None:
    with structlog.testing.capture_logs() as logs:
        response = await client.get(f"/pupils/{PUPIL}/behaviour-log", headers=OTHER_SCHOOL)
    assert response.status_code == 403
    problem = response.json()
    assert (problem["type"], problem["rule"]) == ("urn:ap:problem:access-denied", "LOG-2")
    assert "organisation school-b is not (rule LOG-2)" in problem["detail"]
    [record] = await query(audit_pool, pupil=PUPIL)
    assert (record.decision, record.rule_id, record.user_id) == ("denied", "LOG-2", "user-school-b")
    [denial] = [line for line in logs if line["event"] == "access.denied"]
    assert denial["rule"] == "LOG-2" and denial["pupil_ref"] == str(PUPIL)


async def test_a_provider_calling_the_commissioner_decision_is_refused(client: httpx.AsyncClient) -> None:
    manager = token("prov-north", OrgKind.PROVISION, Role.PROVISION_MANAGER)
    response = await client.post(f"/pupils/{PUPIL}/commissioner-decision", headers=manager)
    assert response.status_code == 403
    assert response.json()["rule"] == "EXC-2"
    commissioner = token("la-county", OrgKind.LOCAL_AUTHORITY, Role.COMMISSIONER)
    assert (await client.post(f"/pupils/{PUPIL}/commissioner-decision", headers=commissioner)).status_code == 200


async def test_a_role_change_applies_at_the_next_request(client: httpx.AsyncClient) -> None:
    # Roles travel in each request's token: the same user re-issued as a DSL sees safeguarding at once.
    before = await client.get(f"/pupils/{PUPIL}/behaviour-log", headers=STAFF)
    assert "disclosure" not in before.json()
    promoted = token("prov-north", OrgKind.PROVISION, Role.PROVISION_STAFF, Role.DSL)
    after = await client.get(f"/pupils/{PUPIL}/behaviour-log", headers=promoted)
    assert after.json()["disclosure"] == "mentioned trouble at home"


# ---- break-glass -----------------------------------------------------------------------------------------


async def test_break_glass_is_served_flagged_and_the_dsl_is_told(
    client: httpx.AsyncClient, audit_pool: asyncpg.Pool, told_dsl: list[BreakGlassAccess]
) -> None:
    refused = await client.get(f"/pupils/{PUPIL}/safeguarding", headers=HEAD)
    assert refused.status_code == 403 and refused.json()["rule"] == "SG-BG-1"
    no_purpose = await client.get(f"/pupils/{PUPIL}/safeguarding", headers={**HEAD, "X-Break-Glass": "true"})
    assert no_purpose.status_code == 403 and "purpose" in no_purpose.json()["detail"]
    assert told_dsl == []

    response = await client.get(
        f"/pupils/{PUPIL}/safeguarding",
        headers={**HEAD, "X-Break-Glass": "true", "X-Access-Purpose": "DSL unreachable; pupil at risk tonight"},
    )
    assert response.status_code == 200
    assert response.json() == {"disclosure": "mentioned trouble at home", "severity": 2}
    [told] = told_dsl
    assert (told.principal.user_id, told.rule_id, told.resource.pupil_ref) == ("user-school-a", "SG-BG-1", PUPIL)
    [flagged] = await query(audit_pool, break_glass=True)
    assert (flagged.decision, flagged.purpose) == ("allowed", "DSL unreachable; pupil at risk tonight")
    assert flagged.purpose_category is None  # a note alone, from a caller predating categories
    assert len(await query(audit_pool, pupil=PUPIL)) == 3
    assert (await verify(audit_pool)).ok


async def test_an_overlong_purpose_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"/pupils/{PUPIL}/safeguarding", headers={**HEAD, "X-Break-Glass": "true", "X-Access-Purpose": "x" * 501}
    )
    assert response.status_code == 422
    assert response.json()["type"] == "urn:ap:problem:invalid-purpose"


# ---- failing closed --------------------------------------------------------------------------------------


async def test_an_access_that_cannot_be_audited_is_refused(new_database: Callable[[str], Awaitable[str]]) -> None:
    pool = await open_audit_pool(await new_database("access_down"), max_size=2)
    guard = AccessGuard(AuditLog(pool))
    await pool.close()  # the audit database is gone
    staff = Principal("u1", "prov-north", OrgKind.PROVISION, frozenset({Role.PROVISION_STAFF}))
    with pytest.raises(AuditUnavailable):
        await guard.check(staff, "incidents.read_behaviour_log", PLACEMENTS[PUPIL])
    with pytest.raises(AccessDenied):  # a denial is still a denial
        await guard.check(staff, "incidents.read_safeguarding_detail", PLACEMENTS[PUPIL])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(guard)), base_url="http://t") as http:
        unaudited = await http.get(f"/pupils/{PUPIL}/behaviour-log", headers=STAFF)
    assert unaudited.status_code == 503 and unaudited.json()["type"] == "urn:ap:problem:audit-unavailable"


async def test_an_unreadable_policy_is_503(audit_pool: asyncpg.Pool, tmp_path: Path) -> None:
    broken = tmp_path / "policy.yaml"
    broken.write_text("version: [", encoding="utf-8")
    guard = AccessGuard(AuditLog(audit_pool), policy=PolicyStore(broken))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(guard)), base_url="http://t") as http:
        response = await http.get(f"/pupils/{PUPIL}/behaviour-log", headers=STAFF)
    assert response.status_code == 503
    assert "invalid access policy" in response.json()["detail"]
    assert response.json()["type"] == "urn:ap:problem:policy-unavailable"
