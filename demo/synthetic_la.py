"""A synthetic local authority for ``make reports``: seeded, sized by schools, provisions and years.

Volumes follow BRIEF.md section 6 (one small LA of 78 schools), scaled by the number of schools: about
10 pupils suspended per school a year (783 in 78 schools; some more than once, lunchtimes among them),
permanent exclusions 5 to 24 a year across the LA (one in six reinstated by the governors), and about
half a commissioned AP placement per school a year, each attending on school days with a register mark
a session. One Neighbourhood Partnership per provision, with at least three placements a year; schools belong to
partnerships in turn. The same
seed and sizes give the same events (identities from a seeded generator, not ``uuid4``).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupil_vocabulary import (
    AttendanceCode,
    IncidentCategory,
    PlacementEndReason,
    Session,
    Severity,
    Sex,
    YearGroup,
)
from ap_testing.reporting.events import Pupil

SCHOOLS_IN_BRIEF_LA = 78
SUSPENDED_PER_SCHOOL = 10
PLACEMENTS_PER_SCHOOL = 0.5
MIN_PLACEMENTS = 3  # a year of a provision with fewer has every figure suppressed
E = TypeVar("E", bound=DomainEvent)
YEAR_GROUPS = (YearGroup.Y2, YearGroup.Y4, YearGroup.Y6, YearGroup.Y8, YearGroup.Y10)


@dataclass(frozen=True, slots=True)
class LaSize:
    schools: int = 12
    provisions: int = 2
    years: int = 2
    first_year: int = 2023
    seed: int = 15

    def __post_init__(self) -> None:
        if self.provisions < 1 or self.years < 1 or self.schools < self.provisions:
            raise ValueError("a synthetic LA has a year or more, a provision or more, and a school per provision")

    def academic_years(self) -> list[str]:
        return [f"{y}/{(y + 1) % 100:02d}" for y in range(self.first_year, self.first_year + self.years)]

    def partnerships(self) -> list[str]:
        return [f"np-{k + 1}" for k in range(self.provisions)]

    def school_ids(self) -> list[str]:
        return [f"school-{n + 1:03d}" for n in range(self.schools)]


class _Cast:
    """Pupils with identities drawn from the seed, so the same size gives the same pupil refs."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def pupil(self, school: str, partnership: str) -> Pupil:
        pupil = Pupil(school, partnership, year=self._rng.choice(YEAR_GROUPS))
        pupil.pupil_ref, pupil.placement_id = self._uuid(), self._uuid()
        return pupil

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self._rng.getrandbits(128), version=4)

    def ided(self, event: E) -> E:
        copied: E = event.model_copy(update={"record_id": self._uuid()})
        return copied


def _school_days(first: date, count: int) -> list[date]:
    days: list[date] = []
    day = first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _placement(cast: _Cast, rng: random.Random, pupil: Pupil, start: date) -> list[DomainEvent]:
    days = _school_days(start, rng.randint(20, 90))
    started = pupil.started(start).model_copy(update={"planned_end_date": days[-1],
                                                      "planned_review_date": days[min(29, len(days) - 1)]})
    registered = pupil.registered().model_copy(update={"sex": rng.choice(list(Sex))})
    events: list[DomainEvent] = [cast.ided(registered), cast.ided(started)]
    for day in days:
        for session in (Session.AM, Session.PM):
            present = AttendanceCode.PRESENT_AM if session is Session.AM else AttendanceCode.PRESENT_PM
            code = present if rng.random() < 0.85 else AttendanceCode.OTHER_UNAUTHORISED
            events.append(cast.ided(pupil.mark(day, code, session)))
    for _ in range(rng.randint(0, 4)):
        events.append(cast.ided(pupil.incident(rng.choice(days), rng.choice(list(IncidentCategory)),
                                               rng.choice(list(Severity)))))
    reason = rng.choice([PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL] * 3 + [PlacementEndReason.MANAGED_MOVE,
                                                                                 PlacementEndReason.SPECIALIST_PROVISION])
    events.append(cast.ided(pupil.ended(days[-1], reason)))
    return events


def _exclusions(cast: _Cast, rng: random.Random, pupil: Pupil, year: str, first_day: date) -> list[DomainEvent]:
    events: list[DomainEvent] = [cast.ided(pupil.registered())]
    for _ in range(1 + (rng.random() < 0.3)):
        day = first_day + timedelta(days=rng.randint(35, 320))
        events.append(cast.ided(pupil.suspended(day, rng.choice((1, 2, 2, 4, 6, 10)), year=year)))
    return events


def synthetic_events(size: LaSize) -> list[DomainEvent]:
    """Every event of the synthetic LA in the order it was recorded (year by year)."""
    rng = random.Random(size.seed)  # noqa: S311  # nosec B311 - synthetic data, repeatable by its seed
    cast = _Cast(rng)
    partnerships = size.partnerships()
    schools = [(school, partnerships[n % len(partnerships)]) for n, school in enumerate(size.school_ids())]
    scale = size.schools / SCHOOLS_IN_BRIEF_LA
    events: list[DomainEvent] = []
    for year, first in zip(size.academic_years(), range(size.first_year, size.first_year + size.years), strict=True):
        year_start = date(first, 9, 1)
        for school, partnership in schools:
            for _ in range(round(SUSPENDED_PER_SCHOOL * rng.uniform(0.5, 1.5))):
                events += _exclusions(cast, rng, cast.pupil(school, partnership), year, year_start)
        for partnership in partnerships:
            served = [school for school, ours in schools if ours == partnership]
            for _ in range(max(MIN_PLACEMENTS, round(PLACEMENTS_PER_SCHOOL * len(served) * rng.uniform(0.5, 1.5)))):
                start = year_start + timedelta(days=rng.randint(5, 200))
                events += _placement(cast, rng, cast.pupil(rng.choice(served), partnership), start)
        for _ in range(max(1, round(rng.randint(5, 24) * scale))):
            school, partnership = rng.choice(schools)
            pupil = cast.pupil(school, partnership)
            excluded = cast.ided(pupil.excluded(year_start + timedelta(days=rng.randint(30, 300)), year=year))
            events += [cast.ided(pupil.registered()), excluded]
            if rng.random() < 1 / 6:
                events.append(cast.ided(pupil.reinstated(excluded)))
    return events
