"""The Schools Forum tables read as recorded by a moment, with the positions of the read models they came from.

Rule served (issue 15, provenance): a published report records the event positions it was built from. The
Schools Forum's tables come from two read models (commissioning's referrals, cases and rolls; the incidents
topic's exclusion reasons), so the positions are those each read saw in its own snapshot, one topic each. Read for
a publication (``positioned``), a read model of the two that has read nothing is refused
(report.published_from_applied_facts, naming it): the other's positions alone would record a report of zeros as
built from applied facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from ap_contracts.events.reports import TopicPosition
from ap_reporting.application.publications import refuse_any_unread
from ap_reporting.domain.schools_forum_report import SchoolsForumReport, assemble_schools_forum
from ap_reporting.projections.commissioning_facts import (
    CommissioningFactsReader,
    ReportingCommissioningFactsProjection,
    read_rolls,
)
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection, read_exclusion_reasons


class SchoolsForumReader:
    """Builds the Schools Forum report as recorded by ``recorded_by`` (None: now) and keeps its ``positions``;
    ``positioned`` (a publication), refuses if either read model has read nothing."""

    def __init__(self, pool: asyncpg.Pool, recorded_by: datetime | None = None, *, positioned: bool = False) -> None:
        self._pool = pool
        self._recorded_by = recorded_by
        self._positioned = positioned
        self.positions: tuple[TopicPosition, ...] = ()

    async def report(self, years: Sequence[str], *, cumulative: bool) -> SchoolsForumReport:
        commissioning = CommissioningFactsReader(self._pool, self._recorded_by)
        referrals, cases = await commissioning.read()
        excluded: list[TopicPosition] = []
        reasons = await read_exclusion_reasons(self._pool, list(years), self._recorded_by, excluded)
        if self._positioned:
            refuse_any_unread({ReportingCommissioningFactsProjection.name: commissioning.positions,
                               ExclusionReasonsProjection.name: excluded})
        rolls = await read_rolls(self._pool, list(years), self._recorded_by)
        self.positions = tuple(sorted([*commissioning.positions, *excluded], key=lambda p: (p.topic, p.partition)))
        return assemble_schools_forum(years, referrals, cases, reasons, rolls, cumulative=cumulative)
