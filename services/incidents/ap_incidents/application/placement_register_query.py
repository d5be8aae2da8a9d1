"""Reading the placement register: every row the caller's organisation answers for, and no other.

Rules served: a provision sees its own placements, a home school its own pupils', a commissioner
the places it commissioned, a partnership its provision's (by pseudonymous reference only), a local
authority those of the pupils on roll at schools registered in its area and the places it
commissioned (s19 duty; policy REG-*), and nobody else's: another area's authority learns nothing of
a pupil, not even that it exists (an empty list). The SQL keeps only rows related to the caller's
organisation in a way the policy grants it, so ``limit`` counts rows the caller may see; each row is
then judged by the policy on its own organisations (stored facts: the pupil's current home school,
that school's registered LA, the placement's parties), so a filter parameter can never widen what is
returned; each pupil served is audited.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

import asyncpg

from ap_contracts.personal import RecordClass
from ap_incidents.projections.placement_register import PlacementRegisterProjection
from ap_incidents.projections.sealed_personal import SealedSource, open_first
from ap_runtime.access import AccessGuard, Action, Policy, Principal, ResourceContext, decide, redact
from ap_runtime.access.context import Relationship
from ap_runtime.privacy.codec import PersonalDataCodec
from ap_runtime.projection import read_model

_PERSONAL = {"display_name": RecordClass.PUPIL_IDENTITY}

# $7: the relationships under which the policy lets the caller read the register at all; a row is
# selected only when the caller's organisation ($2) stands in one of them to it (or $1: a rule needing
# no relationship). The same columns make the per-row ResourceContext below.
_SELECT = """
SELECT p.pupil_ref, p.placement_id, p.provision_id,
       coalesce(r.home_school_id, p.home_school_id) AS pupil_home_school_id,
       o.local_authority_id AS pupil_local_authority_id,
       p.home_school_id, p.commissioner_id, p.partnership_id, p.key_stage, p.outside_key_stage,
       p.start_date, p.planned_end_date, p.timetable, p.reduced_timetable_review_date, p.next_review_date,
       p.incident_severity_threshold, p.attendance_threshold_percent, p.status, p.end_date, p.end_reason,
       p.destination_id, r.display_name_sources, coalesce(r.erased, false) AS erased
  FROM placements p
  LEFT JOIN register_pupils r USING (pupil_ref)
  LEFT JOIN register_organisations o ON o.organisation_id = coalesce(r.home_school_id, p.home_school_id)
 WHERE ($1::boolean
        OR ('own_provision' = ANY($7::text[]) AND p.provision_id = $2)
        OR ('pupil_home_school' = ANY($7::text[]) AND coalesce(r.home_school_id, p.home_school_id) = $2)
        OR ('pupil_commissioner' = ANY($7::text[]) AND p.commissioner_id = $2)
        OR ('own_partnership' = ANY($7::text[]) AND p.partnership_id = $2)
        OR ('pupil_local_authority' = ANY($7::text[]) AND o.local_authority_id = $2))
   AND ($3::text IS NULL OR p.status = $3)
   AND ($4::text IS NULL OR p.provision_id = $4)
   AND ($5::uuid IS NULL OR p.pupil_ref = $5)
 ORDER BY p.start_date, p.placement_id
 LIMIT $6
"""


async def read_placement_register(
    guard: AccessGuard, policy: Policy, read_pool: asyncpg.Pool, codec: PersonalDataCodec, principal: Principal, *,
    status: str | None = None, provision_id: str | None = None, pupil_ref: UUID | None = None,
    limit: int = 200, correlation_id: UUID | None = None,
) -> dict[str, Any]:
    """The register rows the caller may see, with the pupil's name only where its rule shows identity."""
    org = principal.organisation_id
    # Refused outright (and audited) when no relationship at all would let the caller read the register.
    everywhere = ResourceContext(provision_id=org, home_school_id=org, commissioner_id=org, partnership_id=org,
                                 organisation_id=org, local_authority_id=org)
    await guard.check(principal, Action.READ_PLACEMENT_REGISTER, everywhere, correlation_id=correlation_id)
    sees_all = decide(principal, Action.READ_PLACEMENT_REGISTER, ResourceContext(), policy=policy).allowed
    async with read_model(read_pool, PlacementRegisterProjection.name) as conn:
        rows = await conn.fetch(_SELECT, sees_all, org, status, provision_id, pupil_ref, limit,
                                _granted_relationships(principal, policy))
    served: list[dict[str, Any]] = []
    naming: dict[str, list[SealedSource]] = {}  # pupils whose name the caller may see: opened below
    audited: dict[UUID, ResourceContext] = {}
    for row in rows:
        context = ResourceContext(pupil_ref=row["pupil_ref"], provision_id=row["provision_id"],
                                  home_school_id=row["pupil_home_school_id"],
                                  commissioner_id=row["commissioner_id"], partnership_id=row["partnership_id"],
                                  local_authority_id=row["pupil_local_authority_id"])
        decision = decide(principal, Action.READ_PLACEMENT_REGISTER, context, policy=policy)
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
    await asyncio.gather(*(guard.check(principal, Action.READ_PLACEMENT_REGISTER, context,
                                       correlation_id=correlation_id) for context in audited.values()))
    return {"placements": served, "count": len(served)}


# Under each relationship the register compares one column with the caller's organisation (see _SELECT);
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
            if decide(principal, Action.READ_PLACEMENT_REGISTER, probe(principal.organisation_id),
                      policy=policy).allowed]


def _as_json(row: asyncpg.Record) -> dict[str, Any]:
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
