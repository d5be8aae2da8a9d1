"""The provision's pupils as the incidents service gives them to the signed-in person (its placement register):
staff pick a pupil from this list and never type a reference.

Rule served: who may see which pupil is the service's decision, from stored facts and the person's token; the web
asks only for the active placements at the person's own organisation, and a pupil not among them is not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ap_web.context import ServiceUnavailable, WebContext
from ap_web.identity import SignedInPerson
from ap_web.service_client import ServiceAnswer


@dataclass(frozen=True, slots=True)
class PlacedPupil:
    pupil_ref: str
    placement_id: str
    name: str
    start_date: str
    planned_end_date: str


def _pupil(row: dict[str, object]) -> PlacedPupil:
    pupil_ref = str(row.get("pupil_ref", ""))
    name = row.get("display_name")
    return PlacedPupil(pupil_ref, str(row.get("placement_id", "")),
                       name if isinstance(name, str) and name else f"Pupil {pupil_ref[:8]}",
                       str(row.get("start_date", "")), str(row.get("planned_end_date", "")))


async def placed_pupils(web: WebContext, person: SignedInPerson, pupil_ref: UUID | None = None
                        ) -> tuple[ServiceAnswer, list[PlacedPupil]]:
    """The active placements at the person's organisation (one pupil's, with ``pupil_ref``), by name."""
    params = {"status": "active", "provision_id": person.organisation_id}
    if pupil_ref is not None:
        params["pupil_ref"] = str(pupil_ref)
    answer = await web.client("incidents").get("/v1/placements", person, params=params)
    if answer.status >= 500:
        raise ServiceUnavailable("incidents")
    rows = answer.body.get("placements") if answer.ok else None
    pupils = [_pupil(row) for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
    return answer, sorted(pupils, key=lambda pupil: pupil.name)


async def placed_pupil(web: WebContext, person: SignedInPerson, pupil_ref: UUID) -> PlacedPupil | None:
    """The pupil's active placement at the person's organisation, or None (not there, or not theirs)."""
    _answer, pupils = await placed_pupils(web, person, pupil_ref)
    return next((pupil for pupil in pupils if pupil.pupil_ref == str(pupil_ref)), None)
