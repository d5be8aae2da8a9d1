"""Phases, bands and periods the reports are cut by (DfE statistics conventions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ap_contracts.events.pupil_vocabulary import KeyStage


class Phase(StrEnum):
    """School phase of a pupil, as exclusion statistics split them."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    NOT_KNOWN = "not_known"


_PRIMARY = {KeyStage.EYFS, KeyStage.KS1, KeyStage.KS2}


def phase_of(key_stage: KeyStage | None) -> Phase:
    if key_stage is None:
        return Phase.NOT_KNOWN
    return Phase.PRIMARY if key_stage in _PRIMARY else Phase.SECONDARY


@dataclass(frozen=True, slots=True)
class Period:
    """A closed range of days (a week, a term, an academic year)."""

    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError("a period ends on or after its first day")

    def __contains__(self, day: date) -> bool:
        """``day in period``: the first and last days are in the period (a report's figures count both)."""
        return self.first_day <= day <= self.last_day


def school_week(any_day: date) -> Period:
    """Monday to Sunday of the week holding ``any_day``."""
    monday = any_day - timedelta(days=any_day.weekday())
    return Period(monday, monday + timedelta(days=6))


# Academic years, terms and the other fixed periods of published reports: ``domain.periods``.


# Length of stay bands, in calendar days from start to end of the placement (inclusive).
STAY_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under 6 weeks", 0, 41),
    ("6 to 12 weeks", 42, 83),
    ("12 to 26 weeks", 84, 181),
    ("26 weeks or more", 182, None),
)


def stay_band(days: int) -> str:
    for label, low, high in STAY_BANDS:
        if days >= low and (high is None or days <= high):
            return label
    raise ValueError("a length of stay is never negative")
