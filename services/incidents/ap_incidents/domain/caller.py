"""Who is acting: the organisation, its kind and the caller's roles, as the access layer resolved them.

Who may ask is the access policy's rule (EXC-3: only the home-school head excludes). The domain sees
the caller only for rules that need a fact of the record the policy does not see: whether the caller's
organisation is the one named on this placement or entry, or the party that requested a transfer; and,
for correcting an entry only a head makes, whether the corrector holds that role.
"""

from __future__ import annotations

from dataclasses import dataclass

from ap_contracts.envelope import OrgKind

# Role names as the access policy spells them (ap_runtime.access.roles.Role values).
HOME_SCHOOL_HEAD = "home_school_head"


@dataclass(frozen=True, slots=True)
class Caller:
    user_id: str
    organisation_id: str
    org_kind: OrgKind
    roles: frozenset[str] = frozenset()

    def acts_for(self, organisation_id: str | None) -> bool:
        return organisation_id is not None and self.organisation_id == organisation_id

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_local_authority(self) -> bool:
        return self.org_kind is OrgKind.LOCAL_AUTHORITY
