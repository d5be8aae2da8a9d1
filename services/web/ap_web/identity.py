"""Who is signed in: the identity provider's claims mapped to the platform's organisation and roles.

Rule (issue 16, sign-in): the web service grants nothing the provider did not assert. The claims
``org``, ``org_kind`` and ``roles`` must name an organisation kind and roles the platform knows;
anything else refuses the sign-in (``UnknownPlatformClaim``) rather than guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role


class UnknownPlatformClaim(ValueError):
    """Rule WEB-SIGNIN-1: the provider's claims do not name a known organisation, kind or role."""

    rule = "WEB-SIGNIN-1"


@dataclass(frozen=True, slots=True)
class SignedInPerson:
    user_id: str
    name: str
    organisation_id: str
    org_kind: OrgKind
    roles: tuple[Role, ...]

    def as_session(self) -> dict[str, Any]:
        return {"sub": self.user_id, "name": self.name, "org": self.organisation_id,
                "org_kind": self.org_kind.value, "roles": [role.value for role in self.roles]}


def person_from_claims(claims: Mapping[str, Any]) -> SignedInPerson:
    """The signed-in person from the provider's (or the session's) claims, or ``UnknownPlatformClaim``."""
    user_id, organisation = claims.get("sub"), claims.get("org")
    if not isinstance(user_id, str) or not user_id:
        raise UnknownPlatformClaim("the identity has no subject ('sub')")
    if not isinstance(organisation, str) or not organisation:
        raise UnknownPlatformClaim(f"{user_id}: no organisation ('org') in the identity")
    try:
        org_kind = OrgKind(str(claims.get("org_kind")))
    except ValueError:
        raise UnknownPlatformClaim(f"{user_id}: unknown organisation kind {claims.get('org_kind')!r}") from None
    raw_roles = claims.get("roles")
    if not isinstance(raw_roles, list) or not raw_roles:
        raise UnknownPlatformClaim(f"{user_id}: no roles ('roles') in the identity")
    roles: list[Role] = []
    for raw in raw_roles:
        try:
            roles.append(Role(raw))
        except ValueError:
            raise UnknownPlatformClaim(f"{user_id}: unknown role {raw!r}") from None
    name = claims.get("name")
    return SignedInPerson(user_id, name if isinstance(name, str) and name else user_id, organisation, org_kind,
                          tuple(roles))
