"""Who is trained in what at a provision, on a day (issue 13: a report for the provision and its commissioner).

Rule served: training gates what staff may do, so the report says for each member of staff which training is
in date (completed, not expired, not revoked) and, for each kind, who may rely on it that day; and which kinds
each gated act needs (``RuleBook.training_required_for_force``). Staff ids only: no pupil data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ap_contracts.events.pupil_vocabulary import TrainingKind
from ap_incidents.domain.rules import RuleBook
from ap_incidents.domain.staff_register import StaffRegister


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def training_report(provision_id: str, register: StaffRegister, on: date, rules: RuleBook) -> dict[str, Any]:
    """The register as read on ``on``: each member's training, and the staff in date for each kind."""
    staff: dict[str, list[dict[str, Any]]] = {}
    trained_in: dict[str, list[str]] = {kind.value: [] for kind in TrainingKind}
    for (member, kind), qualification in sorted(register.qualifications.items()):
        in_date = qualification.valid_on(on)
        staff.setdefault(member, []).append({
            "training": kind.value, "programme": qualification.programme,
            "completed_on": _iso(qualification.completed_on), "expires_on": _iso(qualification.expires_on),
            "revoked_on": _iso(qualification.revoked_on), "in_date": in_date,
        })
        if in_date:
            trained_in[kind.value].append(member)
    return {
        "provision_id": provision_id, "as_of": on.isoformat(), "rule_version": rules.version,
        "staff": [{"staff_id": member, "training": rows} for member, rows in staff.items()],
        "trained_in": trained_in,
        "required": {"physical_intervention": sorted(k.value for k in rules.training_required_for_force)},
    }
