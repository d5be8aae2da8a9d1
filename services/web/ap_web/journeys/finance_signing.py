"""Items awaiting a second signature (spend or commitments over the budget's threshold) and signing them.

Rules served (seed 001, section 5): an item over the threshold needs the host school's signature and the
Partnership's; the finance service signs as the verified person and refuses a second signature by the same
person (rule signature.different_people). The refusal is shown on the page, in the service's words, next to
the button that was pressed; nothing is recorded. Each sign page carries its own command id, so a form sent
twice is recognised by the service rather than signed twice.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_runtime.access import Role
from ap_web.context import Web
from ap_web.identity import SignedInPerson
from ap_web.journeys.finance_forms import shown_with_command_id, with_command_id
from ap_web.journeys.finance_reads import budget_address, readable
from ap_web.question_pages import Asking, QuestionPage, Refusals, Scope, add_question_page
from ap_web.refusals import refused
from ap_web.service_client import ServiceAnswer
from ap_web.session import Person

#: The roles that sign for the budget's two organisations (policy FIN-SIGN-1 and FIN-SIGN-2).
SIGNERS = frozenset({Role.HOST_SCHOOL_FINANCE, Role.PARTNERSHIP_LEAD})

router = APIRouter()


def may_sign(person: SignedInPerson) -> bool:
    return bool(SIGNERS & set(person.roles))


@router.get("/finance/{provision_id}/{year}/items", response_class=HTMLResponse)
async def items(request: Request, web: Web, person: Person, provision_id: str, year: str) -> Response:
    answer = await readable(web, request, person, provision_id, year, "/items")
    if isinstance(answer, Response):
        return answer
    return web.pages.render(request, "finance/items.html", provision_id=provision_id, year=year,
                            items=answer.body.get("items") or [], may_sign=may_sign(person))


async def item_scope(request: Request, web: Web, person: Person, provision_id: str, year: str, item_id: uuid.UUID
                     ) -> Scope | Response:
    """The item awaiting signatures, or the page to show instead (not found when it awaits none, or the budget
    is not the person's to read: a forged signature of another organisation's item reaches no service)."""
    answer = await readable(web, request, person, provision_id, year, "/items")
    if isinstance(answer, Response):
        return answer
    found = next((item for item in answer.body.get("items") or [] if item.get("item_id") == str(item_id)), None)
    if found is None:
        return refused(web.pages, request)
    return Scope(key=(provision_id, year, str(item_id)),
                 context={"provision_id": provision_id, "year": year, "item": found})


async def _sign(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    context = asking.scope.context
    item_id = context["item"]["item_id"]
    address = budget_address(context["provision_id"], context["year"], f"/items/{item_id}/signatures")
    return await asking.web.client("finance").post(address, asking.person, {"command_id": answers["command_id"]})


async def _refused_status(_asking: Asking, _answers: dict[str, Any], answer: ServiceAnswer) -> int:
    return 409 if answer.status == 409 else 422


add_question_page(router, QuestionPage(
    draft="signature", path="/finance/{provision_id}/{year}/items/{item_id}/sign", check_path=None,
    templates=("finance/sign.html", "", "finance/signed.html"),
    questions=("command_id",), ids=(), scope=item_scope, shown=shown_with_command_id, complete=with_command_id,
    check=lambda _asking, _answers: [], send=_sign, refused=_refused_status,
    done=lambda _asking, _answers, answer: {"state": (answer.body.get("created") or {}).get("state")},
    refusals=Refusals(lambda _name: "signature", "signature", "The item could not be signed.")))
