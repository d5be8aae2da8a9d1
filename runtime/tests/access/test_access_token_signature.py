"""The token signature checked by libsodium: what was accepted still is, what was refused still is, for the same reason.

Rule served: issue 11 moved the Ed25519 check from cryptography (OpenSSL) to libsodium; every other check
stays PyJWT's. Each case runs through the service's verifier and through the verifier as it was
(PyJWT's own EdDSA with the cryptography key) and both must give the same principal or the same
refusal, word for word, since callers turn the reason into the 401 body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st
from jwt.api_jws import PyJWS
from jwt.exceptions import DecodeError, InvalidKeyError

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Principal, Role, TokenIssuer, TokenVerifier
from ap_runtime.access.token_signature import ALGORITHM, SodiumEd25519, TokenDecoder, _SodiumJWS
from ap_runtime.access.tokens import ServiceAudience
from ap_testing.token_outcomes import outcome

SIGNER = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))  # seeded: the same key every run
PUBLIC = SIGNER.public_key()
INCIDENTS = ServiceAudience.INCIDENTS
ISSUER = TokenIssuer(SIGNER, audience=INCIDENTS)
GROUP_ORDER = 2**252 + 27742317777372353535851937790883648493  # L, the order of Ed25519's base point
INVALID_SIGNATURE = "token signature is invalid"
WRONG_ALGORITHM = f"token must be signed with {ALGORITHM}"


class _OpenSSLDecoder(TokenDecoder):
    """The check as it was before libsodium: ``jwt.decode`` with PyJWT's EdDSA and the cryptography key."""

    def __init__(self, public_key: Ed25519PublicKey) -> None:
        super().__init__(public_key)
        self._public_key = public_key

    def decode(self, token: str, *, audience: str, issuer: str, leeway: float, require: Sequence[str]) -> Any:
        return jwt.decode(token, self._public_key, algorithms=[ALGORITHM], audience=audience, issuer=issuer,
                          leeway=leeway, options={"require": list(require)})


class _OpenSSLVerifier(TokenVerifier):
    def __init__(self, public_key: Ed25519PublicKey) -> None:
        super().__init__(public_key, audience=INCIDENTS)
        self._decoder = _OpenSSLDecoder(public_key)


NEW = TokenVerifier(PUBLIC, audience=INCIDENTS)
OLD = _OpenSSLVerifier(PUBLIC)


def refused_alike(token: str) -> str:
    """The reason both verifiers give (they must refuse, and say the same)."""
    new, old = outcome(NEW, token), outcome(OLD, token)
    assert isinstance(new, str), f"libsodium verifier accepted {token!r}"
    assert new == old
    return new


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def mint(issuer: TokenIssuer = ISSUER, **overrides: Any) -> str:
    claims: dict[str, Any] = {"user_id": "u1", "organisation_id": "prov-north", "org_kind": OrgKind.PROVISION,
                              "roles": [Role.PROVISION_STAFF]}
    return issuer.mint(**{**claims, **overrides})


