"""The moment a report as at a day is cut at, and the digest that identifies what was published.

Rules served (issue 15, point in time and provenance): a report "as at 30 June" holds what had been recorded
before midnight in England that day, whatever the UTC offset; a publication records the SHA-256 of the
report's JSON, so anyone building it again from the recorded positions can check they have the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

ENGLAND = ZoneInfo("Europe/London")


def end_of_day_in_england(day: date) -> datetime:
    """The last moment of ``day`` on English clocks (GMT or BST): a report "known on 30 June" holds what had
    been recorded before midnight in England, whatever the UTC offset that day."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=ENGLAND) - timedelta(microseconds=1)


def content_digest(report: BaseModel) -> str:
    """SHA-256 of the report's JSON as the API sends it (compact, keys in model order)."""
    body = json.dumps(report.model_dump(mode="json"), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()
