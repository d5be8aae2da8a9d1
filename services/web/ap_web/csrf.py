"""CSRF protection for every form (issue 16): a random token per session, echoed by each form.

Rule WEB-CSRF-1: a POST whose ``csrf_token`` field does not equal the session's token changes
nothing and gets a 403 page. The comparison is constant-time.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"


def random_in_session(session: MutableMapping[str, Any], key: str) -> str:
    """The session's random value under ``key`` (a CSRF token, a draft id), made on first use: unguessable."""
    value = session.get(key)
    if not isinstance(value, str):
        value = secrets.token_urlsafe(32)
        session[key] = value
    return value


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's token, made on first use."""
    return random_in_session(session, SESSION_KEY)


def csrf_valid(session: MutableMapping[str, Any], submitted: object) -> bool:
    expected = session.get(SESSION_KEY)
    return isinstance(expected, str) and isinstance(submitted, str) and hmac.compare_digest(expected, submitted)
