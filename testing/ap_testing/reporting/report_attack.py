"""Every report a reader may ask for, fed to the attacker with what a reader knows about the data.

Atoms are named so that the same true count asked for twice is one unknown: a strategy row for
2024/25 and the Schools Forum's row for 2024/25 read the same atoms, a partnership's term its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ap_contracts.events.pupil_vocabulary import PlacementEndReason
from ap_reporting.domain.la_figures import AnnualReport, StrategyReport
from ap_reporting.domain.partnership import PartnershipReport
from ap_reporting.domain.periods import academic_year_period
from ap_reporting.domain.published import Table
from ap_reporting.domain.vocabulary import Phase
from ap_testing.reporting.attacker import Atom, Attacker

YEAR_TABLES = ("permanent_exclusions", "pupils_suspended", "suspension_days_lost")
RATE_UNIT = "per 100 pupils on roll"


def _year_atom(table: str) -> Callable[[str, str], Atom]:
    return lambda row, column: ("year", table, row, column)


def _term_atom(key: tuple[str, str], table: str) -> Callable[[str, str], Atom]:
    return lambda row, column: ("term", key, table, row, column)


def read_partnership(attacker: Attacker, report: PartnershipReport, *, one_placement_per_pupil: bool) -> None:
    """A term of one partnership. With one placement per pupil (as the generated data has), a reader
    may equate pupils served with placements open, so the attacker does."""
    key = (report.partnership_id, str(report.period_start))
    tables = {t.name: t for t in report.tables}
    for table in report.tables:
        attacker.read(table, _term_atom(key, table.name))
    placements = tables.get("placements_by_key_stage")
    if one_placement_per_pupil and placements is not None and "pupils_served" in tables:
        terms: dict[Atom, float] = {("term", key, "pupils_served", "all", "pupils"): 1.0}
        terms.update({("term", key, placements.name, r, c): -1.0
                      for r in placements.row_labels for c in placements.column_labels})
        attacker.relation(terms, f"pupils served = placements open, {key}")


def read_annual(attacker: Attacker, report: AnnualReport) -> None:
    """One academic year: the exclusion rows are the year's atoms, the placement tables its own; both
    placement tables count the same placements ended, so their phase totals are equal; a published
    rate ties its numerator to its denominator."""
    year = report.academic_year
    tables = {t.name: t for t in report.tables}
    for name in YEAR_TABLES:
        # Days lost are halves of days, hidden with the pupils: a hidden one is only known >= 0.
        attacker.read(tables[name], _year_atom(name), derived=name == "suspension_days_lost")
    by_reason, by_stay = tables["placements_by_end_reason"], tables["length_of_stay"]
    attacker.read(by_reason, lambda row, column: ("ended", year, row, column))
    attacker.read(by_stay, lambda row, column: ("stay", year, row, column))
    for phase in by_reason.column_labels:
        same: dict[Atom, float] = {("ended", year, r, phase): 1.0 for r in by_reason.row_labels}
        same.update({("stay", year, b, phase): -1.0 for b in by_stay.row_labels})
        attacker.relation(same, f"placements ended by reason = by length of stay, {year} {phase}")
    rate = report.reintegration_rate_percent
    if not isinstance(rate, str):
        reintegrated = PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL.value
        low, high = float(rate) - 0.05, float(rate) + 0.05
        for bound, sign in ((low, 1.0), (high, -1.0)):
            terms: dict[Atom, float] = {}
            for r in by_reason.row_labels:
                for c in by_reason.column_labels:
                    terms[("ended", year, r, c)] = sign * ((100.0 if r == reintegrated else 0.0) - bound)
            attacker.at_least(terms, 0.0, f"reintegration rate {rate}, {year}")


def read_exclusions_by_phase(attacker: Attacker, tables: Iterable[Table]) -> None:
    """Tables by academic year and phase of school (the strategy tables and the Schools Forum's, named alike, so
    the same year and phase is the same atom in both): each row is that year's atoms; totals over years add them
    up. Rates are left out: they are shown only over shown counts (the tests check it) and say what those say."""
    for table in tables:
        if table.unit != RATE_UNIT:
            attacker.read(table, _year_atom(table.name), derived=True)


def read_strategy(attacker: Attacker, report: StrategyReport) -> None:
    """Academic years 1 to 3 at a time (``read_exclusions_by_phase``)."""
    read_exclusions_by_phase(attacker, report.tables)


def _places_withdrawn(attacker: Attacker, partnership: list[PartnershipReport], annual: list[AnnualReport]) -> None:
    """Every placement belongs to a partnership and terms cover the year: a year's places withdrawn
    by phase are the sum of every partnership's terms' (if a termly report publishes them)."""
    withdrawn = PlacementEndReason.PLACE_WITHDRAWN.value
    for report in annual:
        year = academic_year_period(report.academic_year)
        for phase in (p.value for p in Phase):
            terms: dict[Atom, float] = {("ended", report.academic_year, withdrawn, phase): 1.0}
            for p in partnership:
                if year.first_day <= p.period_start <= year.last_day and any(
                        t.name == "exclusions_by_phase" for t in p.tables):
                    key = (p.partnership_id, str(p.period_start))
                    terms[("term", key, "exclusions_by_phase", phase, "places withdrawn")] = -1.0
            if len(terms) > 1:
                attacker.relation(terms, f"places withdrawn {report.academic_year} {phase} = sum of terms")


def attack_everything(partnership: Iterable[PartnershipReport], annual: Iterable[AnnualReport],
                      strategy: Iterable[StrategyReport], *, one_placement_per_pupil: bool = True) -> Attacker:
    attacker = Attacker()
    partnership, annual = list(partnership), list(annual)
    for p in partnership:
        read_partnership(attacker, p, one_placement_per_pupil=one_placement_per_pupil)
    for a in annual:
        read_annual(attacker, a)
    for s in strategy:
        read_strategy(attacker, s)
    _places_withdrawn(attacker, partnership, annual)
    return attacker
