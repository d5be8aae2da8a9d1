"""``label_words``: a code or lower-case label becomes words for a heading; a year, a band or a name stays as it
is (one mapping for every document for people)."""

from __future__ import annotations

import pytest

from ap_runtime.documents import label_words


@pytest.mark.parametrize(("label", "words"), [
    ("alternative_provision", "Alternative provision"), ("not recorded", "Not recorded"), ("female", "Female"),
    ("KS3", "Key stage 3"), ("EYFS", "Early years foundation stage"), ("within key stage", "Within key stage"),
    ("2024/25", "2024/25"), ("6+ days without placement", "6+ days without placement"), ("school-a", "school-a"),
    ("PP", "PP"), ("1", "1"), ("Total", "Total")])
def test_a_label_is_shown_in_words_and_a_year_band_or_name_as_it_is(label: str, words: str) -> None:
    assert label_words(label) == words
