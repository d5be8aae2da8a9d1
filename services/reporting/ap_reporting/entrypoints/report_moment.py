"""The "as at" of every reporting report, and the query parameters each report takes (issue 15).

Rule report.as_at: every report takes ``as_at`` (a day; the report holds the facts recorded by the end of it in
England) or ``recorded_by`` (a moment), not both, neither in the future; without either it is as at today.
The report is read from the facts as recorded by that moment (``projections.versions``), so asking again
for the same period and day gives the same bytes. The day and moment go back in the ``Report-As-At`` and
``Report-Recorded-By`` headers of every format.

Rule report.known_parameters: a parameter a report does not take is refused naming it, never ignored, so a
forged one (another school's id in the query) changes nothing and is answered alike for every caller.
"""

# No ``from __future__ import annotations``: FastAPI reads the dependency's annotations at runtime.
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, Query, Request, Response

from ap_contracts.envelope import utc_now
from ap_reporting.domain.errors import AsAtNotValid, FixedPeriodRequired, UnknownParameter
from ap_reporting.domain.periods import OFFERED, allowed_text
from ap_runtime.reports.provenance import ENGLAND, end_of_day_in_england

MOMENT_PARAMETERS = frozenset({"as_at", "recorded_by"})
#: No report is as at a moment before this: nothing was recorded then, and a moment near year 1 overflows the
#: time-zone arithmetic (Europe/London's first offset is 75 seconds behind UTC).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ReportMoment:
    """The day a report is as at and the moment its facts are as recorded by."""

    as_at: date
    recorded_by: datetime

    def stamp(self, response: Response) -> Response:
        response.headers["Report-As-At"] = self.as_at.isoformat()
        response.headers["Report-Recorded-By"] = self.recorded_by.isoformat()
        return response


def moment_of(as_at: date | None, recorded_by: datetime | None, now: datetime) -> ReportMoment:
    """The report's moment from its parameters (report.as_at)."""
    today = now.astimezone(ENGLAND).date()
    if as_at is not None and recorded_by is not None:
        raise AsAtNotValid("recorded_by", "give as_at or recorded_by, not both")
    if recorded_by is not None:
        if recorded_by.tzinfo is None:
            raise AsAtNotValid("recorded_by", "recorded_by needs its time zone (2025-06-30T23:00:00Z)")
        if recorded_by > now:
            raise AsAtNotValid("recorded_by", f"{recorded_by.isoformat()} has not happened yet")
        if recorded_by < EARLIEST:
            raise AsAtNotValid("recorded_by", f"{recorded_by.isoformat()} is before {EARLIEST.date().isoformat()}")
        return ReportMoment(recorded_by.astimezone(ENGLAND).date(), recorded_by)
    day = today if as_at is None else as_at
    if day > today:
        raise AsAtNotValid("as_at", f"{day.isoformat()} is after today: a report holds what has been recorded")
    if day < EARLIEST.date():
        raise AsAtNotValid("as_at", f"{day.isoformat()} is before {EARLIEST.date().isoformat()}")
    return ReportMoment(day, end_of_day_in_england(day))


def report_moment(
    as_at: Annotated[date | None, Query(description="only the facts recorded by the end of this day (England)")]
    = None,
    recorded_by: Annotated[datetime | None, Query(description="only the facts recorded by this moment")] = None,
) -> ReportMoment:
    return moment_of(as_at, recorded_by, utc_now())


MomentDep = Annotated[ReportMoment, Depends(report_moment)]


def only_parameters(parameters: frozenset[str], report: str | None = None) -> Callable[[Request], None]:
    """Refuse any query parameter the report does not take (``parameters`` and the moment's). A report published
    for fixed periods (``report``, a key of ``OFFERED``) refuses under report.fixed_period: an arbitrary window
    (``first_day``, ``last_day``) must not be quietly ignored; any other report under report.known_parameters."""
    taken = parameters | MOMENT_PARAMETERS

    def check(request: Request) -> None:
        for name in request.query_params:
            if name in taken:
                continue
            if report is not None:
                raise FixedPeriodRequired(
                    name, f"{name} is not a parameter of this report, which is published only for fixed periods",
                    allowed_text(OFFERED[report]))
            raise UnknownParameter(name, f"{name} is not a parameter of this report", tuple(sorted(taken)))
    return check