def hand_made(header: dict[str, Any], payload: dict[str, Any], sign: Any) -> str:
    """A compact JWS assembled by hand, signed by ``sign(signing_input) -> bytes``."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64(sign(signing_input.encode()))}"


def good_payload() -> dict[str, Any]:
    now = int(datetime.now(UTC).timestamp())
    return {"iss": "ap-platform", "aud": INCIDENTS.value, "sub": "u1", "iat": now, "nbf": now, "exp": now + 300,
            "jti": "j-1", "org": "prov-north", "org_kind": "provision", "roles": ["provision_staff"]}


@settings(max_examples=60)
@given(user=st.text(st.characters(codec="utf-8"), min_size=1, max_size=40),
       roles=st.sets(st.sampled_from(list(Role)), min_size=1), kind=st.sampled_from(list(OrgKind)))
def test_tokens_signed_as_today_verify_to_the_same_principal(user: str, roles: set[Role], kind: OrgKind) -> None:
    token = mint(user_id=user, roles=roles, org_kind=kind)
    principal = NEW.verify(token)
    assert principal == OLD.verify(token)
    assert (principal.user_id, principal.roles, principal.org_kind) == (user, roles, kind)


@settings(max_examples=300)
@given(segment=st.sampled_from([0, 1, 2]), bit=st.integers(min_value=0, max_value=4095))
def test_a_flipped_bit_anywhere_is_refused_for_the_same_reason(segment: int, bit: int) -> None:
    parts = mint().split(".")
    raw = bytearray(unb64(parts[segment]))
    raw[(bit // 8) % len(raw)] ^= 1 << (bit % 8)
    parts[segment] = b64(bytes(raw))
    reason = refused_alike(".".join(parts))
    if segment == 2:
        assert reason == INVALID_SIGNATURE


@settings(max_examples=300)
@given(position=st.integers(min_value=0, max_value=1000), replacement=st.sampled_from("AQgw_-9z"))
def test_a_changed_character_of_the_token_text_is_refused_for_the_same_reason(position: int, replacement: str) -> None:
    token = mint()
    index = position % len(token)
    if token[index] in ".":
        index -= 1
    changed = token[:index] + replacement + token[index + 1:]
    if changed != token:
        refused_alike(changed)


@settings(max_examples=20)
@given(seed=st.binary(min_size=32, max_size=32))
def test_another_keys_signature_is_refused(seed: bytes) -> None:
    stranger = Ed25519PrivateKey.from_private_bytes(seed)
    if stranger.public_key() == PUBLIC:
        return
    assert refused_alike(mint(TokenIssuer(stranger, audience=INCIDENTS))) == INVALID_SIGNATURE


def with_signature(token: str, signature: bytes) -> str:
    return token.rsplit(".", 1)[0] + "." + b64(signature)


def test_a_non_canonical_signature_is_refused() -> None:
    """S + L verifies the same equation as S: RFC 8032 (and both libraries) refuse it, no malleable tokens."""
    token = mint()
    signature = unb64(token.rsplit(".", 1)[1])
    s = int.from_bytes(signature[32:], "little") + GROUP_ORDER
    assert s < 2**256
    assert refused_alike(with_signature(token, signature[:32] + s.to_bytes(32, "little"))) == INVALID_SIGNATURE


@pytest.mark.parametrize("length", [0, 1, 32, 63, 65, 128])
def test_a_signature_of_the_wrong_length_is_refused(length: int) -> None:
    token = mint()
    signature = unb64(token.rsplit(".", 1)[1])
    resized = (signature * 3)[:length]
    assert refused_alike(with_signature(token, resized)) == INVALID_SIGNATURE


@pytest.mark.parametrize("signature", [bytes(64), b"\x01" + bytes(63), b"\xff" * 64], ids=["zeros", "one", "ones"])
def test_degenerate_signatures_are_refused(signature: bytes) -> None:
    assert refused_alike(with_signature(mint(), signature)) == INVALID_SIGNATURE


PUBLIC_RAW = PUBLIC.public_bytes_raw()
PUBLIC_PEM = PUBLIC.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize("secret", [PUBLIC_RAW, PUBLIC_PEM], ids=["raw", "pem"])
@pytest.mark.parametrize("alg", ["HS256", "HS512"])
def test_hmac_signed_with_the_public_key_is_refused(secret: bytes, alg: str) -> None:
    digest = hashlib.sha256 if alg == "HS256" else hashlib.sha512
    token = hand_made({"alg": alg, "typ": "JWT"}, good_payload(), lambda data: hmac.new(secret, data, digest).digest())
    assert refused_alike(token) == WRONG_ALGORITHM


@pytest.mark.parametrize("header", [{"alg": "none"}, {"typ": "JWT"}, {"alg": None}, {"alg": ""}, {"alg": "eddsa"},
                                    {"alg": "Ed25519"}, {"alg": "ES256"}, {"alg": "RS256"}])
def test_unsigned_unnamed_and_other_algorithms_are_refused(header: dict[str, Any]) -> None:
    for signature in (b"", SIGNER.sign(b"x"), bytes(64)):
        assert refused_alike(hand_made(header, good_payload(), lambda _data, s=signature: s)) == WRONG_ALGORITHM


def test_a_correct_signature_under_an_unexpected_header_is_judged_by_the_header() -> None:
    """An EdDSA signature is only EdDSA's when the header says so: a valid one under ``alg: none`` is refused."""
    assert refused_alike(hand_made({"alg": "none"}, good_payload(), SIGNER.sign)) == WRONG_ALGORITHM
    assert isinstance(outcome(NEW, hand_made({"alg": "EdDSA"}, good_payload(), SIGNER.sign)), Principal)


