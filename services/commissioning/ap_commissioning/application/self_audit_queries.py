"""The self-audit reads, each authorised on the audit's stored provider and commissioner (issue 13).

Rule served: a provider sees only its own self-audits, a commissioner only those it asked for; the lists
take only the audits the caller's organisation is a stored party to, and each is still checked by the guard
(and audited) before it is shown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ap_commissioning.application.self_audit_views import (
    SelfAuditView,
    StatementAcrossProviders,
    StatementTrend,
    across_providers,
    self_audit_view,
    statement_trends,
)
from ap_commissioning.domain.declarations import READ_SELF_AUDITS
from ap_commissioning.domain.self_audit import self_audit_stream_id
from ap_commissioning.domain.self_audit_errors import SelfAuditNotRequested
from ap_runtime.access import Authoriser, Principal, ResourceContext
from ap_runtime.eventstore.port import EventStorePort

AuditsOf = Callable[[str], Awaitable[list[tuple[str, str, str]]]]
"""organisation -> (provider, commissioner, academic year) of the audits it is a party to"""


class SelfAuditQueries:
    def __init__(self, store: EventStorePort, audits_of: AuditsOf, authoriser: Authoriser) -> None:
        self._store = store
        self._audits_of = audits_of
        self._authoriser = authoriser

    async def one(self, principal: Principal, provider_id: str, commissioner_id: str, academic_year: str,
                  purpose: str | None = None) -> SelfAuditView:
        """One audit, statement by statement; 404 ``self_audit.requested`` when none was asked for."""
        view = self_audit_view(await self._store.load(
            self_audit_stream_id(provider_id, commissioner_id, academic_year)))
        # Authorised on the stored parties when recorded; else on the path's (a stranger is refused either way,
        # so whether an audit exists is told only to its parties).
        parties = (view.provider_id, view.commissioner_id) if view else (provider_id, commissioner_id)
        await self._authoriser.check(principal, READ_SELF_AUDITS,
                                     ResourceContext(provision_id=parties[0], commissioner_id=parties[1]),
                                     purpose=purpose)
        if view is None:
            raise SelfAuditNotRequested(provider_id, academic_year)
        return view

    async def _own(self, principal: Principal, purpose: str | None,
                   keep: Callable[[str, str], bool]) -> list[SelfAuditView]:
        found = [key for key in await self._audits_of(principal.organisation_id) if keep(key[0], key[1])]
        return [await self.one(principal, p, c, y, purpose) for p, c, y in found]

    async def own(self, principal: Principal, purpose: str | None = None) -> list[SelfAuditView]:
        """Every audit the caller's organisation is a party to (as provider or commissioner)."""
        return await self._own(principal, purpose, lambda _p, _c: True)

    async def trend(self, principal: Principal, provider_id: str, commissioner_id: str,
                    purpose: str | None = None) -> tuple[StatementTrend, ...]:
        """Each statement's ratings year by year, for one provider and the commissioner it shares with."""
        await self._authoriser.check(principal, READ_SELF_AUDITS,
                                     ResourceContext(provision_id=provider_id, commissioner_id=commissioner_id),
                                     purpose=purpose)
        audits = await self._own(principal, purpose, lambda p, c: (p, c) == (provider_id, commissioner_id))
        return statement_trends(audits)

    async def across_my_providers(self, principal: Principal,
                                  purpose: str | None = None) -> tuple[StatementAcrossProviders, ...]:
        """The caller as commissioner: per statement and year, its providers counted by standing rating."""
        mine = principal.organisation_id
        return across_providers(await self._own(principal, purpose, lambda _p, c: c == mine))
