"""A projection declares its default topics and its tables once; ``Projection(topics=...)`` moves it
to other topics (tests) and the default ``setup`` runs its ``ddl`` (issue 10, "Copies": every read
model repeated the same constructor and setup)."""

from __future__ import annotations

import pytest

from ap_runtime.projection import Projection


class _Visits(Projection):
    name = "visits"
    topics = ("ap.visits",)
    ddl = "CREATE TABLE IF NOT EXISTS visits (n integer)"


class _NoTables(Projection):
    name = "no_tables"


def test_the_default_topics_hold_unless_others_are_named() -> None:
    assert _Visits().topics == ("ap.visits",)
    assert _Visits(topics=None).topics == ("ap.visits",)
    assert _Visits(topics=["ap.test.visits"]).topics == ("ap.test.visits",)
    assert _Visits.topics == ("ap.visits",)  # naming topics for one instance leaves the class alone


async def test_a_projection_without_ddl_must_say_how_it_sets_up() -> None:
    with pytest.raises(NotImplementedError, match="_NoTables declares no ddl"):
        await _NoTables().setup(None)  # type: ignore[arg-type]
