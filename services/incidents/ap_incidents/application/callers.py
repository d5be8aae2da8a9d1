"""From the verified token's ``Principal`` to the domain's ``Caller``.

Only the roles the caller's kind of organisation may hold count (policy ``role_org_kinds``), so a
provision's token claiming ``home_school_head`` never passes a rule reserved to the head.
"""

from __future__ import annotations

from ap_incidents.domain.caller import Caller
from ap_runtime.access import Policy, Principal


def caller_from(principal: Principal, policy: Policy) -> Caller:
    return Caller(
        user_id=principal.user_id,
        organisation_id=principal.organisation_id,
        org_kind=principal.org_kind,
        roles=frozenset(role.value for role in policy.valid_roles(principal)),
    )
