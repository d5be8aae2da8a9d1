"""The reads of service level agreements, each authorised on the agreement's stored parties.

Rule served (issue 13): a provider sees only its own agreements and a commissioner only its own. The lists
(``own``, ``in_force_for_provision``, ``overdue_reviews``) take only the agreements the caller's organisation
is a stored party to, and each is still checked by the guard (and audited).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime

from ap_commissioning.application.sla_views import (
    ReviewStatusView,
    SlaView,
    VersionView,
    review_status_view,
    sla_view,
    version_view,
)
from ap_commissioning.domain.declarations import READ_SLAS
from ap_commissioning.domain.sla import SlaState, fold, sla_stream_id
from ap_commissioning.domain.sla_errors import SlaNotInForce, SlaNotRecorded
from ap_commissioning.domain.sla_review import review_due
from ap_runtime.access import Authoriser, Principal, ResourceContext
from ap_runtime.eventstore.port import EventStorePort

PartiesOf = Callable[[str, str | None], Awaitable[list[tuple[str, str]]]]
"""(organisation, provision or None) -> the (provision, commissioner) pairs the organisation is a party to."""


class SlaQueries:
    def __init__(self, store: EventStorePort, parties_of: PartiesOf, authoriser: Authoriser,
                 clock: Callable[[], datetime]) -> None:
        self._store = store
        self._parties_of = parties_of
        self._authoriser = authoriser
        self._clock = clock

    def today(self) -> date:
        return self._clock().date()

    async def _load(self, principal: Principal, provision_id: str, commissioner_id: str,
                    purpose: str | None) -> SlaState:
        state = fold(await self._store.load(sla_stream_id(provision_id, commissioner_id)))
        recorded = state.recorded and (state.provision_id, state.commissioner_id) == (provision_id, commissioner_id)
        ctx = ResourceContext(provision_id=provision_id, commissioner_id=commissioner_id)
        await self._authoriser.check(principal, READ_SLAS, ctx, purpose=purpose)
        if not recorded:
            raise SlaNotRecorded(provision_id, commissioner_id)
        return state

    async def sla(self, principal: Principal, provision_id: str, commissioner_id: str,
                  purpose: str | None = None) -> SlaView:
        state = await self._load(principal, provision_id, commissioner_id, purpose)
        today = self.today()
        return sla_view(state, today, review_due(state, today))

    async def in_force(self, principal: Principal, provision_id: str, commissioner_id: str, on: date,
                       purpose: str | None = None) -> VersionView:
        state = await self._load(principal, provision_id, commissioner_id, purpose)
        found = state.in_force_on(on)
        if found is None:
            raise SlaNotInForce(on)
        return version_view(state, *found)

    async def review_status(self, principal: Principal, provision_id: str, commissioner_id: str,
                            purpose: str | None = None) -> ReviewStatusView:
        state = await self._load(principal, provision_id, commissioner_id, purpose)
        return review_status_view(state, review_due(state, self.today()))

    async def _own(self, principal: Principal, provision_id: str | None,
                   purpose: str | None) -> list[SlaState]:
        pairs = await self._parties_of(principal.organisation_id, provision_id)
        return [await self._load(principal, p, c, purpose) for p, c in pairs]

    async def own(self, principal: Principal, on: date | None = None, purpose: str | None = None) -> list[SlaView]:
        """Every agreement the caller's organisation is a party to (with ``on``: only those in force then)."""
        today = self.today()
        return [sla_view(s, today, review_due(s, today)) for s in await self._own(principal, None, purpose)
                if on is None or s.in_force_on(on) is not None]

    async def in_force_for_provision(self, principal: Principal, provision_id: str, on: date,
                                     purpose: str | None = None) -> list[VersionView]:
        """The versions in force for a provision on a date, among the agreements the caller is a party to."""
        found = [(s, s.in_force_on(on)) for s in await self._own(principal, provision_id, purpose)]
        return [version_view(s, *v) for s, v in found if v is not None]

    async def overdue_reviews(self, principal: Principal, purpose: str | None = None) -> list[ReviewStatusView]:
        """The caller's agreements whose review is past its date (alerting them is issue 14's)."""
        today = self.today()
        statuses = [review_status_view(s, review_due(s, today)) for s in await self._own(principal, None, purpose)]
        return [status for status in statuses if status.overdue]
