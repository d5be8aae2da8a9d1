"""The access audit, read by a data protection officer: by pupil, user and time, stating why.

Rules served: a DPO can account for who looked at what (STATUTORY.md, DPA 2018 s.62). About one
pupil, the DPO of an organisation responsible for the pupil reads every organisation's records
(policy DP-SAR-*); without a pupil, a DPO reads the records of its own organisation's users only
(DP-AUD-1). A purpose is required and the read is itself audited. Audit records hold identifiers,
decisions and stated purposes, never a payload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from ap_incidents.application.access_view import PupilAccessView
from ap_incidents.application.ports import AccessAuditReader, AuditSelection
from ap_incidents.application.resource_context import pupil_context
from ap_runtime.access import AccessGuard, AuditRecord, Principal, ResourceContext


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What the DPO asks for: records after ``after_seq``, ``since`` inclusive, ``until`` exclusive."""

    pupil_ref: UUID | None = None
    user_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after_seq: int = 0
    limit: int = 200


async def read_audit(guard: AccessGuard, audit: AccessAuditReader, principal: Principal,
                     view: PupilAccessView | None, wanted: AuditFilter, *, purpose: str | None,
                     correlation_id: UUID | None = None) -> dict[str, Any]:
    """One page of audit records, oldest first; ``next_after_seq`` continues it (None at the end)."""
    own_organisation = None if view is not None else principal.organisation_id
    context = pupil_context(view) if view is not None else ResourceContext(organisation_id=own_organisation)
    await guard.check(principal, "privacy.read_audit", context, purpose=purpose, correlation_id=correlation_id)
    records = await audit.records(AuditSelection(
        pupil_ref=wanted.pupil_ref, user_id=wanted.user_id, since=wanted.since, until=wanted.until,
        organisation_id=own_organisation, after_seq=wanted.after_seq, limit=wanted.limit))
    return {
        "scope": "pupil" if view is not None else "organisation",
        "pupil_ref": None if wanted.pupil_ref is None else str(wanted.pupil_ref),
        "organisation_id": own_organisation,
        "records": [audit_record_view(r) for r in records],
        "next_after_seq": records[-1].seq if len(records) == wanted.limit else None,
    }


def audit_record_view(record: AuditRecord) -> dict[str, Any]:
    """One audit record as JSON: who, which pupil and class, what, why, the decision and its rule."""
    return {
        "seq": record.seq,
        "at": record.at.isoformat(),
        "user_id": record.user_id,
        "roles": list(record.roles),
        "organisation_id": record.organisation_id,
        "pupil_ref": None if record.pupil_ref is None else str(record.pupil_ref),
        "record_class": record.record_class,
        "action": record.action,
        "purpose": record.purpose,
        "decision": record.decision,
        "rule_id": record.rule_id,
        "reason": record.reason,
        "break_glass": record.break_glass,
        "recipients": list(record.recipients),
        "correlation_id": None if record.correlation_id is None else str(record.correlation_id),
        "policy_version": record.policy_version,
        "hash": record.hash,
    }
