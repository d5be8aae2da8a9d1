"""Reading the term dates an organisation has recorded (issue 13: term dates maintained through the API).

Term dates are published facts of an organisation, with no pupil data, so the policy lets the parties who count
with them read them (CAL-2); the read is checked and audited like every other. The latest recording of each
academic year is the one in force, as every service's fold (``recorded_calendars``) takes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.organisations import TermDatesRecorded
from ap_runtime.access import AccessGuard, Principal, ResourceContext

READ_TERM_DATES = "incidents.read_term_dates"


async def read_term_dates(guard: AccessGuard, principal: Principal, organisation_id: str,
                          history: Sequence[DomainEvent], *, correlation_id: UUID | None = None) -> dict[str, Any]:
    """The organisation's recorded years, latest recording of each, in year order."""
    await guard.check(principal, READ_TERM_DATES, ResourceContext(organisation_id=organisation_id),
                      correlation_id=correlation_id)
    years = {e.academic_year: e for e in history if isinstance(e, TermDatesRecorded)}
    return {"organisation_id": organisation_id, "years": [
        years[year].model_dump(mode="json", include={"academic_year", "local_authority_id", "nation", "half_terms",
                                                     "inset_days"})
        for year in sorted(years)]}
