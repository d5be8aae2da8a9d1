"""What the session cookie holds, and the dependencies every journey's routes use.

The cookie (signed, not encrypted) holds only the person's claims, the CSRF token, the draft id and the
last-seen time; answers in progress are in the ``DraftStore`` under that draft id (WEB-DRAFT-1).

Rules served: every page needs a signed-in person (WEB-SIGNIN-1: ``Person`` sends anyone else to the start
page); every form carries the session's CSRF token (WEB-CSRF-1: ``CheckedForm`` refuses before any route acts).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import FormData

from ap_web.csrf import FORM_FIELD, csrf_valid, random_in_session
from ap_web.identity import SignedInPerson, UnknownPlatformClaim, person_from_claims

SESSION_PERSON, SESSION_SEEN, SESSION_DRAFT = "person", "seen", "draft"


class CsrfRefused(Exception):
    """WEB-CSRF-1: the form's token is not the session's; nothing is changed."""

    rule = "WEB-CSRF-1"


class NeedsSignIn(Exception):
    """WEB-SIGNIN-1: no one is signed in (or the session timed out); the start page offers to sign in."""

    rule = "WEB-SIGNIN-1"


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token has been checked against the session's (WEB-CSRF-1)."""
    form = await request.form()
    if not csrf_valid(request.session, form.get(FORM_FIELD)):
        raise CsrfRefused
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def signed_in(request: Request) -> SignedInPerson | None:
    """The person of the session, or None (nobody, or claims the platform no longer knows)."""
    raw = request.session.get(SESSION_PERSON)
    if not isinstance(raw, dict):
        return None
    try:
        return person_from_claims(raw)
    except UnknownPlatformClaim:
        return None


def require_person(request: Request) -> SignedInPerson:
    person = signed_in(request)
    if person is None:
        raise NeedsSignIn
    return person


Person = Annotated[SignedInPerson, Depends(require_person)]


def draft_id(session: dict[str, Any]) -> str:
    """The session's draft id, made on first use: random, so a draft cannot be guessed from anything else."""
    return random_in_session(session, SESSION_DRAFT)
