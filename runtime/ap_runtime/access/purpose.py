"""Why a caller accesses a pupil's records: a category from a fixed list, and an optional short note.

Rule served (issue 9; UK GDPR art. 5(1)(c) data minimisation and 5(1)(e) storage limitation): the
access audit keeps the reason for every access, but a free-text reason kept forever tends to
collect personal data ("mum rang about X's ..."). So the purpose is a category (kept as long as
the audit record) and, optionally, a note of at most ``MAX_NOTE_LENGTH`` characters that is never
required, which the retention job drops after ``NOTE_RETENTION_DAYS`` days (``drop_purpose_notes``;
the audit chain covers the note's keyed digest, so the chain still verifies).

Header form: ``X-Access-Purpose: <category>`` or ``<category>: <note>`` (also ``;`` as separator).
A value that does not start with a category is accepted as a note alone (callers written before
categories existed); rules that list ``purposes`` in the policy require a category from that list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class PurposeCategory(StrEnum):
    """The reasons for which the platform's people access pupil records."""

    DIRECT_CARE = "direct_care"  # teaching, support and the day-to-day record
    SAFEGUARDING = "safeguarding"  # child protection and safeguarding work (KCSIE)
    EMERGENCY = "emergency"  # break-glass: a pupil at risk and the DSL unreachable
    PLACEMENT_DECISION = "placement_decision"  # referral, commissioning, review, exclusion decisions
    RECORD_CORRECTION = "record_correction"  # amending or withdrawing a record made in error
    STATUTORY_RETURN = "statutory_return"  # census, exclusion and finance returns
    SUBJECT_ACCESS = "subject_access"  # a subject-access request (UK GDPR art. 15)
    ERASURE = "erasure"  # an erasure request or the retention schedule
    LEGAL = "legal"  # legal holds, claims, inquiries
    AUDIT = "audit"  # the DPO reviewing the access audit


MAX_NOTE_LENGTH = 200
MAX_HEADER_LENGTH = 500
NOTE_RETENTION_DAYS = 90
_CATEGORY_THEN_NOTE = re.compile(r"^(?P<category>[a-z_]+)\s*(?:[:;]\s*(?P<note>.*))?$", re.DOTALL)


class InvalidPurpose(ValueError):
    """The stated purpose cannot be recorded as given."""


@dataclass(frozen=True, slots=True)
class StatedPurpose:
    """A parsed purpose: the category (None when only a note was given) and the note."""

    category: PurposeCategory | None
    note: str | None

    @property
    def stated(self) -> str | None:
        """What the policy sees as "a purpose was stated": the category, else the note."""
        return self.category.value if self.category is not None else self.note


NO_PURPOSE = StatedPurpose(None, None)


def parse_purpose(value: str | None) -> StatedPurpose:
    """The category and note of a purpose header; raises ``InvalidPurpose`` saying what is wrong."""
    text = (value or "").strip()
    if not text:
        return NO_PURPOSE
    if len(text) > MAX_HEADER_LENGTH:
        raise InvalidPurpose(f"purpose is longer than {MAX_HEADER_LENGTH} characters")
    match = _CATEGORY_THEN_NOTE.match(text)
    category = None
    note: str | None = text
    if match is not None and match["category"] in PurposeCategory.__members__.values():
        category = PurposeCategory(match["category"])
        note = (match["note"] or "").strip() or None
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise InvalidPurpose(
            f"the purpose note is longer than {MAX_NOTE_LENGTH} characters: state a category "
            f"({', '.join(c.value for c in PurposeCategory)}) and keep any note short, without personal details"
        )
    return StatedPurpose(category, note)
