"""Which alerts a reader of an organisation's inbox is the audience of: worked out from the token's roles only.

Rule served (issue 16 follow-up): each audience sees only the alerts addressed to it. An alert names its audience
and its recipient organisation; an organisation's inbox shows a reader the alerts of that organisation whose
audience one of the reader's roles stands for. Before, every reader saw every audience but the DSL's, so an LA
officer read the virtual school head's alerts (which tell that a child is looked after) and the home school's staff
read alerts meant for the parents. The roles are those the verified token carries and the policy accepts at its
kind of organisation (``Policy.valid_roles``), never a request value.

- The virtual school head is a role of its own at the local authority (``Role.VIRTUAL_SCHOOL_HEAD``): the other
  officers of the same authority are not told which children it looks after.
- Parents are reached through the home school, which holds their contact details, but an alert to the parents
  is theirs: no role of the platform reads it (parents hold no role the policy accepts yet).
- An LA officer reads the LA's and its attendance officer's alerts, and the commissioner's when the LA
  commissioned the place (the policy lets an LA officer act as the commissioner of its own places).
- A DSL reads the DSL's alerts and those of the organisation it works for (home school or provision); safeguarding
  alerts to any other audience stay the DSL's alone (``alert_classes``).
"""

from __future__ import annotations

from collections.abc import Iterable

from ap_contracts.events.notifications import Audience
from ap_runtime.access.roles import Role

_HOME_SCHOOL = frozenset({Audience.HOME_SCHOOL, Audience.PASTORAL_LEAD})

AUDIENCES_OF_ROLE: dict[Role, frozenset[Audience]] = {
    Role.HOME_SCHOOL_STAFF: _HOME_SCHOOL,
    Role.HOME_SCHOOL_HEAD: _HOME_SCHOOL,
    Role.DSL: _HOME_SCHOOL | {Audience.DSL, Audience.PROVISION},
    Role.COMMISSIONER: frozenset({Audience.COMMISSIONER}),
    Role.LA_OFFICER: frozenset({Audience.LA, Audience.ATTENDANCE_OFFICER, Audience.COMMISSIONER}),
    Role.VIRTUAL_SCHOOL_HEAD: frozenset({Audience.VIRTUAL_SCHOOL_HEAD}),
}


def audiences_for(roles: Iterable[Role]) -> frozenset[Audience]:
    """The audiences whose alerts a reader holding ``roles`` sees (none for a role that stands for none)."""
    return frozenset().union(*(AUDIENCES_OF_ROLE.get(role, frozenset()) for role in roles))


# Alerts nobody but their own audience may act on, whatever else reaches the organisation: an escalation chain brings
# a school's or a provision's urgent alerts to its head (policy NOT-ESC-2), never a parent's or a looked-after child's.
OWN_AUDIENCE_ONLY = frozenset({Audience.PARENT, Audience.VIRTUAL_SCHOOL_HEAD})


def may_acknowledge(audience: str, roles: Iterable[Role]) -> bool:
    """Whether a reader holding ``roles`` may acknowledge an alert to ``audience`` of its own organisation.

    The policy and the escalation rules decide for the organisation's own audiences; an alert to the parents or to
    the virtual school head is acknowledged by its audience only.
    """
    if audience not in {a.value for a in OWN_AUDIENCE_ONLY}:
        return True
    return audience in {a.value for a in audiences_for(roles)}
