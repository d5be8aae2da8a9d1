"""Publishing a finance report (issue 15, provenance): ``ReportPublished`` records what the report was built
from, and a re-issue says which figures changed since the edition before.

Rules served: a published report can be built again byte for byte (it is as recorded by a moment, and the
event names that moment and every stream position read); a back-dated correction is visible as such (each
edition after the first lists its changed figures: the edition before is rebuilt as recorded by its own moment
and compared). Publishing is its own action (``finance.publish_reports``), authorised on the stored budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4, uuid5

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.reports import FigureChange, ReportPeriod, ReportPublished, StreamPosition
from ap_finance.application.authorisation import Authoriser, budget_context
from ap_finance.application.ports import BudgetLookups
from ap_finance.application.queries import FinanceQueries
from ap_finance.domain.declarations import PUBLISH_REPORTS
from ap_finance.domain.errors import BudgetNotSet
from ap_finance.domain.rule_book import BUDGET_CONTROL_VERSION
from ap_finance.reports.changes import figure_changes
from ap_finance.reports.models import QuarterlyReturn
from ap_runtime.access import Principal
from ap_runtime.commands import CommandExecutor, CommandMeta
from ap_runtime.eventstore.port import EventStorePort
from ap_runtime.reports import content_digest

QUARTERLY_RETURN_KIND = "quarterly_financial_return"
QUARTERLY_RETURN_VERSION = 1
"""1: seed 001 appendix 5 as ``reports.builders.quarterly_return`` builds it (forecast straight-line to 31 March,
pupil-days as weekdays, 1 and 2 placements suppressed)."""
RULE_VERSIONS = {"budget_control": BUDGET_CONTROL_VERSION}
_REPORT_IDS = UUID("6f1d2a52-8d4b-4c1e-9f0b-3c2f3b7a9e15")


class PublicationRaced(RuntimeError):
    """Another edition of the same report was published while this one was being built: publish again."""


def publication_stream_id(provision_id: str, financial_year: str, quarter: int) -> str:
    """One stream per report and period: its editions, in order."""
    return f"report-{QUARTERLY_RETURN_KIND}-{provision_id}-{financial_year}-q{quarter}"


@dataclass(frozen=True, slots=True)
class ReportPublications:
    """Publishing the quarterly return, on ports: event store, budget lookups and the finance reads."""

    _store: EventStorePort
    _budgets: BudgetLookups
    _queries: FinanceQueries
    _authoriser: Authoriser

    @property
    def _executor(self) -> CommandExecutor:
        return CommandExecutor(self._store)

    async def publish_quarterly_return(self, principal: Principal, provision_id: str, year: str, quarter: int,
                                       command_id: UUID, *, recorded_by: datetime | None = None,
                                       purpose: str | None = None,
                                       correlation_id: UUID | None = None) -> ReportPublished:
        """Publish the quarter's return as recorded by ``recorded_by`` (when not given, by the last event of the
        budget the ledger has projected, not the clock's now: an event recorded but not projected yet would be
        in a rebuild as recorded by now and not in what was published); a repeated ``command_id`` answers with
        the edition it published, publishing nothing."""
        budget = await self._budgets.budget_set(provision_id, year)
        await self._authoriser.check(principal, PUBLISH_REPORTS, budget_context(provision_id, budget),
                                     purpose=purpose, correlation_id=correlation_id)
        if budget is None:
            raise BudgetNotSet()
        stream = publication_stream_id(provision_id, year, quarter)
        editions = [e for e in await self._store.load(stream) if isinstance(e, ReportPublished)]
        earlier = await self._executor.previous_outcome(command_id)
        if earlier is not None:
            return next(e for e in editions if e.report_id == _report_id(command_id))
        moment = recorded_by or (await self._queries.quarterly_return(
            principal, provision_id, year, quarter, purpose=purpose, correlation_id=correlation_id)
        ).header.source.recorded_at
        report = await self._queries.quarterly_return(principal, provision_id, year, quarter, recorded_by=moment,
                                                      purpose=purpose, correlation_id=correlation_id)
        changes: tuple[FigureChange, ...] = ()
        if editions:
            before = await self._queries.quarterly_return(principal, provision_id, year, quarter,
                                                          recorded_by=editions[-1].recorded_by, purpose=purpose,
                                                          correlation_id=correlation_id)
            changes = figure_changes(before, report)
        event = _published(report, command_id, len(editions) + 1, moment, changes)

        def decide(history: Sequence[DomainEvent]) -> Sequence[DomainEvent]:
            if sum(isinstance(e, ReportPublished) for e in history) != len(editions):
                raise PublicationRaced(f"another edition of {stream} was published meanwhile; publish again")
            return [event]

        meta = CommandMeta(command_id=command_id, actor=principal.actor(),
                           organisation_id=budget.host_school_id, correlation_id=correlation_id or uuid4())
        await self._executor.execute(stream, meta, decide)
        return event


def _report_id(command_id: UUID) -> UUID:
    return uuid5(_REPORT_IDS, str(command_id))


def _published(report: QuarterlyReturn, command_id: UUID, edition: int, moment: datetime,
               changes: tuple[FigureChange, ...]) -> ReportPublished:
    source = report.header.source
    return ReportPublished(
        report_id=_report_id(command_id),
        report_kind=QUARTERLY_RETURN_KIND,
        report_version=QUARTERLY_RETURN_VERSION,
        edition=edition,
        organisation_id=report.header.provision_id,
        period=ReportPeriod(label=f"Q{report.quarter} {report.header.financial_year}", start=report.period_start,
                            end=report.period_end),
        as_at=report.header.as_at,
        recorded_by=moment,
        sources=(StreamPosition(stream_id=source.stream_id, stream_version=source.stream_version,
                                last_event_id=source.event_id),),
        rule_versions=RULE_VERSIONS,
        content_sha256=content_digest(report),
        changes=changes,
    )
