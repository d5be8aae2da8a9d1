"""EXAMPLE DATA, NOT A REAL AUTHORITY'S TERM DATES: the demo LA's calendar, packaged for the demo and tests.

The dates follow the usual pattern of an English LA's published term dates for 2025-26 and
2026-27 (six half terms, a week at each half term, two weeks at Christmas and Easter, an INSET
day at the start of the spring term), but ``la-demo-county`` is fictional and so are they. Real
calendars are to be maintained as data per LA (issue 13); until then, schools in no recorded
area are counted by each rule's documented fallback.
"""

from __future__ import annotations

from datetime import date

from ap_runtime.school_days.calendar import HalfTerm, Nation, SchoolCalendar, SchoolCalendars, SchoolOverride, Term

DEMO_LA = "la-demo-county"
DEMO_SCHOOLS = ("school-demo-ashgrove", "school-demo-birchfield", "school-demo-secondary")


def _year(label: str, spans: tuple[tuple[date, date], ...]) -> tuple[HalfTerm, ...]:
    names = ((Term.AUTUMN, 1), (Term.AUTUMN, 2), (Term.SPRING, 1), (Term.SPRING, 2), (Term.SUMMER, 1),
             (Term.SUMMER, 2))
    return tuple(HalfTerm(label, term, half, first, last) for (term, half), (first, last) in zip(names, spans,
                                                                                                  strict=True))


EXAMPLE_DEMO_CALENDAR = SchoolCalendar(
    area_id=DEMO_LA,
    nation=Nation.ENGLAND,
    half_terms=_year("2025-26", (
        (date(2025, 9, 3), date(2025, 10, 24)), (date(2025, 11, 3), date(2025, 12, 19)),
        (date(2026, 1, 5), date(2026, 2, 13)), (date(2026, 2, 23), date(2026, 3, 27)),
        (date(2026, 4, 13), date(2026, 5, 22)), (date(2026, 6, 1), date(2026, 7, 22)),
    )) + _year("2026-27", (
        (date(2026, 9, 2), date(2026, 10, 23)), (date(2026, 11, 2), date(2026, 12, 18)),
        (date(2027, 1, 4), date(2027, 2, 12)), (date(2027, 2, 22), date(2027, 3, 25)),
        (date(2027, 4, 12), date(2027, 5, 28)), (date(2027, 6, 7), date(2027, 7, 21)),
    )),
    non_teaching_days=frozenset({date(2026, 1, 5), date(2027, 1, 4)}),
    # The demo secondary keeps one INSET day of its own on top of the LA's.
    schools={"school-demo-secondary": SchoolOverride(non_teaching_days=frozenset({date(2026, 11, 27)}))},
    example=True,
)

EXAMPLE_CALENDARS = SchoolCalendars(
    by_area={DEMO_LA: EXAMPLE_DEMO_CALENDAR},
    area_of_school=dict.fromkeys(DEMO_SCHOOLS, DEMO_LA),
)


def term_dates_bodies(calendar: SchoolCalendar = EXAMPLE_DEMO_CALENDAR) -> list[dict[str, object]]:
    """``calendar``'s LA term dates as the bodies of ``RecordTermDates`` commands, one per academic year (the demo
    records the example through the API like any LA; the school overrides are recorded by the schools)."""
    years = sorted({h.academic_year for h in calendar.half_terms})
    return [{
        "organisation_id": calendar.area_id, "academic_year": year, "nation": calendar.nation.value,
        "half_terms": [{"term": h.term.value, "half": h.half, "first_day": h.first_day.isoformat(),
                        "last_day": h.last_day.isoformat()} for h in calendar.half_terms if h.academic_year == year],
        "inset_days": sorted(d.isoformat() for d in calendar.non_teaching_days
                             if any(h.contains(d) for h in calendar.half_terms if h.academic_year == year)),
    } for year in years]
