"""Reading the placement register: every row the caller's organisation answers for, and no other.

Rules served: a provision sees its own placements, a home school its own pupils', a commissioner
the places it commissioned, a partnership its provision's (by pseudonymous reference only), a local
authority those of the pupils on roll at schools registered in its area and the places it
commissioned (s19 duty; policy REG-*), and nobody else's: another area's authority learns nothing of
a pupil, not even that it exists (an empty list). The read (``PlacementRegisterReadModel``) keeps
only rows related to the caller's organisation in a way the policy grants it, so ``limit`` counts rows
the caller may see; each row is then judged by the policy on its own organisations (stored facts:
the pupil's current home school, that school's registered LA, the placement's parties), so a filter
parameter can never widen what is returned; each pupil served is audited.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

from ap_contracts.personal import RecordClass
from ap_incidents.application.ports import PlacementRegisterReadModel, RegisterFilter, Row
from ap_incidents.projections.sealed_personal import SealedSource, open_first
from ap_runtime.access import AccessGuard, Policy, Principal, ResourceContext, decide, redact
from ap_runtime.access.context import Relationship
from ap_runtime.privacy.codec import PersonalDataCodec

_PERSONAL = {"display_name": RecordClass.PUPIL_IDENTITY}


async def read_placement_register(
    guard: AccessGuard, policy: Policy, register: PlacementRegisterReadModel, codec: PersonalDataCodec,
    principal: Principal, *,
    status: str | None = None, provision_id: str | None = None, pupil_ref: UUID | None = None,
    limit: int = 200, correlation_id: UUID | None = None,
) -> dict[str, Any]:
    """The register rows the caller may see, with the pupil's name only where its rule shows identity."""
    org = principal.organisation_id
    # Refused outright (and audited) when no relationship at all would let the caller read the register.
    everywhere = ResourceContext(provision_id=org, home_school_id=org, commissioner_id=org, partnership_id=org,
                                 organisation_id=org, local_authority_id=org)
    await guard.check(principal, "incidents.read_placement_register", everywhere, correlation_id=correlation_id)
    sees_all = decide(principal, "incidents.read_placement_register", ResourceContext(), policy=policy).allowed
    # Only rows related to the caller's organisation under a granted relationship are read, so that
    # ``limit`` counts rows the caller may see.
    rows = await register.rows(RegisterFilter(
        organisation_id=org, sees_all=sees_all, relationships=_granted_relationships(principal, policy),
        status=status, provision_id=provision_id, pupil_ref=pupil_ref, limit=limit))
    served: list[dict[str, Any]] = []
    naming: dict[str, list[SealedSource]] = {}  # pupils whose name the caller may see: opened below
    audited: dict[UUID, ResourceContext] = {}
    for row in rows:
        context = _row_context(row)
        decision = decide(principal, "incidents.read_placement_register", context, policy=policy)
        if not decision.allowed:
            continue
        audited.setdefault(row["pupil_ref"], context)
        shown = redact(_as_json(row), _PERSONAL, decision)
        if "display_name" in shown:
            naming[str(row["pupil_ref"])] = json.loads(row["display_name_sources"] or "[]")
        served.append(shown)
    names = await open_first(codec, naming, "display_name") if naming else {}
    for shown in served:
        if "display_name" in shown:
            shown["display_name"] = names.get(shown["pupil_ref"])
    await asyncio.gather(*(guard.check(principal, "incidents.read_placement_register", context,
                                       correlation_id=correlation_id) for context in audited.values()))
    return {"placements": served, "count": len(served)}


def _row_context(row: Row) -> ResourceContext:
    """The row's stored organisations: the pupil's current home school and its LA, the placement's parties."""
    return ResourceContext(pupil_ref=row["pupil_ref"], provision_id=row["provision_id"],
                           home_school_id=row["pupil_home_school_id"], commissioner_id=row["commissioner_id"],
                           partnership_id=row["partnership_id"], local_authority_id=row["pupil_local_authority_id"])


# Under each relationship the register read compares one column with the caller's organisation;
# each probe is a resource where only that relationship points at the organisation.
_RELATIONSHIP_PROBES: dict[Relationship, Callable[[str], ResourceContext]] = {
    Relationship.OWN_PROVISION: lambda org: ResourceContext(provision_id=org),
    Relationship.PUPIL_HOME_SCHOOL: lambda org: ResourceContext(home_school_id=org),
    Relationship.PUPIL_COMMISSIONER: lambda org: ResourceContext(commissioner_id=org),
    Relationship.OWN_PARTNERSHIP: lambda org: ResourceContext(partnership_id=org),
    Relationship.PUPIL_LOCAL_AUTHORITY: lambda org: ResourceContext(local_authority_id=org),
}


def _granted_relationships(principal: Principal, policy: Policy) -> list[str]:
    """The relationships under which the policy lets ``principal`` read register rows at all."""
    return [relationship.value for relationship, probe in _RELATIONSHIP_PROBES.items()
            if decide(principal, "incidents.read_placement_register", probe(principal.organisation_id),
                      policy=policy).allowed]


def _as_json(row: Row) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("pupil_home_school_id", "pupil_local_authority_id"):
            continue
        if key == "display_name_sources":  # sealed: stands in for the name until it is opened
            out["display_name"] = None
            continue
        out[key] = value.isoformat() if hasattr(value, "isoformat") else (
            str(value) if isinstance(value, UUID) else value)
    return out
