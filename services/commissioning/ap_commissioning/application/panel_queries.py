"""The panel reads (issue 13), each authorised on the panel's stored facts: its local authority and the
organisations its members sit for. Rule served: panel members see their own panel's cases only; the local
authority sees its panels' cases and the Fair Access table of all its panel areas (counts, no pupil_ref)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime

from ap_commissioning.application.calendars import CalendarSource, no_recorded_calendars
from ap_commissioning.application.calendars import calendar_of as recorded_calendar_of
from ap_commissioning.application.panel_views import PanelView, panel_view
from ap_commissioning.domain.declarations import READ_FAIR_ACCESS_TABLE, READ_PANEL_CASES
from ap_commissioning.domain.fair_access_bands import FairAccessBands
from ap_commissioning.domain.fair_access_table import FairAccessTable, fair_access_table
from ap_commissioning.domain.panel_errors import PanelNotConstituted
from ap_commissioning.domain.panel_state import panel_stream_id
from ap_contracts.events.commissioning_panels import PanelConstituted
from ap_runtime.access import Authoriser, Principal, ResourceContext
from ap_runtime.access.guard import AccessDenied
from ap_runtime.eventstore.port import EventStorePort
from ap_runtime.school_days import SchoolCalendar, academic_year_of

PanelsOf = Callable[[str], Awaitable[list[str]]]
"""local authority -> the ids of its panels"""


class PanelQueries:
    def __init__(self, store: EventStorePort, panels_of: PanelsOf, authoriser: Authoriser,
                 clock: Callable[[], datetime], calendars: CalendarSource = no_recorded_calendars) -> None:
        self._store = store
        self._panels_of = panels_of
        self._authoriser = authoriser
        self._clock = clock
        self._calendars = calendars

    def today(self) -> date:
        return self._clock().date()

    async def calendar_of(self, local_authority_id: str) -> SchoolCalendar:
        """The LA's recorded calendar (one recording no term dates when it has recorded none)."""
        return recorded_calendar_of(await self._calendars(), local_authority_id)

    async def _view(self, panel_id: str, as_of: date, bands: FairAccessBands) -> PanelView:
        events = await self._store.load(panel_stream_id(panel_id))
        authority = next((e.local_authority_id for e in events if isinstance(e, PanelConstituted)), None)
        if authority is None:
            raise PanelNotConstituted(panel_id)
        view = panel_view(events, as_of, await self.calendar_of(authority), bands)
        if view is None:
            raise PanelNotConstituted(panel_id)
        return view

    async def panel(self, principal: Principal, panel_id: str, purpose: str | None = None,
                    bands: FairAccessBands | None = None) -> PanelView:
        """The panel's members, meetings, continuum and cases, to its local authority and its members only."""
        view = await self._view(panel_id, self.today(), bands or FairAccessBands())
        members = frozenset(member["organisation_id"] for member in view.members.values())
        await self._authoriser.check(principal, READ_PANEL_CASES, ResourceContext(
            organisation_id=view.local_authority_id, panel_organisations=members), purpose=purpose)
        return view

    async def readable_panels(self, principal: Principal, local_authority_id: str,
                              purpose: str | None = None) -> list[PanelView]:
        """The local authority's panels whose cases the caller may read (COMM-PANEL-1, COMM-PANEL-2), each judged
        on its stored facts as ``panel`` judges it; another area's caller gets an empty list, learning nothing."""
        readable: list[PanelView] = []
        for panel_id in await self._panels_of(local_authority_id):
            try:
                readable.append(await self.panel(principal, panel_id, purpose))
            except AccessDenied:
                continue
        return readable

    async def panel_table(self, principal: Principal, panel_id: str, as_of: date | None,
                          academic_year: str | None, bands: FairAccessBands,
                          purpose: str | None = None) -> tuple[FairAccessTable, SchoolCalendar]:
        """The Fair Access table of one panel area (its members' and its local authority's view), and the
        calendar it was counted with."""
        view = await self.panel(principal, panel_id, purpose, bands)
        calendar = await self.calendar_of(view.local_authority_id)
        return self._table([view], as_of, academic_year, bands, calendar), calendar

    async def authority_table(self, principal: Principal, local_authority_id: str, as_of: date | None,
                              academic_year: str | None, bands: FairAccessBands,
                              purpose: str | None = None) -> tuple[FairAccessTable, SchoolCalendar]:
        """Seed 004's table: one row per panel area of the local authority, and the total, and the calendar it
        was counted with."""
        await self._authoriser.check(principal, READ_FAIR_ACCESS_TABLE,
                                     ResourceContext(organisation_id=local_authority_id), purpose=purpose)
        day = as_of or self.today()
        views = [await self._view(p, day, bands) for p in await self._panels_of(local_authority_id)]
        calendar = await self.calendar_of(local_authority_id)
        return self._table(views, as_of, academic_year, bands, calendar), calendar

    def _table(self, views: list[PanelView], as_of: date | None, academic_year: str | None,
               bands: FairAccessBands, calendar: SchoolCalendar) -> FairAccessTable:
        rows = [row for view in views for case, row in zip(view.fair_access_cases.values(), view.case_rows(),
                                                          strict=True)
                if academic_year is None or academic_year_of(case.opened_on) == academic_year]
        return fair_access_table(rows, as_of or self.today(), calendar, bands)
