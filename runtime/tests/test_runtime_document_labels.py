"""``label_words``: a code or lower-case label becomes words for a heading; a year, a band or a name stays as it
is (one mapping for every document for people)."""

from __future__ import annotations

import pytest

from ap_contracts.events.pupil_vocabulary import ExclusionReason
from ap_runtime.documents import label_words
from ap_runtime.documents.labels import EXCLUSION_REASONS


@pytest.mark.parametrize(("label", "words"), [
    ("alternative_provision", "Alternative provision"), ("not recorded", "Not recorded"), ("female", "Female"),
    ("KS3", "Key stage 3"), ("EYFS", "Early years foundation stage"), ("within key stage", "Within key stage"),
    ("2024/25", "2024/25"), ("6+ days without placement", "6+ days without placement"), ("school-a", "school-a"),
    ("PP", "Physical assault against a pupil"), ("OT", "Other"), ("XY", "XY"), ("1", "1"), ("Total", "Total")])
def test_a_label_is_shown_in_words_and_a_year_band_or_name_as_it_is(label: str, words: str) -> None:
    assert label_words(label) == words


def test_every_census_exclusion_reason_code_is_shown_in_words() -> None:
    assert set(EXCLUSION_REASONS) == {reason.value for reason in ExclusionReason}
    assert all(label_words(code) != code and label_words(code)[0].isupper() for code in EXCLUSION_REASONS)
