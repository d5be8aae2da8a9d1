"""The exclusions by phase of school as the application's ``ExclusionsByPhaseReader`` port, as recorded by a moment.

Rule served (issue 15, provenance): a published report records the positions of the read models it was built
from. The tables by phase come from two: the incidents topic's exclusion reasons (with the excluding school) and
commissioning's rolls, so the positions are those each read saw, one topic each (as ``SchoolsForumReader`` keeps
them for the Schools Forum's tables). Read for a publication (``positioned``), a read model of the two that has read
nothing is refused (report.published_from_applied_facts, naming it): the other's positions alone would record a
report of zeros as built from applied facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from ap_contracts.events.reports import TopicPosition
from ap_reporting.application.publications import refuse_any_unread
from ap_reporting.domain.schools_forum import ExclusionReasonFact
from ap_reporting.domain.schools_forum_phases import SchoolRoll
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection, read_rolls
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection, read_exclusion_reasons
from ap_reporting.projections.positions import read_positions
from ap_reporting.projections.serving import serving


class PostgresExclusionsByPhase:
    """Reads the exclusions and rolls as recorded by ``recorded_by`` (None: now) and keeps their ``positions``;
    ``positioned`` (a publication), refuses if either read model has read nothing."""

    def __init__(self, pool: asyncpg.Pool, recorded_by: datetime | None = None, *, positioned: bool = False) -> None:
        self._pool = pool
        self._recorded_by = recorded_by
        self._positioned = positioned
        self.positions: tuple[TopicPosition, ...] = ()

    async def read(self, years: Sequence[str]) -> tuple[list[ExclusionReasonFact], list[SchoolRoll]]:
        excluded: list[TopicPosition] = []
        records = await read_exclusion_reasons(self._pool, list(years), self._recorded_by, excluded)
        async with serving(self._pool, [ReportingCommissioningFactsProjection.name]) as conn:
            rolled = list(await read_positions(conn))
        if self._positioned:
            refuse_any_unread({ExclusionReasonsProjection.name: excluded,
                               ReportingCommissioningFactsProjection.name: rolled})
        rolls = await read_rolls(self._pool, list(years), self._recorded_by)
        self.positions = tuple(sorted([*excluded, *rolled], key=lambda p: (p.topic, p.partition)))
        return records, rolls
