"""A token of the issuer's shape checked by hand (``token_claims``): the same principal or the same refusal as PyJWT.

Rule served: issue 11 (the command path faster) without weakening authentication. Every case is signed under the
header segment ``TokenIssuer`` writes, so the hand path sees it, and is run through the service's verifier and
through one whose decoder is PyJWT's alone (same libsodium key); both must give the same principal or the same
refusal, word for word. Claims are drawn from good values, values just inside and outside PyJWT's time bounds,
and values of the wrong type (floats, numeric strings, booleans, nulls, lists, integers beyond 64 bits); payload
texts from JSON both parsers read, and texts only the standard library reads (NaN, a byte-order mark, UTF-16).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any, cast

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Principal, TokenIssuer, TokenVerifier
from ap_runtime.access.roles import Role
from ap_runtime.access.token_claims import ISSUED_HEADER_SEGMENT
from ap_runtime.access.token_signature import ALGORITHM, SodiumEd25519, TokenDecoder
from ap_runtime.access.tokens import ServiceAudience
from ap_testing.token_outcomes import outcome

pytestmark = pytest.mark.unit

SIGNER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))  # seeded: the same key every run
INCIDENTS = ServiceAudience.INCIDENTS
LEEWAY = 30  # the verifier's default


class _PyJWTDecoder(TokenDecoder):
    """The decoder without the hand path: PyJWT's decode with the same libsodium algorithm and key."""

    def decode(self, token: str, *, audience: str, issuer: str, leeway: float, require: Sequence[str]) -> Any:
        return self._jwt.decode(token, cast(Any, self._key), algorithms=[ALGORITHM], audience=audience, issuer=issuer,
                                leeway=leeway, options={"require": list(require)})


class _PyJWTVerifier(TokenVerifier):
    def __init__(self) -> None:
        super().__init__(SIGNER.public_key(), audience=INCIDENTS)
        self._decoder = _PyJWTDecoder(SIGNER.public_key())


HAND = TokenVerifier(SIGNER.public_key(), audience=INCIDENTS)
PYJWT = _PyJWTVerifier()


def signed(payload: bytes) -> str:
    """A token with the issuer's header over ``payload`` (raw JSON text), signed by ``SIGNER``."""
    signing_input = ISSUED_HEADER_SEGMENT + b"." + jwt.utils.base64url_encode(payload)
    token: bytes = signing_input + b"." + jwt.utils.base64url_encode(SIGNER.sign(signing_input))
    return token.decode()


def good_claims() -> dict[str, Any]:
    now = int(time.time())
    return {"iss": "ap-platform", "aud": INCIDENTS.value, "sub": "u1", "iat": now, "nbf": now, "exp": now + 300,
            "jti": "j-1", "org": "prov-north", "org_kind": "provision", "roles": ["provision_staff"]}


def alike(token: str) -> Principal | str:
    hand, reference = outcome(HAND, token), outcome(PYJWT, token)
    assert hand == reference
    return hand


# Seconds from now: well inside or outside the leeway's bounds, never within 2 s of one (the clock moves on).
OFFSETS = st.sampled_from([-100_000, -3600, -60, -33, -27, -5, 0, 5, 27, 33, 60, 300, 3600, 9 * 3600])
ODD_VALUES = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False),
                       st.sampled_from([2**70, -(2**70), "", "ap-platform", "ap-incidents", "1700000000", [], {}]),
                       st.lists(st.sampled_from(["ap-incidents", "ap-finance", 7]), max_size=3), st.text(max_size=8))
TIME_CLAIMS = ("iat", "nbf", "exp")
OTHER_CLAIMS = ("iss", "aud", "sub", "jti", "org", "org_kind", "roles")
CHANGE = st.one_of(st.just(("drop",)), st.tuples(st.just("set"), ODD_VALUES))


@seed(1111)
@settings(max_examples=400, deadline=None)
@given(times=st.fixed_dictionaries({name: st.one_of(OFFSETS.map(lambda o: ("offset", o)), CHANGE)
                                    for name in TIME_CLAIMS}),
       others=st.dictionaries(st.sampled_from(OTHER_CLAIMS), CHANGE, max_size=3), float_times=st.booleans())
