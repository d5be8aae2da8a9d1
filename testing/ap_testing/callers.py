"""A person calling a service's HTTP API in a test, with a bearer token minted by the test's own issuer.

Each service's test fixtures name their callers with one subclass that sets the issuer (its keys and its
audience), so every service's tests build the same ``Authorization`` header the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Principal, Role, TokenIssuer


@dataclass(frozen=True, slots=True)
class TokenCaller:
    user_id: str
    organisation_id: str
    org_kind: OrgKind
    role: Role

    #: Set by each subclass: the issuer whose public key the service under test trusts.
    issuer: ClassVar[TokenIssuer]

    @property
    def principal(self) -> Principal:
        return Principal(self.user_id, self.organisation_id, self.org_kind, frozenset({self.role}))

    @property
    def headers(self) -> dict[str, str]:
        token = self.issuer.mint(user_id=self.user_id, organisation_id=self.organisation_id,
                                 org_kind=self.org_kind, roles=[self.role])
        return {"Authorization": f"Bearer {token}"}
