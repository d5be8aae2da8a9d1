"""Partnership lead, LA officer and Schools Forum member: the termly partnership report, the LA's annual report,
the exclusion strategy data and the Schools Forum's panel tables, each a page of tables with a chart of its
first table, filters by year and term (GET forms, so a filtered page has its own address) and downloads in
every format the reporting service offers for it.

Rules served: the reporting service decides who reads which report (RPT-NP-1: a partnership its own;
RPT-NP-2, RPT-LA-1: the LA; RPT-SF-1: the LA and the Schools Forum); a refusal is the not-found page naming
nothing, for each page and each download. Every figure is as the service published it (suppressed: ``c``).
A filter value not offered, or a range the service refuses (report.year_range_limit), is shown against its
field and nothing is downloaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ap_runtime.access import Role
from ap_runtime.documents import label_words
from ap_runtime.http.downloads import attachment
from ap_web.context import Journey, Web
from ap_web.identity import SignedInPerson
from ap_web.journeys import partnership_reports as reports
from ap_web.pages import Task
from ap_web.refusals import FieldError, problem_errors, refusal_page, refused
from ap_web.session import Person

PARTNERSHIP_READERS = frozenset({Role.PARTNERSHIP_LEAD})
LA_READERS = frozenset({Role.LA_OFFICER})
STRATEGY_READERS = frozenset({Role.LA_OFFICER, Role.SCHOOLS_FORUM_MEMBER})
#: A PDF is rendered by the reporting service on request: seconds, more on a busy machine.
DOCUMENT_SECONDS = 60
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")

router = APIRouter()


@dataclass(frozen=True)
class Report:
    """One report's page: its words, its filter fields (each with the values offered) and the service's call."""

    title: str
    template_fields: Callable[[], dict[str, dict[str, str]]]
    defaults: Callable[[], dict[str, str]]
    params: Callable[[dict[str, str]], dict[str, str]]
    formats: dict[str, str]
    stem: Callable[[dict[str, str]], str]
    #: The rest of the service's path from the filters (a report whose year is in its path); the year is one the
    #: filter offers before it is put there.
    tail: Callable[[dict[str, str]], str] = lambda values: ""


def _latest() -> str:
    return reports.years_offered()[0]


def _range_fields() -> dict[str, dict[str, str]]:
    return {"from_year": reports.year_choices(), "to_year": reports.year_choices()}


def _range_params(values: dict[str, str]) -> dict[str, str]:
    return {"from_year": reports.service_year(values["from_year"]), "to_year": reports.service_year(values["to_year"])}


PARTNERSHIP = Report(
    "Termly partnership report", lambda: {"year": reports.year_choices(), "term": reports.TERMS},
    lambda: {"year": _latest(), "term": "autumn"},
    lambda v: {"period": f"{reports.service_year(v['year'])}-{v['term']}"}, reports.FORMATS,
    lambda v: f"partnership-report-{v['year']}-{v['term']}")
ANNUAL = Report(
    "Annual report", lambda: {"year": reports.year_choices()}, lambda: {"year": _latest()},
    lambda v: {"academic_year": reports.service_year(v["year"])}, reports.FORMATS,
    lambda v: f"annual-report-{v['year']}")
STRATEGY = Report(
    "Exclusion strategy data", _range_fields, lambda: {"from_year": _latest(), "to_year": _latest()},
    _range_params, reports.FORMATS, lambda v: f"exclusion-strategy-{v['from_year']}-to-{v['to_year']}")
PARTNERSHIP_ANNUAL = Report(
    "Partnership annual report to stakeholders", lambda: {"year": reports.year_choices()},
    lambda: {"year": _latest()}, lambda v: {}, reports.FORMATS, lambda v: f"partnership-annual-report-{v['year']}",
    tail=lambda v: f"/annual-report/{v['year']}")
FORUM = Report(
    "Schools Forum panel tables", lambda: {**_range_fields(), "bands": {k: k for k in reports.BANDS}},
    lambda: {"from_year": _latest(), "to_year": _latest(), "bands": "cumulative"},
    lambda v: {**_range_params(v), "bands": v["bands"]}, reports.FORUM_FORMATS,
    lambda v: f"schools-forum-{v['from_year']}-to-{v['to_year']}-{v['bands']}")


def _filters(request: Request, report: Report) -> reports.Filters:
    filters = reports.chosen(dict(request.query_params), report.template_fields(), report.defaults())
    if "from_year" in filters.values and not filters.errors:
        return reports.Filters(filters.values, reports.years_in_order(filters.values))
    return filters


def _service_errors(answer_body: dict[str, Any], fields: dict[str, dict[str, str]]) -> list[FieldError]:
    """The service's refusal of the period (report.fixed_period, report.year_range_limit) against a filter."""
    first = next(iter(fields))
    return problem_errors(answer_body, lambda name: name if name in fields else first,
                          {"report.year_range_limit": "to_year"}, first, "Choose another period")


