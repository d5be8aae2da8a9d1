"""The recorded school calendars: ``TermDatesRecorded`` and ``OrganisationRegistered`` folded into ``SchoolCalendars``.

Issue 13: term dates are data kept through the incidents API (stream ``organisation-<id>``), and every
service counts with the same fold, so a deadline is the same wherever it is computed. The fold keeps
the latest recording per organisation and academic year (a later one replaces it) and the LA each
school belongs to; it does not depend on the order of different organisations' streams (on Kafka they
are on different partitions), only on each stream's own order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.organisations import OrganisationRegistered, TermDatesRecorded
from ap_runtime.school_days.calendar import HalfTerm, Nation, SchoolCalendar, SchoolCalendars, SchoolOverride
from ap_runtime.school_days.errors import InsetDayOutsideTerms, TermDatesIncomplete


def half_terms_of(recorded: TermDatesRecorded) -> tuple[HalfTerm, ...]:
    """The recording's half terms as the calendar's (raises ``TermDatesRunBackwards`` when one runs backwards
    or leaves its academic year)."""
    return tuple(HalfTerm(recorded.academic_year, h.term, h.half, h.first_day, h.last_day)
                 for h in recorded.half_terms)


@dataclass(slots=True)
class RecordedCalendars:
    """Accumulates the events; ``calendars()`` gives the ``SchoolCalendars`` they describe."""

    area_of: dict[str, str] = field(default_factory=dict)
    la_years: dict[tuple[str, str], TermDatesRecorded] = field(default_factory=dict)
    school_years: dict[tuple[str, str], TermDatesRecorded] = field(default_factory=dict)

    def apply(self, event: DomainEvent) -> None:
        """Fold one event; events of other types change nothing."""
        if isinstance(event, OrganisationRegistered):
            if event.kind is OrgKind.LOCAL_AUTHORITY:
                self.area_of[event.organisation_id] = event.organisation_id
            elif event.local_authority_id is not None:
                self.area_of[event.organisation_id] = event.local_authority_id
        elif isinstance(event, TermDatesRecorded):
            own = event.organisation_id == event.local_authority_id
            years = self.la_years if own else self.school_years
            years[(event.organisation_id, event.academic_year)] = event
            self.area_of.setdefault(event.organisation_id, event.local_authority_id)

    def calendars(self) -> SchoolCalendars:
        areas = {la for la, _ in self.la_years} | {r.local_authority_id for r in self.school_years.values()}
        return SchoolCalendars(by_area={area: self._calendar(area) for area in sorted(areas)},
                               area_of_school=dict(self.area_of))

    def _calendar(self, area: str) -> SchoolCalendar:
        own = [r for (la, _), r in sorted(self.la_years.items()) if la == area]
        nation = own[-1].nation if own else Nation.ENGLAND
        schools: dict[str, list[TermDatesRecorded]] = {}
        for (school, _), recorded in sorted(self.school_years.items()):
            if recorded.local_authority_id == area:
                schools.setdefault(school, []).append(recorded)
        return SchoolCalendar(
            area_id=area, nation=nation,
            half_terms=tuple(h for r in own for h in half_terms_of(r)),
            non_teaching_days=_inset(own),
            schools={school: SchoolOverride(tuple(h for r in rs for h in half_terms_of(r)), _inset(rs))
                     for school, rs in schools.items()},
        )


def _inset(recordings: Iterable[TermDatesRecorded]) -> frozenset[date]:
    return frozenset(day for r in recordings for day in r.inset_days)


def recorded_calendars(events: Iterable[DomainEvent]) -> SchoolCalendars:
    """The school calendars the register's events record (one function every service counts with)."""
    folded = RecordedCalendars()
    for event in events:
        folded.apply(event)
    return folded.calendars()


def check_recording(recorded: TermDatesRecorded, la_half_terms: Iterable[HalfTerm] = ()) -> None:
    """Refuse term dates that run backwards or leave their year, overlap, repeat a half term, or an LA's year that
    is not six half terms; and INSET days outside the half terms that govern the organisation that year (its own,
    or for a school keeping the LA's terms, ``la_half_terms``: the LA's recorded ones for the year)."""
    own = _checked(half_terms_of(recorded))
    is_la = recorded.organisation_id == recorded.local_authority_id
    names = {(h.term, h.half) for h in own}
    if len(names) != len(own):
        raise TermDatesIncomplete(recorded.academic_year, "a half term is named twice")
    if is_la and len(own) != 6:
        raise TermDatesIncomplete(recorded.academic_year, f"{len(own)} half terms recorded, not 6")
    if not is_la and own and len(own) != 6:
        raise TermDatesIncomplete(recorded.academic_year, f"a school keeping its own terms records 6, not {len(own)}")
    governing = own or tuple(h for h in la_half_terms if h.academic_year == recorded.academic_year)
    for day in recorded.inset_days:
        if not any(h.contains(day) for h in governing):
            raise InsetDayOutsideTerms(day, recorded.academic_year)


def _checked(half_terms: tuple[HalfTerm, ...]) -> tuple[HalfTerm, ...]:
    SchoolOverride(half_terms)  # orders them and raises TermDatesOverlap when two share a day
    return half_terms
