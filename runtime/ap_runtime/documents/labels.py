"""A published table's column or row label in people's words: the one mapping every document for people uses.

Rule served (issue 15 follow-up): documents read by people (the HTML page, the PDF, the workbook, the web pages)
write their column headings, row labels, chart legends and chart categories in words ("Alternative provision",
"Not recorded", "Key stage 3", "Physical assault against a pupil"), never as a code (``alternative_provision``,
``PP``). The report models, their JSON and their CSV keep the codes: they are what a
machine joins on, what an edition's figures are compared by and what a publication's content digest covers, so
a later edition still lines up with an earlier one. Only the words shown change, here.
"""

from __future__ import annotations

import re

EXCLUSION_REASONS: dict[str, str] = {
    "PP": "Physical assault against a pupil", "PA": "Physical assault against an adult",
    "VP": "Verbal abuse or threatening behaviour against a pupil",
    "VA": "Verbal abuse or threatening behaviour against an adult", "BU": "Bullying", "RA": "Racist abuse",
    "LG": "Abuse against sexual orientation and gender identity", "DS": "Abuse relating to disability",
    "SM": "Sexual misconduct", "DA": "Drug and alcohol related", "DM": "Damage to property", "TH": "Theft",
    "MT": "Inappropriate use of social media or online technology",
    "OW": "Use or threat of use of an offensive weapon or prohibited item",
    "DB": "Persistent or general disruptive behaviour",
    "PH": "Wilful and repeated transgression of protective measures in place to protect public health",
    "OT": "Other",
}
"""The school census's exclusion reason codes (``ap_contracts`` ``ExclusionReason``) in the DfE's words
(STATUTORY.md): the Schools Forum's tables of exclusions by reason are headed by these codes."""

WORDS: dict[str, str] = {
    "EYFS": "Early years foundation stage",
    **{f"KS{stage}": f"Key stage {stage}" for stage in range(1, 6)},
    **EXCLUSION_REASONS,
}
"""Codes whose words are not the code itself made readable."""

_CODE = re.compile(r"^[a-z][a-z0-9]*(?:[_ ][a-z0-9+]+)*$")
"""A label written as a code or in lower case (``alternative_provision``, ``not recorded``), not a name or a year."""


def label_words(label: str) -> str:
    """``label`` as a heading for people: a known code's words; a lower-case code with its underscores as spaces
    and a capital first letter; anything else (a year, a band such as ``6+ days``) as it is."""
    if label in WORDS:
        return WORDS[label]
    if _CODE.match(label):
        spaced = label.replace("_", " ")
        return spaced[0].upper() + spaced[1:]
    return label
