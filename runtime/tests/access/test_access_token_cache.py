"""Verified tokens are remembered until they expire: one signature check per token, never longer valid."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role, TokenIssuer, TokenRejected, generate_keypair
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.token_cache import CachingTokenVerifier
from ap_runtime.access.token_signature import SodiumEd25519
from ap_runtime.access.tokens import ServiceAudience

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.INCIDENTS)


def _mint(ttl_seconds: int = 600) -> str:
    return ISSUER.mint(user_id="u1", organisation_id="prov-north", org_kind=OrgKind.PROVISION,
                       roles=[Role.PROVISION_STAFF], ttl_seconds=ttl_seconds)


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every signature check the verifier makes (libsodium verifications, by signing input)."""
    seen: list[str] = []
    real = SodiumEd25519.verify

    def counting(self: SodiumEd25519, msg: bytes, key: Any, sig: bytes) -> bool:
        seen.append(msg.decode())
        return real(self, msg, key, sig)

    monkeypatch.setattr(SodiumEd25519, "verify", counting)
    return seen


def _verifier(clock: Callable[[], float], **options: Any) -> CachingTokenVerifier:
    return CachingTokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.INCIDENTS,
                                leeway_seconds=0, clock=clock, **options)


def test_a_token_is_checked_once_while_valid(decodes: list[str]) -> None:
    verifier = _verifier(time.time)
    token = _mint()
    first, second = verifier.verify(token), verifier.verify(token)
    assert first == second and first.token_id == second.token_id
    assert len(decodes) == 1


def test_a_remembered_token_is_refused_once_expired(decodes: list[str]) -> None:
    verifier = _verifier(time.time)
    token = _mint(ttl_seconds=1)
    verifier.verify(token)
    time.sleep(1.2)  # past exp (leeway 0): memory does not answer, the full check refuses it
    with pytest.raises(TokenRejected, match="expired"):
        verifier.verify(token)
    assert len(decodes) == 2


def test_a_refused_token_is_not_remembered(decodes: list[str]) -> None:
    verifier = _verifier(time.time)
    forged = _mint()[:-4] + "AAAA"
    for _ in range(2):
        with pytest.raises(TokenRejected):
            verifier.verify(forged)
    assert len(decodes) == 2


def test_memory_is_bounded(decodes: list[str]) -> None:
    verifier = _verifier(time.time, max_tokens=2)
    first = _mint()
    for token in (first, _mint(), _mint()):
        verifier.verify(token)
    verifier.verify(first)  # pushed out by the newer two: checked again
    assert len(decodes) == 4
