"""Refuse unstorable text in the URL and headers before any handler runs (422 naming the field).

Rule served (issue 9, "Input and transport"): a NUL or an unpaired surrogate in any text input is
refused with a 422 problem naming where it is. PostgreSQL refuses NUL in text, so without this a
NUL in a query parameter reached a query and answered 500. Bodies are checked by the contract
models (``ap_contracts.text``); this guard covers what those never see:

- the path, by the path parameter the matched route gives the segment (``path.provision_id``);
- the query string, by parameter (``query.provision_id``), after percent-decoding as strict UTF-8
  (an unpaired surrogate can only arrive as bytes that are not valid UTF-8, e.g. ``%ED%A0%80``);
- every header for NUL, and the headers the services read for valid UTF-8 (``header.x-access-purpose``).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from starlette.types import Scope

from ap_contracts.schema_tools import FieldProblem
from ap_contracts.text import NUL_PROBLEM, text_problem
from ap_runtime.http.problems import Problem, invalid_request

NOT_UTF8_PROBLEM = "is not valid UTF-8 text (an encoded unpaired surrogate or a broken byte sequence)"
# Headers whose values the services read as text (tokens, purposes, correlation ids, content types).
READ_HEADERS = frozenset({b"authorization", b"x-access-purpose", b"x-break-glass", b"x-correlation-id",
                          b"content-type", b"accept"})
_PARAMETER = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}$")



def _decoded_problem(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return NOT_UTF8_PROBLEM
    return text_problem(text)


def _path_field(scope: Scope, segment: int) -> str:
    """``path.<parameter>`` when a path template of the app's OpenAPI names the segment, else ``path``.

    Only for a refused request, so reading the (cached) OpenAPI document costs nothing otherwise.
    """
    openapi = getattr(scope.get("app"), "openapi", None)
    try:
        paths = openapi().get("paths", {}) if callable(openapi) else {}
    except Exception:  # naming the parameter is a courtesy: the refusal stands without it
        paths = {}
    actual = str(scope.get("path", "")).split("/")
    for template in paths:
        parts = str(template).split("/")
        if len(parts) != len(actual) or segment >= len(parts):
            continue
        if all(_PARAMETER.match(p) or p == a for p, a in zip(parts, actual, strict=True)):
            found = _PARAMETER.match(parts[segment])
            if found:
                return f"path.{found.group(1)}"
    return "path"


def path_problems(scope: Scope) -> list[FieldProblem]:
    raw_path: bytes = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogatepass")
    for index, segment in enumerate(raw_path.split(b"/")):
        problem = _decoded_problem(unquote_to_bytes(segment))
        if problem is not None:
            return [{"field": _path_field(scope, index), "problem": problem}]
    return []


def query_problems(query_string: bytes) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for pair in query_string.split(b"&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition(b"=")
        name = unquote_to_bytes(raw_name.replace(b"+", b" "))
        value = unquote_to_bytes(raw_value.replace(b"+", b" "))
        name_problem = _decoded_problem(name)
        if name_problem is not None:
            problems.append({"field": "query", "problem": f"a parameter name {name_problem}"})
            continue
        problem = _decoded_problem(value)
        if problem is not None:
            problems.append({"field": f"query.{name.decode()}", "problem": problem})
    return problems


def header_problems(headers: list[tuple[bytes, bytes]]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for raw_name, value in headers:
        name = raw_name.decode("latin-1").lower()
        if b"\x00" in value:
            problems.append({"field": f"header.{name}", "problem": NUL_PROBLEM})
        elif raw_name.lower() in READ_HEADERS:
            problem = _decoded_problem(value)
            if problem is not None:
                problems.append({"field": f"header.{name}", "problem": problem})
    return problems


def text_refusal(scope: Scope) -> Problem | None:
    """422 naming each field when the path, query or headers hold a NUL or text that is not valid Unicode."""
    problems = (path_problems(scope) + query_problems(scope.get("query_string", b""))
                + header_problems(list(scope.get("headers", []))))
    return invalid_request(problems) if problems else None
