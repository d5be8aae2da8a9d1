"""Token rules of issue 9: a bounded lifetime, one audience per service, a token id on every token.

Rules served: a stolen token is useful for hours, not years (MAX_TOKEN_LIFETIME_SECONDS); a token
minted for one service opens no other (ServiceAudience); each token carries a ``jti`` so a write
service can refuse its replay (``token_replay``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role, TokenIssuer, TokenRejected, TokenVerifier, generate_keypair
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import MAX_TOKEN_LIFETIME_SECONDS, ServiceAudience

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem))
INCIDENTS = TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.INCIDENTS)
FINANCE = TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.FINANCE)


def mint(audience: str = ServiceAudience.INCIDENTS, **overrides: object) -> str:
    claims: dict[str, object] = {"user_id": "u1", "organisation_id": "prov-north", "org_kind": OrgKind.PROVISION,
                                 "roles": [Role.PROVISION_STAFF], "audience": audience}
    return ISSUER.mint(**{**claims, **overrides})  # type: ignore[arg-type]


def signed(lifetime: timedelta, **claims: object) -> str:
    """A token signed with the platform's real key by someone ignoring the issuer's bound."""
    now = datetime.now(UTC)
    payload: dict[str, object] = {"iss": "ap-platform", "aud": ServiceAudience.INCIDENTS.value, "sub": "u1",
                                  "iat": now, "nbf": now, "exp": now + lifetime, "jti": "j-1", "org": "prov-north",
                                  "org_kind": "provision", "roles": ["provision_staff"], **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, load_private_key(KEYS.private_pem),
                      algorithm="EdDSA")


def test_the_lifetime_bound_is_a_working_day() -> None:
    assert MAX_TOKEN_LIFETIME_SECONDS == 8 * 3600


def test_a_ten_year_token_is_refused_even_when_validly_signed() -> None:
    with pytest.raises(TokenRejected, match="lifetime of 87600 h exceeds the 8 h allowed"):
        INCIDENTS.verify(signed(timedelta(days=3650)))


def test_a_token_just_within_the_bound_is_accepted() -> None:
    assert INCIDENTS.verify(signed(timedelta(seconds=MAX_TOKEN_LIFETIME_SECONDS))).user_id == "u1"


def test_the_issuer_refuses_to_mint_beyond_the_bound() -> None:
    with pytest.raises(ValueError, match="ttl_seconds must be between 1 and 28800"):
        mint(ttl_seconds=MAX_TOKEN_LIFETIME_SECONDS + 1)


@pytest.mark.parametrize("claim", ["jti", "iat"])
def test_a_token_without_an_id_or_issue_time_is_refused(claim: str) -> None:
    with pytest.raises(TokenRejected, match=f"lacks the '{claim}' claim"):
        INCIDENTS.verify(signed(timedelta(minutes=5), **{claim: None}))


def test_a_token_minted_for_finance_is_refused_by_incidents_and_the_reverse() -> None:
    for_finance, for_incidents = mint(ServiceAudience.FINANCE), mint(ServiceAudience.INCIDENTS)
    assert FINANCE.verify(for_finance).user_id == "u1"
    with pytest.raises(TokenRejected, match="not for this audience \\(expected ap-incidents\\)"):
        INCIDENTS.verify(for_finance)
    with pytest.raises(TokenRejected, match="expected ap-finance"):
        FINANCE.verify(for_incidents)


def test_a_token_for_every_service_at_once_is_refused() -> None:
    everywhere = signed(timedelta(minutes=5), aud=[a.value for a in ServiceAudience])
    with pytest.raises(TokenRejected, match="one audience"):
        INCIDENTS.verify(everywhere)


def test_an_issuer_must_name_the_service_a_token_is_for() -> None:
    with pytest.raises(ValueError, match="audience"):
        ISSUER.mint(user_id="u1", organisation_id="o", org_kind=OrgKind.PROVISION, roles=[Role.DSL])


def test_the_principal_carries_the_token_id_and_expiry() -> None:
    principal = INCIDENTS.verify(mint())
    assert principal.token_id and len(principal.token_id) >= 32
    assert principal.token_expires_at is not None and principal.token_expires_at > datetime.now(UTC)
    assert INCIDENTS.verify(mint()).token_id != principal.token_id
