"""Seed 004's published figures (Schools Forum, 8 December 2015, appendix 1) and pupil-level facts
whose counts, by the DfE definitions, are those figures, with reinstated exclusions, repeated
suspensions, lunchtime half days and children referred twice among them (issue 15)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from ap_reporting.domain.facts import PermanentExclusionFact, SuspensionFact
from ap_reporting.domain.periods import academic_year_start
from ap_reporting.domain.schools_forum import FairAccessFact, PanelReferralFact
from ap_reporting.domain.vocabulary import Phase

# Seed 004, appendix 1, table "Permanent Exclusions from B&NES schools by Academic Year".
PEX_YEARS = ("2009/10", "2010/11", "2011/12", "2012/13", "2013/14", "2014/15")
PEX_PRIMARY = (1, 0, 0, 2, 3, 6)
PEX_SECONDARY = (4, 13, 16, 19, 12, 18)
PEX_PUPILS = (5, 13, 16, 21, 15, 24)
# Seed 004, appendix 1, point 2: fixed period exclusions 2013/14 (pupils, school days lost).
FPE_2013 = {Phase.PRIMARY: (89, 159), Phase.SECONDARY: (694, 1248)}
# Seed 004, appendix 1, point 1: children referred to the panels.
REFERRALS = {"2012/13": 348, "2013/14": 289, "2014/15": 487}
# Seed 004, appendix 1, point 3: Fair Access 2011/12 (cases, 38+, 69+, 100+ days without placement).
PANELS = ("bath", "keynsham-chew-valley", "norton-radstock")
FAIR_ACCESS = {"bath": (31, 16, 9, 6), "keynsham-chew-valley": (8, 7, 1, 0), "norton-radstock": (12, 6, 1, 1)}
FAIR_ACCESS_TOTAL = (51, 29, 11, 7)
# Not the seed's (it names no special school and no pupil referral unit): 2013/14 suspensions from a special
# school and an AP school (pupils, school days lost), so the Schools Forum tables show all four phases.
SPECIAL_AND_AP_2013 = {"special": (9, 14), "alternative_provision": (6, 11)}
# Not the seed's either (it gives no headcounts): the pupils on roll the LA records per school and year, in
# B&NES's order of magnitude (62 primary schools, 13 secondary, 3 special), the denominators of the rates.
ROLLS = {"school-pri": ("primary", 13650), "school-sec-1": ("secondary", 5300), "school-sec-2": ("secondary", 5120),
         "school-spe": ("special", 310), "school-ap": ("alternative_provision", 60)}


def autumn(year: str, offset: int = 0) -> date:
    return date(academic_year_start(year), 10, 1) + timedelta(days=offset % 200)


def exclusions() -> list[PermanentExclusionFact]:
    facts: list[PermanentExclusionFact] = []
    for y, year in enumerate(PEX_YEARS):
        for phase, n in ((Phase.PRIMARY, PEX_PRIMARY[y]), (Phase.SECONDARY, PEX_SECONDARY[y])):
            facts += [PermanentExclusionFact(uuid4(), None, autumn(year, i), year, phase) for i in range(n)]
            # one reinstated by the governing board per year and phase: it must not count
            facts.append(PermanentExclusionFact(uuid4(), None, autumn(year, 7), year, phase, reinstated=True))
    return facts


def suspensions(phase: Phase, pupils: int, days: int) -> list[SuspensionFact]:
    """``pupils`` pupils losing ``days`` school days between them: every third pupil twice suspended,
    the first time for a lunchtime (one half day), and odd half-day totals among the rest."""
    half_days = days * 2
    base, extra = divmod(half_days, pupils)
    facts: list[SuspensionFact] = []
    for i in range(pupils):
        pupil, mine = uuid4(), base + (1 if i < extra else 0)
        parts = [1, mine - 1] if i % 3 == 0 and mine > 1 else [mine]
        facts += [SuspensionFact(pupil, None, autumn("2013/14", i + k), part, "2013/14", phase)
                  for k, part in enumerate(parts)]
    return facts


def referrals() -> list[PanelReferralFact]:
    facts: list[PanelReferralFact] = []
    for year, children in REFERRALS.items():
        for i in range(children):
            pupil = uuid4()
            facts.append(PanelReferralFact(uuid4(), PANELS[i % 3], pupil, autumn(year, i)))
            if i % 10 == 0:  # referred again later that year, to another panel: still one child
                facts.append(PanelReferralFact(uuid4(), PANELS[(i + 1) % 3], pupil, autumn(year, i + 90)))
    return facts


def fair_access_waits(exclusive: tuple[int, int, int, int]) -> list[int]:
    """School days without a place for cases in the four exclusive bands, at the edges of each band
    (37|38, 68|69, 99|100), so an off-by-one in the banding moves a case."""
    edges = ((0, 37), (38, 68), (69, 99), (100, 120))
    return [edges[band][i % 2] for band, n in enumerate(exclusive) for i in range(n)]


def cumulative_bands(cases: int, d38: int, d69: int, d100: int) -> tuple[int, int, int, int]:
    """The seed's cumulative row (cases, 38+, 69+, 100+) as exclusive band counts."""
    return (cases - d38, d38 - d69, d69 - d100, d100)


def closed_cases(panel: str, exclusive: tuple[int, int, int, int]) -> list[FairAccessFact]:
    """Cases closed in 2011/12 with waits at the edges of each band (37|38, 68|69, 99|100)."""
    closed = date(2012, 3, 1)
    return [FairAccessFact(uuid4(), panel, closed, wait) for wait in fair_access_waits(exclusive)]


def cumulative_reading() -> list[FairAccessFact]:
    """The seed read cumulatively: 38+ includes the 69+ and 100+ cases."""
    return [c for panel, row in FAIR_ACCESS.items() for c in closed_cases(panel, cumulative_bands(*row))]


def exclusive_reading() -> list[FairAccessFact]:
    """The seed read as exclusive bands: 38+ means 38 to 68 days."""
    return [c for panel, (cases, d38, d69, d100) in FAIR_ACCESS.items()
            for c in closed_cases(panel, (cases - d38 - d69 - d100, d38, d69, d100))]