async def _page(request: Request, web: Web, person: SignedInPerson, report: Report, address: str,
                here: str, related: tuple[str, str] | None = None) -> Response:
    filters = _filters(request, report)
    body: dict[str, Any] = {}
    errors = filters.errors
    if not errors:
        answer = await web.client("reporting").get(address + report.tail(filters.values), person,
                                                   params=report.params(filters.values))
        if not answer.ok:
            page = refusal_page(web.pages, request, answer)
            if page is not None or answer.status != 422:
                return page or refused(web.pages, request)
            errors = _service_errors(answer.body, report.template_fields())
        body = answer.body if answer.ok else {}
    draft = body.get("narrative_published") is False  # the annual report: its narrative not published yet
    body = body.get("figures", body)  # the annual report's figures carry its tables and notes
    tables = body.get("tables") or []
    return web.pages.render(request, "partnership/report.html", report=report, here=here, body=body,
                            related=related, draft=draft,
                            tables=tables, values=filters.values, fields=report.template_fields(), errors=errors,
                            chart=reports.table_chart(tables[0]) if tables else "", terms=reports.TERMS,
                            bands=reports.BANDS, year_label=reports.year_label)


async def _file(request: Request, web: Web, person: SignedInPerson, report: Report, address: str) -> Response:
    filters = _filters(request, report)
    fmt = request.query_params.get("format", "")
    if filters.errors or fmt not in report.formats:
        return refused(web.pages, request)
    answer = await web.client("reporting").get(address + report.tail(filters.values), person,
                                               params={**report.params(filters.values), "format": fmt},
                                               wait_seconds=DOCUMENT_SECONDS)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    return attachment(answer.content, reports.MEDIA.get(fmt, answer.content_type),
                      reports.file_name(report.stem(filters.values), fmt))


@router.get("/reports/partnership")
async def own_partnership(person: Person) -> Response:
    """A Partnership lead's own partnership's report (the LA names the partnership in the address)."""
    return RedirectResponse(f"/reports/partnership/{person.organisation_id}", status_code=303)


@router.get("/reports/partnership-annual")
async def own_partnership_annual(person: Person) -> Response:
    """A Partnership lead's own partnership's annual report (seed 001 appendix 3)."""
    return RedirectResponse(f"/reports/partnership/{person.organisation_id}/annual", status_code=303)


def _partnership_report(tail: str, report: Report, related: tuple[str, str]) -> None:
    """The page and its downloads for one of a partnership's reports (its id in the path: the service decides
    whose it is); ``related`` is the other report's path tail and title, linked from the page."""
    path = f"/reports/partnership/{{partnership_id}}{tail}"

    @router.get(path, response_class=HTMLResponse, name=f"{path}-page")
    async def page(request: Request, web: Web, person: Person, partnership_id: str) -> Response:
        if not _SEGMENT.match(partnership_id):
            return refused(web.pages, request)
        here = f"/reports/partnership/{partnership_id}"
        return await _page(request, web, person, report, f"/v1/reports/partnership/{partnership_id}", here + tail,
                           (here + related[0], related[1]))

    @router.get(f"{path}/download", name=f"{path}-download")
    async def download(request: Request, web: Web, person: Person, partnership_id: str) -> Response:
        if not _SEGMENT.match(partnership_id):
            return refused(web.pages, request)
        return await _file(request, web, person, report, f"/v1/reports/partnership/{partnership_id}")


_partnership_report("", PARTNERSHIP, ("/annual", PARTNERSHIP_ANNUAL.title))
_partnership_report("/annual", PARTNERSHIP_ANNUAL, ("", PARTNERSHIP.title))


def _la_report(path: str, service_path: str, report: Report) -> None:
    """The page and its downloads for one of the LA's and the Forum's reports (no organisation in the path)."""

    @router.get(path, response_class=HTMLResponse, name=f"{path}-page")
    async def page(request: Request, web: Web, person: Person) -> Response:
        return await _page(request, web, person, report, service_path, path)

    @router.get(f"{path}/download", name=f"{path}-download")
    async def download(request: Request, web: Web, person: Person) -> Response:
        return await _file(request, web, person, report, service_path)


_la_report("/reports/annual", "/v1/reports/annual", ANNUAL)
_la_report("/reports/strategy", "/v1/reports/strategy", STRATEGY)
_la_report("/reports/schools-forum", "/v1/reports/schools-forum", FORUM)

JOURNEY = Journey(
    router=router,
    tasks=(Task("/reports/partnership", "Termly partnership report", PARTNERSHIP_READERS,
                "Your partnership's placements and outcomes each term, with downloads"),
           Task("/reports/partnership-annual", "Partnership annual report to stakeholders", PARTNERSHIP_READERS,
                "Your partnership's year: narrative, Budget Summary and figures, with downloads"),
           Task("/reports/annual", "Annual report", LA_READERS, "The local authority's figures for a year"),
           Task("/reports/strategy", "Exclusion strategy data", STRATEGY_READERS,
                "Exclusions and suspensions over one to three years"),
           Task("/reports/schools-forum", "Schools Forum panel tables", STRATEGY_READERS,
                "Panel referrals, Fair Access waits and exclusion reasons")),
    template_globals={"label_words": label_words},  # column headings in people's words, not codes
)
