"""Who is calling: the verified identity carried by a bearer token."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from ap_contracts.envelope import Actor, OrgKind
from ap_runtime.access.roles import Role


@dataclass(frozen=True, slots=True)
class Principal:
    """A user acting for one organisation with a set of roles, as asserted by a verified token."""

    user_id: str
    organisation_id: str
    org_kind: OrgKind
    roles: frozenset[Role]
    # The verified token's id and expiry: what a write service records to refuse a replay. Not part
    # of who the caller is, so two tokens of the same person give equal principals.
    token_id: str | None = field(default=None, compare=False)
    token_expires_at: datetime | None = field(default=None, compare=False)

    def actor(self) -> Actor:
        """The ``Actor`` to stamp on events this principal causes."""
        return _actor(self.user_id, self.organisation_id, self.roles)


# Every command builds its caller's Actor from a principal of a fresh token, and a validated model each time was
# ~0.6% of the API's CPU a command (issue 11); the same person commands again and again, so recent Actors are
# kept. An Actor is immutable (a frozen model); one the model refuses raises every time (nothing is kept).
@lru_cache(maxsize=1024)
def _actor(user_id: str, organisation_id: str, roles: frozenset[Role]) -> Actor:
    return Actor(user_id=user_id, organisation_id=organisation_id, roles=tuple(sorted(role.value for role in roles)))
