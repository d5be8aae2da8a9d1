"""Bearer tokens: what a service accepts, what it refuses, and the key and CLI plumbing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Principal, Role, TokenIssuer, TokenRejected, TokenVerifier, generate_keypair
from ap_runtime.access.cli import app
from ap_runtime.access.keys import (
    PRIVATE_KEY_ENV,
    PUBLIC_KEY_ENV,
    KeyConfigError,
    load_private_key,
    load_public_key,
    private_key_from_env,
)
from ap_runtime.access.tokens import ServiceAudience

KEYS = generate_keypair()
INCIDENTS = ServiceAudience.INCIDENTS
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=INCIDENTS)
VERIFIER = TokenVerifier(load_public_key(KEYS.public_pem), audience=INCIDENTS)


def mint(issuer: TokenIssuer = ISSUER, **overrides: object) -> str:
    claims: dict[str, object] = {
        "user_id": "u1",
        "organisation_id": "prov-north",
        "org_kind": OrgKind.PROVISION,
        "roles": [Role.PROVISION_STAFF],
    }
    return issuer.mint(**{**claims, **overrides})  # type: ignore[arg-type]


def raw_token(payload: dict[str, object], key: Ed25519PrivateKey | None = None) -> str:
    signer = key or load_private_key(KEYS.private_pem)
    base: dict[str, object] = {
        "iss": "ap-platform",
        "aud": "ap-incidents",
        "jti": "token-1",
        "sub": "u1",
        "iat": datetime.now(UTC),
        "nbf": datetime.now(UTC),
        "exp": datetime.now(UTC) + timedelta(minutes=5),
        "org": "prov-north",
        "org_kind": "provision",
        "roles": ["provision_staff"],
    }
    return jwt.encode({k: v for k, v in {**base, **payload}.items() if v is not None}, signer, algorithm="EdDSA")


def test_a_valid_token_names_the_principal() -> None:
    principal = VERIFIER.verify(mint(roles=[Role.DSL, Role.PROVISION_STAFF]))
    assert principal == Principal("u1", "prov-north", OrgKind.PROVISION, frozenset({Role.DSL, Role.PROVISION_STAFF}))
    assert principal.actor().roles == ("dsl", "provision_staff")


def test_a_tampered_signature_is_rejected() -> None:
    header, payload, signature = mint().split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    with pytest.raises(TokenRejected, match="signature is invalid"):
        VERIFIER.verify(f"{header}.{payload}.{flipped}")


def test_a_tampered_payload_is_rejected() -> None:
    header, _, signature = mint().split(".")
    forged = base64.urlsafe_b64encode(b'{"sub":"u1","org":"la","org_kind":"local_authority","roles":["la_officer"]}')
    with pytest.raises(TokenRejected):
        VERIFIER.verify(f"{header}.{forged.decode().rstrip('=')}.{signature}")


def test_a_token_signed_by_another_key_is_rejected() -> None:
    stranger = TokenIssuer(load_private_key(generate_keypair().private_pem), audience=INCIDENTS)
    with pytest.raises(TokenRejected, match="signature is invalid"):
        VERIFIER.verify(mint(stranger))


def test_an_expired_token_is_rejected() -> None:
    old = datetime.now(UTC) - timedelta(hours=2)
    with pytest.raises(TokenRejected, match="expired"):
        VERIFIER.verify(mint(ttl_seconds=60, now=old))


def test_a_token_from_the_future_is_rejected() -> None:
    with pytest.raises(TokenRejected, match="not valid yet"):
        VERIFIER.verify(mint(now=datetime.now(UTC) + timedelta(hours=1)))


def test_the_wrong_audience_is_rejected() -> None:
    other_service = TokenIssuer(load_private_key(KEYS.private_pem), audience="someone-else")
    with pytest.raises(TokenRejected, match="audience"):
        VERIFIER.verify(mint(other_service))


def test_the_wrong_issuer_is_rejected() -> None:
    impostor = TokenIssuer(load_private_key(KEYS.private_pem), issuer="elsewhere", audience=INCIDENTS)
    with pytest.raises(TokenRejected, match="issued by"):
        VERIFIER.verify(mint(impostor))


def test_unsigned_and_hmac_tokens_are_rejected() -> None:
    unsigned = jwt.encode({"sub": "u1"}, key="", algorithm="none")
    with pytest.raises(TokenRejected):
        VERIFIER.verify(unsigned)

    # Algorithm confusion: HMAC keyed with the (public) verification key, forged by hand since
    # PyJWT refuses to sign one.
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": "u1", "org": "la", "org_kind": "local_authority", "roles": ["la_officer"]}).encode())
    mac = hmac.new(KEYS.public_pem.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    with pytest.raises(TokenRejected, match="EdDSA"):
        VERIFIER.verify(f"{header}.{body}.{b64(mac)}")


@pytest.mark.parametrize("claim", ["exp", "sub", "aud", "iss"])
def test_a_missing_required_claim_is_rejected(claim: str) -> None:
    with pytest.raises(TokenRejected):
        VERIFIER.verify(raw_token({claim: None}))


@pytest.mark.parametrize(
    "claims",
    [{"roles": ["janitor"]}, {"roles": []}, {"org_kind": "pub"}, {"org": ""}, {"org": None}],
)
def test_platform_claims_are_validated(claims: dict[str, object]) -> None:
    with pytest.raises(TokenRejected, match="claims are invalid"):
        VERIFIER.verify(raw_token(claims))


def test_garbage_is_rejected() -> None:
    with pytest.raises(TokenRejected, match="malformed"):
        VERIFIER.verify("not-a-token")


def test_ttl_is_bounded() -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        mint(ttl_seconds=0)
    with pytest.raises(ValueError, match="ttl_seconds"):
        mint(ttl_seconds=7 * 24 * 3600)


def test_keys_load_from_pem_and_every_base64_form() -> None:
    private = load_private_key(KEYS.private_pem)
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    der_public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for text in (KEYS.private_b64, base64.b64encode(raw_private).decode()):
        issuer = TokenIssuer(load_private_key(text), audience=INCIDENTS)
        for public in (KEYS.public_b64, base64.b64encode(der_public).decode(), KEYS.public_pem):
            assert TokenVerifier(load_public_key(public), audience=INCIDENTS).verify(mint(issuer)).user_id == "u1"


def test_bad_keys_are_refused_with_a_reason() -> None:
    with pytest.raises(KeyConfigError, match="neither PEM nor base64"):
        load_private_key("%%% not a key %%%")
    with pytest.raises(KeyConfigError):
        load_public_key(KEYS.private_b64)
    with pytest.raises(KeyConfigError, match="not set"):
        private_key_from_env({})


def test_issuer_and_verifier_from_env() -> None:
    env = {PRIVATE_KEY_ENV: KEYS.private_b64, PUBLIC_KEY_ENV: KEYS.public_b64, "AP_TOKEN_AUDIENCE": "ap-finance"}
    token = TokenIssuer.from_env(env).mint(
        user_id="u9", organisation_id="la", org_kind=OrgKind.LOCAL_AUTHORITY, roles=[Role.LA_OFFICER]
    )
    assert TokenVerifier.from_env(ServiceAudience.FINANCE, env).verify(token).user_id == "u9"
    with pytest.raises(TokenRejected, match="audience"):
        VERIFIER.verify(token)


def test_cli_keygen_then_mint_gives_a_verifiable_token() -> None:
    runner = CliRunner()
    generated = runner.invoke(app, ["keygen"])
    assert generated.exit_code == 0, generated.output
    env = dict(line.split("=", 1) for line in generated.output.strip().splitlines())
    minted = runner.invoke(
        app,
        [
            "mint",
            "--user",
            "u1",
            "--org",
            "prov-north",
            "--org-kind",
            "provision",
            "--role",
            "provision_staff",
            "--role",
            "dsl",
            "--ttl",
            "3600",
            "--audience",
            "ap-incidents",
        ],
        env=env,
    )
    assert minted.exit_code == 0, minted.output
    principal = TokenVerifier(load_public_key(env[PUBLIC_KEY_ENV]), audience=INCIDENTS).verify(minted.output.strip())
    assert principal.roles == {Role.PROVISION_STAFF, Role.DSL}
    assert principal.org_kind is OrgKind.PROVISION


def test_cli_mint_refuses_unknown_roles_and_missing_keys() -> None:
    runner = CliRunner()
    unknown = runner.invoke(
        app,
        ["mint", "--user", "u1", "--org", "o", "--org-kind", "provision", "--role", "janitor",
         "--audience", "ap-incidents"],
        env={PRIVATE_KEY_ENV: KEYS.private_b64},
    )
    assert unknown.exit_code != 0
    no_key = runner.invoke(
        app,
        ["mint", "--user", "u1", "--org", "o", "--org-kind", "provision", "--role", "dsl", "--audience", "ap-finance"],
        env={PRIVATE_KEY_ENV: ""},
    )
    assert no_key.exit_code == 2
    assert "AP_TOKEN_PRIVATE_KEY is not set" in no_key.output


@pytest.mark.integration  # runs a real program in a subprocess: not a unit test (ap_testing.levels)
def test_python_dash_m_entrypoint_mints() -> None:
    env = {PRIVATE_KEY_ENV: KEYS.private_b64, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ap_runtime.access",
            "mint",
            "--user",
            "u1",
            "--org",
            "prov-north",
            "--org-kind",
            "provision",
            "--role",
            "provision_staff",
            "--ttl",
            "3600",
            "--audience",
            "ap-incidents",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    assert VERIFIER.verify(done.stdout.strip()).organisation_id == "prov-north"
