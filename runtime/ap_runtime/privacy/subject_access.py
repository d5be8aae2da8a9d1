"""Subject access export: everything recorded about one pupil, third parties' data withheld.

Rule served: a subject access request is answered within one month with the requester's personal
data in a commonly used electronic form, third parties' personal data redacted (UK GDPR Art. 15;
STATUTORY.md). Input: the pupil's events already revealed by ``PersonalDataCodec`` (envelope dicts
whose payload holds clear personal fields, None where erased). Output: a machine-readable JSON
document and a readable HTML rendering of the same document.

What is withheld is data, in ``subject_access_redaction.yaml``: family-contact fields, fields naming
staff, witnesses or other pupils, and the user id of whoever recorded each event. The data
protection officer reviews the result before it is sent; disclosing a withheld item later (with
consent, say) is their decision, not the code's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, ConfigDict

from ap_contracts.envelope import EventEnvelope
from ap_contracts.events.base import event_model
from ap_contracts.personal import RecordClass, personal_fields
from ap_runtime.privacy.codec import ERASED_FLAG
from ap_runtime.privacy.policy_files import load_policy_file

DOCUMENT_FORMAT = "ap-subject-access/1"
WITHHELD = "[withheld: about another person]"


class RedactionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    record_classes: frozenset[RecordClass]
    payload_fields: frozenset[str]
    payload_field_suffixes: tuple[str, ...]
    envelope_fields: frozenset[str]

    @classmethod
    def load(cls, path: Path | None = None) -> RedactionPolicy:
        """The redaction list in ``path``, or the packaged default."""
        return load_policy_file(cls, path, "subject_access_redaction.yaml")

    def withholds(self, field: str, record_class: RecordClass | None) -> bool:
        return (
            (record_class is not None and record_class in self.record_classes)
            or field in self.payload_fields
            or field.endswith(self.payload_field_suffixes)
        )


class EventOfAnotherPupil(ValueError):
    """An event handed to the export is about someone else: it must never be disclosed here."""


def build_subject_access_document(
    pupil_ref: UUID,
    events: Iterable[Mapping[str, Any]],
    *,
    generated_at: datetime,
    policy: RedactionPolicy | None = None,
) -> dict[str, Any]:
    """The JSON-ready subject access document, records in the order they happened."""
    policy = policy or RedactionPolicy.load()
    envelopes = [EventEnvelope.model_validate(e) for e in events]
    for envelope in envelopes:
        about = envelope.pii_subject or envelope.payload.get("pupil_ref")
        if about != str(pupil_ref):
            raise EventOfAnotherPupil(f"event {envelope.event_id} is not about pupil {pupil_ref}")
    envelopes.sort(key=lambda e: (e.occurred_at, e.recorded_at, e.stream_id, e.stream_version))
    return {
        "format": DOCUMENT_FORMAT,
        "pupil_ref": str(pupil_ref),
        "generated_at": generated_at.isoformat(),
        "redaction_policy_version": policy.version,
        "withheld_marker": WITHHELD,
        "record_count": len(envelopes),
        "records": [_record(envelope, policy) for envelope in envelopes],
    }


def _record(envelope: EventEnvelope, policy: RedactionPolicy) -> dict[str, Any]:
    marked = personal_fields(event_model(envelope.event_type, envelope.schema_version))
    data: dict[str, Any] = {}
    withheld: list[str] = []
    for name, value in envelope.payload.items():
        if name == ERASED_FLAG:
            continue
        if policy.withholds(name, marked.get(name)):
            data[name] = WITHHELD
            withheld.append(name)
        elif isinstance(value, dict):
            # An amendment's corrected values name the fields they replace: a corrected keyworker is
            # still a member of staff.
            data[name] = {key: WITHHELD if policy.withholds(key, None) else inner for key, inner in value.items()}
            withheld.extend(f"{name}.{key}" for key in value if policy.withholds(key, None))
        else:
            data[name] = value
    meta = envelope.model_dump(mode="json", include={"actor"})
    for dotted in sorted(policy.envelope_fields):
        if _withhold_path(meta, dotted.split(".")):
            withheld.append(dotted)
    return {
        "event_id": str(envelope.event_id),
        "event_type": envelope.event_type,
        "schema_version": envelope.schema_version,
        "occurred_at": envelope.occurred_at.isoformat(),
        "recorded_at": envelope.recorded_at.isoformat(),
        "organisation_id": envelope.organisation_id,
        "recorded_by": meta["actor"],
        "personal_data_erased": bool(envelope.payload.get(ERASED_FLAG, False)),
        "data": data,
        "withheld_fields": withheld,
    }


def _withhold_path(node: dict[str, Any], path: Sequence[str]) -> bool:
    head, *rest = path
    if head not in node:
        return False
    if not rest:
        node[head] = WITHHELD
        return True
    child = node[head]
    return isinstance(child, dict) and _withhold_path(child, rest)


def render_subject_access_html(document: Mapping[str, Any]) -> str:
    """A readable rendering of the document (autoescaped: record text is never markup)."""
    return _environment().get_template("subject_access.html.j2").render(doc=document)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("ap_runtime.privacy", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["humanise"] = _humanise
    env.filters["show"] = _show
    return env


def _humanise(name: str) -> str:
    """``IncidentRecorded`` / ``incident_narrative`` -> ``Incident recorded`` / ``Incident narrative``."""
    spaced = "".join(f" {ch.lower()}" if ch.isupper() else ch for ch in name).replace("_", " ").strip()
    return spaced[:1].upper() + spaced[1:]


def _show(value: Any) -> str:
    if value is None:
        return "(none, or erased)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(_show(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
