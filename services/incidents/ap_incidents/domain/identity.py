"""Stream names and record ids of the pupil path.

A record id is derived from the command that made the entry, so a retried command yields the same
ids (the event store deduplicates on them and ``decide`` recognises a command already applied).
"""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID, uuid5

# Fixed forever: changing it would give retried commands new ids.
_RECORD_NAMESPACE = UUID("3b0c5a4e-8d1f-4c52-9a57-2f6f3f9d8e10")


def record_id_for(command_id: UUID, index: int = 0) -> UUID:
    """Id of the ``index``-th entry a command records."""
    return _kept_record_id(command_id, index)


# A command's first id is asked for twice (``decide`` looks for it among the recorded entries, then the theme
# names its new entry with it) and uuid5 is ~8 us (the id's text, SHA-1, the UUID built): recent answers are
# kept (issue 11, API CPU per command). The id is a pure function of its arguments. (Behind ``record_id_for``
# so that callers keep its typed signature.)
@lru_cache(maxsize=1024)
def _kept_record_id(command_id: UUID, index: int) -> UUID:
    return uuid5(_RECORD_NAMESPACE, f"{command_id}/{index}")


def pupil_stream_id(pupil_ref: UUID) -> str:
    return f"pupil-{pupil_ref}"


def provision_stream_id(provision_id: str) -> str:
    return f"provision-{provision_id}"


def organisation_stream_id(organisation_id: str) -> str:
    """The register of organisations keeps one stream per organisation."""
    return f"organisation-{organisation_id}"
