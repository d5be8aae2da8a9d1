"""What kind of refusal a domain error is: the only thing the domain says about how it is answered.

Rule served (issue 10, "One error format"): domain errors name their rule and their kind, and know
nothing of HTTP. The edge maps each kind to a status in one table (``ap_runtime.http.problems``);
the Kafka command channel reports the same status, from the same table.
"""

from __future__ import annotations

from enum import StrEnum


class RefusalKind(StrEnum):
    """Why a command was refused; the value is the slug of its problem ``type``."""

    BREAKS_RULE = "rule-broken"
    """The request itself breaks a rule, whatever is recorded."""
    CONFLICTS_WITH_RECORD = "conflict"
    """The request conflicts with what the record already holds."""
    RESERVED_TO_ANOTHER_PARTY = "reserved-to-another-party"
    """The rule reserves the act to a named party (the home school head, the receiving DSL, ...)."""
    NOT_FOUND = "not-found"
    """The request names something that was never recorded."""
