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
from ap_web.journeys.finance_forms import command_id_of, sentence
from ap_web.journeys.finance_reads import budget_address, readable
from ap_web.refusals import FieldError, refusal_page, refused
from ap_web.session import CheckedForm, Person

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


async def _item(web: Web, request: Request, person: Person, provision_id: str, year: str,
                item_id: uuid.UUID) -> dict[str, Any] | Response:
    """The item awaiting signatures, or the page to show instead (not found when it awaits none)."""
    answer = await readable(web, request, person, provision_id, year, "/items")
    if isinstance(answer, Response):
        return answer
    found = next((item for item in answer.body.get("items") or [] if item.get("item_id") == str(item_id)), None)
    return found if found is not None else refused(web.pages, request)


@router.get("/finance/{provision_id}/{year}/items/{item_id}/sign", response_class=HTMLResponse)
async def sign_question(request: Request, web: Web, person: Person, provision_id: str, year: str,
                        item_id: uuid.UUID) -> Response:
    item = await _item(web, request, person, provision_id, year, item_id)
    if isinstance(item, Response):
        return item
    return web.pages.render(request, "finance/sign.html", provision_id=provision_id, year=year, item=item,
                            command_id=str(uuid.uuid4()), errors=[])


@router.post("/finance/{provision_id}/{year}/items/{item_id}/sign", response_class=HTMLResponse)
async def sign(request: Request, web: Web, person: Person, form: CheckedForm, provision_id: str, year: str,
               item_id: uuid.UUID) -> Response:
    item = await _item(web, request, person, provision_id, year, item_id)
    if isinstance(item, Response):
        return item
    command_id = command_id_of(form.get("command_id"))
    answer = await web.client("finance").post(
        budget_address(provision_id, year, f"/items/{item_id}/signatures"), person, {"command_id": command_id})
    if answer.ok:
        state = (answer.body.get("created") or {}).get("state")
        return web.pages.render(request, "finance/signed.html", provision_id=provision_id, year=year, item=item,
                                state=state)
    page = refusal_page(web.pages, request, answer)
    if page is not None:
        return page
    errors = [sentence(FieldError("signature", str(answer.body.get("detail") or "The item could not be signed.")))]
    return web.pages.render(request, "finance/sign.html", status=409 if answer.status == 409 else 422,
                            provision_id=provision_id, year=year, item=item, command_id=str(uuid.uuid4()),
                            errors=errors)
