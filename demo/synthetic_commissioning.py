"""The commissioning facts of the synthetic LA that the Schools Forum tables count (seed 004): each school's
roll and phase per academic year (the denominators of the rates per 100 on roll), referrals to the
Behaviour and Attendance Panels and closed Fair Access cases with their school days without a place.

One panel per Neighbourhood Partnership; schools take phases in turn (primary, secondary, special). Seeded
apart from ``demo.synthetic_la`` (seed + 1) so the pupil events stay as they were for the same size.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_headcounts import PupilsOnRollRecorded, SchoolPhase
from ap_contracts.events.commissioning_panels import FairAccessCaseClosed, PanelReferralMade
from ap_contracts.events.commissioning_vocabulary import Phase
from demo.synthetic_la import LaSize

LA, OFFICER = "synthetic-la", "la-officer"
PHASES = ((SchoolPhase.PRIMARY, Phase.PRIMARY, 250), (SchoolPhase.SECONDARY, Phase.SECONDARY, 1000),
          (SchoolPhase.SPECIAL, Phase.SECONDARY, 120))  # a special school refers by the pupil's phase
REFERRALS_PER_SCHOOL, CASES_PER_SCHOOL = 2, 1
FAIR_ACCESS_EXPECTATION = 20  # school days (DfE Fair Access Protocols), as FairAccessCaseClosed states it


def panel_of(partnership: str) -> str:
    return f"panel-{partnership}"


def _year_events(rng: random.Random, size: LaSize, year: str, first: int) -> list[DomainEvent]:
    partnerships, events = size.partnerships(), list[DomainEvent]()
    dashed = year.replace("/", "-")
    for n, school in enumerate(size.school_ids()):
        school_phase, phase, roll = PHASES[n % len(PHASES)]
        panel = panel_of(partnerships[n % len(partnerships)])
        events.append(PupilsOnRollRecorded(local_authority_id=LA, academic_year=dashed, school_id=school,
                                           phase=school_phase, pupils=round(roll * rng.uniform(0.8, 1.2)),
                                           recorded_by=OFFICER))
        for _ in range(rng.randint(0, 2 * REFERRALS_PER_SCHOOL)):
            events.append(PanelReferralMade(
                panel_id=panel, referral_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                pupil_ref=uuid.UUID(int=rng.getrandbits(128), version=4), phase=phase, service_id=school,
                referred_by=OFFICER, referred_by_organisation_id=school,
                referred_on=date(first, 9, 1) + timedelta(days=rng.randint(10, 300))))
        for _ in range(rng.randint(0, 2 * CASES_PER_SCHOOL)):
            waited = rng.randint(2, 130)
            events.append(FairAccessCaseClosed(
                panel_id=panel, case_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                closed_on=date(first, 9, 1) + timedelta(days=rng.randint(10, 330)), reason="placed",
                closed_by=OFFICER, school_days_without_place=waited,
                beyond_expectation=waited > FAIR_ACCESS_EXPECTATION, counted_with="synthetic school days"))
    return events


def synthetic_commissioning_events(size: LaSize) -> list[DomainEvent]:
    """The rolls, referrals and closed Fair Access cases of every year, in the order they were recorded."""
    rng = random.Random(size.seed + 1)  # noqa: S311  # nosec B311 - synthetic data, repeatable by its seed
    events: list[DomainEvent] = []
    for year, first in zip(size.academic_years(), range(size.first_year, size.first_year + size.years), strict=True):
        events += _year_events(rng, size, year, first)
    return events
