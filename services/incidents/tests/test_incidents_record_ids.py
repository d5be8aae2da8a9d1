"""A command's record ids are fixed forever (a retried command must get the same ones); since issue 11 recent
answers of ``record_id_for`` are kept, which must not change any of them."""

from __future__ import annotations

from uuid import UUID, uuid5

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from ap_incidents.domain.identity import record_id_for

pytestmark = pytest.mark.unit

COMMAND = UUID("00000000-0000-4000-8000-000000000001")


def test_the_ids_of_a_command_are_the_ones_it_always_had() -> None:
    # Written by the tree before the ids were kept: the namespace and the name's spelling are fixed.
    assert record_id_for(COMMAND) == UUID("40a3dd0f-c49b-522f-b726-c4934a3f07a9")
    assert record_id_for(COMMAND, 1) == UUID("1763a8d7-e625-5bd5-bde3-2a3645aea41a")
    assert record_id_for(COMMAND) == UUID("40a3dd0f-c49b-522f-b726-c4934a3f07a9")  # asked again: the kept answer


@seed(11)
@settings(max_examples=300, deadline=None)
@given(commands=st.lists(st.uuids(), min_size=1, max_size=40), index=st.integers(0, 5))
def test_a_kept_answer_is_the_computed_one(commands: list[UUID], index: int) -> None:
    namespace = UUID("3b0c5a4e-8d1f-4c52-9a57-2f6f3f9d8e10")
    for _ in range(2):  # the second round is answered from what was kept
        assert [record_id_for(c, index) for c in commands] == [uuid5(namespace, f"{c}/{index}") for c in commands]
