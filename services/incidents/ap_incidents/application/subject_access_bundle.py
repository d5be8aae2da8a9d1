"""One subject access response from every service's export: the records of all, in time order.

Rule served: a subject access request is answered with everything held about the pupil across
the platform (UK GDPR Art. 15), third parties' data withheld by each service before it leaves
(``ap_runtime.privacy.subject_access``). Pure: the caller fetches each service's document.
The bundle keeps the shape of a single document (so the same HTML rendering serves it), adds the
service each record comes from, and lists the sources with their own redaction versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from ap_runtime.privacy.subject_access import DOCUMENT_FORMAT, WITHHELD

BUNDLE_FORMAT = "ap-subject-access-bundle/1"


class SourceDocumentRejected(ValueError):
    """A service's export is not a subject access document about this pupil: it is not bundled."""


def _checked(service: str, document: Mapping[str, Any], pupil_ref: UUID) -> Mapping[str, Any]:
    if document.get("format") != DOCUMENT_FORMAT:
        raise SourceDocumentRejected(f"{service}: not a {DOCUMENT_FORMAT} document")
    if document.get("pupil_ref") != str(pupil_ref):
        raise SourceDocumentRejected(f"{service}: the document is about another pupil")
    if document.get("withheld_marker") != WITHHELD:
        raise SourceDocumentRejected(f"{service}: withheld items are marked differently")
    return document


def _when(record: Mapping[str, Any]) -> tuple[datetime, datetime, str]:
    return (datetime.fromisoformat(record["occurred_at"]), datetime.fromisoformat(record["recorded_at"]),
            str(record["service"]))


def bundle_documents(pupil_ref: UUID, documents: Mapping[str, Mapping[str, Any]],
                     generated_at: datetime) -> dict[str, Any]:
    """The platform-wide document: every service's records, each naming its service, oldest first."""
    checked = {service: _checked(service, doc, pupil_ref) for service, doc in documents.items()}
    records = [{**record, "service": service} for service, doc in checked.items() for record in doc["records"]]
    records.sort(key=_when)
    return {
        "format": BUNDLE_FORMAT,
        "pupil_ref": str(pupil_ref),
        "generated_at": generated_at.isoformat(),
        "redaction_policy_version": "; ".join(
            f"{service} {doc['redaction_policy_version']}" for service, doc in checked.items()),
        "withheld_marker": WITHHELD,
        "sources": [
            {"service": service, "generated_at": doc["generated_at"], "record_count": doc["record_count"],
             "redaction_policy_version": doc["redaction_policy_version"]}
            for service, doc in checked.items()
        ],
        "record_count": len(records),
        "records": records,
    }
