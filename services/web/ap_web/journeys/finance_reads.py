"""What every finance page reads first: the budget, as the signed-in person, from the finance service.

Rule served: the finance service decides who reads which budget (its access policy, on the token minted for
the person); any refusal of a reading is the not-found page, naming nothing of another organisation's budget.
"""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import Response

from ap_web.context import Web, WebContext
from ap_web.identity import SignedInPerson
from ap_web.question_pages import Scope
from ap_web.refusals import refusal_page, refused
from ap_web.service_client import ServiceAnswer
from ap_web.session import Person

#: A provision id and a financial year as the finance service names them; anything else is not found here,
#: so what a person types in the address never reaches the service as another path.
_PROVISION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
_YEAR = re.compile(r"^\d{4}-\d{2}$")


def budget_address(provision_id: str, year: str, suffix: str = "") -> str:
    """The finance service's address of one budget (``suffix``: ``/lines``, ``/items`` ...)."""
    return f"/v1/budgets/{provision_id}/{year}{suffix}"


async def read_budget(web: WebContext, person: SignedInPerson, provision_id: str, year: str,
                      suffix: str = "") -> ServiceAnswer:
    """One budget, or one of its lists (the first 200 rows), as the person (404 for a malformed address)."""
    if not (_PROVISION.match(provision_id) and _YEAR.match(year)):
        return ServiceAnswer(404)
    return await web.client("finance").get(budget_address(provision_id, year, suffix), person,
                                           params={"limit": "200"} if suffix else None)


def not_readable(web: WebContext, request: Request, answer: ServiceAnswer) -> Response | None:
    """The page for a reading the service did not answer: not found (naming nothing), or the service problem."""
    if answer.ok:
        return None
    return refusal_page(web.pages, request, answer) or refused(web.pages, request)


async def readable(web: WebContext, request: Request, person: SignedInPerson, provision_id: str, year: str,
                   suffix: str = "") -> ServiceAnswer | Response:
    """The budget (or one of its lists) as the person reads it, or the page to show instead (``not_readable``)."""
    answer = await read_budget(web, person, provision_id, year, suffix)
    return not_readable(web, request, answer) or answer


async def budget_scope(request: Request, web: Web, person: Person, provision_id: str, year: str) -> Scope | Response:
    """A question page about one budget (``ap_web.question_pages``): its draft is that budget's, its pages name
    it; a budget the person does not read is the not-found page."""
    summary = await readable(web, request, person, provision_id, year)
    if isinstance(summary, Response):
        return summary
    return Scope(key=(provision_id, year), context={"provision_id": provision_id, "year": year,
                                                    "budget": summary.body})