def test_claims_are_judged_as_pyjwt_judges_them(times: dict[str, Any], others: dict[str, Any],
                                                float_times: bool) -> None:
    claims = good_claims()
    now = claims["iat"]
    for name, change in (times | others).items():
        if change[0] == "drop":
            del claims[name]
        elif change[0] == "offset":
            claims[name] = now + change[1] + (0.5 if float_times else 0)
        else:
            claims[name] = change[1]
    alike(signed(json.dumps(claims).encode()))


def _texts() -> list[bytes]:
    good = json.dumps(good_claims())
    return [good.encode(), good.replace(", ", ",\n ").encode(), b"  " + good.encode() + b"\n",
            good.replace('"sub": "u1"', '"sub": "u1", "sub": 7').encode(),  # a duplicate key: the last wins
            good.replace('"sub": "u1"', '"sub": 7, "sub": "u1"').encode(),
            good.replace('"roles": ["provision_staff"]', '"roles": ["provision_staff"], "x": NaN').encode(),
            b"\xef\xbb\xbf" + good.encode(), good.encode("utf-16"), good.encode("utf-16-le"),
            good.replace('"u1"', '"\\u0075\\u0031"').encode(), good.replace('"u1"', '"\\ud800"').encode(),
            good.replace('"u1"', '"caf\xe9"').encode(), good.replace('"u1"', '"caf\xe9"').encode("latin-1"),
            b"[" + good.encode() + b"]", b"null", b"", b"{", good.encode() + b" {}", b'{"exp": 1e400}']


@pytest.mark.parametrize("text", _texts())
def test_payload_texts_are_read_as_pyjwt_reads_them(text: bytes) -> None:
    alike(signed(text))


def test_a_token_the_issuer_minted_is_checked_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hand path is the one taken: with PyJWT's decode broken, a minted token still verifies, and a token
    of any other header spelling goes to PyJWT."""
    token = TokenIssuer(SIGNER, audience=INCIDENTS).mint(user_id="u1", organisation_id="prov-north",
                                                         org_kind=OrgKind.PROVISION, roles=[Role.PROVISION_STAFF])
    assert token.encode().startswith(ISSUED_HEADER_SEGMENT + b".")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("PyJWT's decode was called")

    monkeypatch.setattr(jwt.PyJWT, "decode", broken)
    assert isinstance(outcome(HAND, token), Principal)
    with pytest.raises(AssertionError, match="PyJWT's decode was called"):
        HAND.verify(token.replace(ISSUED_HEADER_SEGMENT.decode(), jwt.utils.base64url_encode(
            b'{"alg": "EdDSA", "typ": "JWT"}').decode(), 1))


@pytest.mark.parametrize("case", ["accepted", "expired", "forged", "wrong audience", "junk payload"])
def test_each_verification_checks_the_signature_once(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    checks: list[bytes] = []
    real = SodiumEd25519.verify

    def counting(self: SodiumEd25519, msg: bytes, key: Any, sig: bytes) -> bool:
        checks.append(msg)
        answer: bool = real(self, msg, key, sig)
        return answer

    monkeypatch.setattr(SodiumEd25519, "verify", counting)
    claims = good_claims()
    token = {"accepted": lambda: signed(json.dumps(claims).encode()),
             "expired": lambda: signed(json.dumps(claims | {"exp": claims["iat"] - 600}).encode()),
             "forged": lambda: signed(json.dumps(claims).encode())[:-4] + "AAAA",
             "wrong audience": lambda: signed(json.dumps(claims | {"aud": "ap-finance"}).encode()),
             "junk payload": lambda: signed(b"{not json")}[case]()
    answer = outcome(HAND, token)
    assert isinstance(answer, Principal) == (case == "accepted")
    assert len(checks) == 1


def test_a_forged_signature_on_a_well_formed_token_is_refused_as_pyjwt_refuses_it() -> None:
    token = signed(json.dumps(good_claims()).encode())
    head, _, signature = token.rpartition(".")
    raw = bytearray(jwt.utils.base64url_decode(signature))
    raw[10] ^= 0x01
    other = Ed25519PrivateKey.from_private_bytes(bytes(range(2, 34))).sign(head.encode())
    for forged in (bytes(raw), other, bytes(64)):
        assert alike(f"{head}.{jwt.utils.base64url_encode(forged).decode()}") == "token signature is invalid"
