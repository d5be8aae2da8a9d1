"""Finance (the LA's finance officer, the host school's business manager, the Partnership's lead): the budgets
they may read, one budget's lines with spend against budget (a chart and its table), and the quarterly return
to download in every format the finance service offers.

Rules served: the finance service decides who reads which budget (its access policy, by the token minted for
the signed-in person); a budget not theirs is the not-found page naming nothing, for each page and each
download. The pages that change a budget are in ``finance_signing``, ``finance_virements`` and
``finance_year_end``; this module declares the journey (one ``JOURNEY`` for all of them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_contracts.events.finance import BudgetCategory
from ap_runtime.access import Role
from ap_runtime.documents import BarChart, Series, chart_html
from ap_runtime.http.downloads import attachment
from ap_web.context import Journey, Web
from ap_web.journeys import finance_allocation as allocation
from ap_web.journeys import finance_signing, finance_virements, finance_year_end
from ap_web.journeys.finance_forms import (
    CATEGORY_WORDS,
    METHOD_WORDS,
    SOURCE_WORDS,
    choice_items,
    pence_of,
    pounds,
    words,
)
from ap_web.journeys.finance_reads import budget_address, not_readable, read_budget, readable
from ap_web.pages import Task
from ap_web.refusals import refused
from ap_web.session import Person

FINANCE_ROLES = frozenset({Role.FINANCE_OFFICER, Role.HOST_SCHOOL_FINANCE, Role.PARTNERSHIP_LEAD,
                           Role.LA_OFFICER})
#: The quarterly return's formats (finance's ``/reports/quarterly-return?format=``) and the words for each.
FORMATS = {"csv": "CSV", "xlsx": "Excel (.xlsx)", "pdf": "PDF", "html": "Web page (HTML)", "json": "JSON"}
_FILE = re.compile(r"^q([1-4])\.(csv|xlsx|pdf|html|json)$")
#: A PDF is rendered by the finance service on request (WeasyPrint): seconds, more on a busy machine.
DOCUMENT_SECONDS = 60
MEDIA = {"json": "application/json", "html": "text/html; charset=utf-8"}

VOCABULARIES: dict[str, Mapping[Any, str]] = {
    "category": CATEGORY_WORDS, "source": SOURCE_WORDS, "method": METHOD_WORDS}

router = APIRouter()


@router.get("/finance", response_class=HTMLResponse)
async def budgets(request: Request, web: Web, person: Person) -> Response:
    answer = await web.client("finance").get("/v1/budgets", person, params={"limit": "200"})
    page = not_readable(web, request, answer)
    if page is not None:
        return page
    return web.pages.render(request, "finance/budgets.html", budgets=answer.body.get("items") or [])


def spend_chart(lines: list[dict[str, Any]]) -> str:
    """Revised budget and spend by category, drawn once as SVG (the documents layer's ``chart_html``: a budget
    of nothing but zeros draws no empty plot and says so); the lines table beside it is its text alternative."""
    totals: dict[str, list[float]] = {}
    for line in lines:
        budget_and_spent = totals.setdefault(str(line["category"]), [0.0, 0.0])
        budget_and_spent[0] += int(line["revised_pence"]) / 100
        budget_and_spent[1] += int(line["spent_pence"]) / 100
    order = [str(category) for category in BudgetCategory if str(category) in totals]
    chart = BarChart("Spend against budget by category (pounds)",
                     tuple(words(category, CATEGORY_WORDS).split(" ")[0] for category in order),
                     (Series("Budget", tuple(totals[c][0] for c in order)),
                      Series("Spent", tuple(totals[c][1] for c in order))),
                     value_label=lambda value: f"£{value:,.0f}")
    return chart_html(chart)


@router.get("/finance/{provision_id}/{year}", response_class=HTMLResponse)
async def budget(request: Request, web: Web, person: Person, provision_id: str,
                 year: str) -> Response:
    summary = await readable(web, request, person, provision_id, year)
    if isinstance(summary, Response):
        return summary
    lines = await readable(web, request, person, provision_id, year, "/lines")
    if isinstance(lines, Response):
        return lines
    rows = lines.body.get("items") or []
    return web.pages.render(request, "finance/budget.html", budget=summary.body, lines=rows,
                            chart=spend_chart(rows) if rows else "")


@router.get("/finance/{provision_id}/{year}/quarterly-return", response_class=HTMLResponse)
async def quarterly_returns(request: Request, web: Web, person: Person, provision_id: str,
                            year: str) -> Response:
    summary = await readable(web, request, person, provision_id, year)
    if isinstance(summary, Response):
        return summary
    return web.pages.render(request, "finance/quarterly_return.html", budget=summary.body, formats=FORMATS)


@router.get("/finance/{provision_id}/{year}/quarterly-return/{file_name}")
async def quarterly_return_file(request: Request, web: Web, person: Person, provision_id: str, year: str,
                                file_name: str) -> Response:
    """One quarter's return as a file (``q1.csv`` ... ``q4.json``), from the finance service, as the person."""
    wanted = _FILE.match(file_name)
    if wanted is None:
        return refused(web.pages, request)
    quarter, fmt = wanted.groups()
    summary = await read_budget(web, person, provision_id, year)  # a malformed address is not found here
    page = not_readable(web, request, summary)
    if page is not None:
        return page
    answer = await web.client("finance").get(budget_address(provision_id, year, "/reports/quarterly-return"), person,
                                             params={"quarter": quarter, "format": fmt}, wait_seconds=DOCUMENT_SECONDS)
    page = not_readable(web, request, answer)
    if page is not None:
        return page
    name = f"quarterly-return-{provision_id}-{year}-q{quarter}.{fmt}"
    return attachment(answer.content, MEDIA.get(fmt, answer.content_type), name)


router.include_router(finance_signing.router)
router.include_router(finance_virements.router)
router.include_router(finance_year_end.router)

JOURNEY = Journey(
    router=router,
    tasks=(Task("/finance", "Budgets", FINANCE_ROLES,
                "Spend against budget, items to sign, virements, year end and the quarterly return"),),
    template_globals={
        "pounds": pounds,
        "pence_of": pence_of,
        "category_words": lambda value: words(value, CATEGORY_WORDS),
        "source_words": lambda value: words(value, SOURCE_WORDS),
        "method_words": lambda value: words(value, METHOD_WORDS),
        "finance_choices": lambda kind, selected: choice_items(VOCABULARIES[kind], selected),
        "allocation_form": allocation.form_layout,
    },
)
