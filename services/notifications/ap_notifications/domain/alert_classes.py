"""Which notifications are safeguarding information: read, acknowledged and exported as that class.

Rule served: that a safeguarding alert exists about a pupil is itself safeguarding information
(KCSIE; policy NOT-DSL-1 / NOT-1, issue 9). Every alert to a DSL is, and so is an alert about a
safeguarding concern or a drug or weapon found, whichever organisation it is sent to: the home
school is told of every concern at once (BRIEF section 5), and its DSL is who reads it.
"""

from __future__ import annotations

from ap_contracts.events.notifications import Audience

SAFEGUARDING_RULES = frozenset({"safeguarding_concern", "drug_or_weapon_found"})


def is_safeguarding_alert(rule_name: str, audience: str) -> bool:
    return rule_name in SAFEGUARDING_RULES or audience == Audience.DSL.value
