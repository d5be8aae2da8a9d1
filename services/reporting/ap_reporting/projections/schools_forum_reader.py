"""The Schools Forum tables read as recorded by a moment, with the positions of the read models they came from.

Rule served (issue 15, provenance): a published report records the event positions it was built from. The
Schools Forum's tables come from two read models (commissioning's referrals, cases and rolls; the incidents
topic's exclusion reasons), so the positions are those each read saw in its own snapshot, one topic each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from ap_contracts.events.reports import TopicPosition
from ap_reporting.domain.schools_forum_report import SchoolsForumReport, assemble_schools_forum
from ap_reporting.projections.commissioning_facts import CommissioningFactsReader, read_rolls
from ap_reporting.projections.exclusion_reasons import read_exclusion_reasons


class SchoolsForumReader:
    """Builds the Schools Forum report as recorded by ``recorded_by`` (None: now) and keeps its ``positions``."""

    def __init__(self, pool: asyncpg.Pool, recorded_by: datetime | None = None) -> None:
        self._pool = pool
        self._recorded_by = recorded_by
        self.positions: tuple[TopicPosition, ...] = ()

    async def report(self, years: Sequence[str], *, cumulative: bool) -> SchoolsForumReport:
        commissioning = CommissioningFactsReader(self._pool, self._recorded_by)
        referrals, cases = await commissioning.read()
        seen: list[TopicPosition] = list(commissioning.positions)
        reasons = await read_exclusion_reasons(self._pool, list(years), self._recorded_by, seen)
        rolls = await read_rolls(self._pool, list(years), self._recorded_by)
        self.positions = tuple(sorted(seen, key=lambda p: (p.topic, p.partition)))
        return assemble_schools_forum(years, referrals, cases, reasons, rolls, cumulative=cumulative)
