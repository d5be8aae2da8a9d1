"""Where a service's refusal of a question page's send lands: against the page's own questions, in the service's
words written as the page's sentences (``ap_web.refusals.problem_errors`` reads the RFC 9457 problem)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ap_web.refusals import FieldError, problem_errors
from ap_web.service_client import ServiceAnswer


def sentences(errors: list[FieldError]) -> list[FieldError]:
    """A service's words as the page's sentences: each message begins with a capital letter (services write
    them in lower case, as a log line)."""
    return [FieldError(e.field, e.message[:1].upper() + e.message[1:]) for e in errors]


def field_named(fields: tuple[str, ...], default: str, renamed: Mapping[str, str] | None = None
                ) -> Callable[[str], str]:
    """Maps a service's field name (``corrected_values.action_taken``, ``triggers[0]``) to the page's question:
    the first of its parts the page asks (after ``renamed``: ``amount_pence`` asked in pounds as ``amount``),
    else ``default``."""
    def mapped(service_field: str) -> str:
        for part in service_field.replace("[", ".").replace("]", "").split("."):
            part = (renamed or {}).get(part, part)
            if part in fields:
                return part
        return default
    return mapped


@dataclass(frozen=True, slots=True)
class Refusals:
    """Where a service's refusal of the send goes on the question page: ``field_of`` maps the service's field
    names, ``rule_fields`` its rule ids, anything else lands on ``default_field`` (``fallback`` when the service
    gave no words); ``as_sentences`` capitalises the service's words."""

    field_of: Callable[[str], str]
    default_field: str
    fallback: str
    rule_fields: Mapping[str, str] = field(default_factory=dict)
    as_sentences: bool = True

    def errors(self, answer: ServiceAnswer) -> list[FieldError]:
        found = problem_errors(answer.body, self.field_of, self.rule_fields, self.default_field, self.fallback)
        return sentences(found) if self.as_sentences else found