@pytest.mark.parametrize("header", [{"kid": 7}, {"crit": ["exp"]}, {"crit": []}, {"b64": False, "crit": ["b64"]}])
def test_malformed_headers_are_refused_as_before(header: dict[str, Any]) -> None:
    assert refused_alike(hand_made({"alg": "EdDSA", **header}, good_payload(), SIGNER.sign)).startswith("token is")


@pytest.mark.parametrize("change", [{"exp": -600, "iat": -900, "nbf": -900}, {"nbf": 3600}, {"aud": "ap-finance"},
                                    {"aud": ["ap-incidents", "ap-finance"]}, {"iss": "elsewhere"}, {"exp": 9 * 3600},
                                    {"roles": ["janitor"]}, {"iat": "soon"}],
                         ids=["expired", "not-yet", "audience", "audiences", "issuer", "lifetime", "role", "iat"])
def test_claim_checks_refuse_as_before(change: dict[str, Any]) -> None:
    payload = good_payload()
    for name, value in change.items():
        payload[name] = payload["iat"] + value if isinstance(value, int) else value
    refused_alike(hand_made({"alg": "EdDSA", "typ": "JWT"}, payload, SIGNER.sign))


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf", "iss", "aud", "sub", "jti", "org", "org_kind", "roles"])
def test_every_required_claim_is_still_required(claim: str) -> None:
    payload = {name: value for name, value in good_payload().items() if name != claim}
    refused_alike(hand_made({"alg": "EdDSA", "typ": "JWT"}, payload, SIGNER.sign))


def test_the_signature_is_checked_by_libsodium(monkeypatch: pytest.MonkeyPatch) -> None:
    """The verifier's answer is libsodium's: with its check refusing, a genuine token is refused."""
    monkeypatch.setattr(SodiumEd25519, "verify", lambda self, msg, key, sig: False)
    assert outcome(NEW, mint()) == INVALID_SIGNATURE
    assert isinstance(outcome(OLD, mint()), Principal)


@pytest.mark.parametrize("key", [PUBLIC_PEM, PUBLIC_PEM.decode(), PUBLIC_RAW, PUBLIC, SIGNER, b""])
def test_the_algorithm_takes_no_key_but_a_verify_key(key: Any) -> None:
    """No key confusion inside the algorithm either: bytes, PEM or cryptography keys are refused outright."""
    with pytest.raises(InvalidKeyError, match="VerifyKey"):
        SodiumEd25519().prepare_key(key)
    with pytest.raises(NotImplementedError):
        SodiumEd25519().sign(b"x", key)


B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
SEGMENTS = st.one_of(st.binary(max_size=60).map(b64), st.binary(max_size=60).map(lambda raw: b64(raw) + "="),
                     st.text(B64URL, max_size=40), st.text(B64URL + "=+/.! \x00\xe9", max_size=40))


@settings(max_examples=600)
@given(segment=SEGMENTS)
def test_a_segment_is_judged_as_pyjwt_judges_it(segment: str) -> None:
    """The fast base64url check decodes what PyJWT decodes and refuses what it refuses, with its message."""

    def judge(decode: Any) -> bytes | str:
        try:
            return bytes(decode(segment.encode(), "payload"))
        except DecodeError as refused:
            return str(refused)

    assert judge(_SodiumJWS._decode_base64url_segment) == judge(PyJWS._decode_base64url_segment)


@pytest.mark.parametrize("segment", [0, 1, 2])
@pytest.mark.parametrize("padding", ["=", "==", "===", "%3D", " "])
def test_padded_or_spaced_segments_are_treated_as_before(segment: int, padding: str) -> None:
    parts = mint().split(".")
    parts[segment] += padding
    token = ".".join(parts)
    assert outcome(NEW, token) == outcome(OLD, token)
