"""Reading a provision's staff training report (issue 13): the provision itself, and its LA's officers and
commissioners (the LA the register of organisations records for the provision: a stored fact, never the caller's
word). Every read is checked and audited by the guard (policy STAFF-2, STAFF-3)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from uuid import UUID

from ap_incidents.domain.organisations import OrganisationDirectory
from ap_incidents.domain.rules import RuleBook
from ap_incidents.domain.staff_register import StaffRegister
from ap_incidents.domain.training_report import training_report
from ap_runtime.access import AccessGuard, Principal, ResourceContext

READ_STAFF_TRAINING = "incidents.read_staff_training"


async def read_staff_training(
    guard: AccessGuard, principal: Principal, provision_id: str, on: date, rules: RuleBook, *,
    organisations: Callable[[frozenset[str]], Awaitable[OrganisationDirectory]],
    register: Callable[[str], Awaitable[StaffRegister]], correlation_id: UUID | None = None,
) -> dict[str, Any]:
    """The report of ``provision_id`` on ``on``, once the guard allows the caller."""
    directory = await organisations(frozenset({provision_id}))
    registered = directory.get(provision_id)
    local_authority = registered.local_authority_id if registered is not None else None
    await guard.check(principal, READ_STAFF_TRAINING,
                      ResourceContext(provision_id=provision_id, local_authority_id=local_authority),
                      correlation_id=correlation_id)
    return training_report(provision_id, await register(provision_id), on, rules)
