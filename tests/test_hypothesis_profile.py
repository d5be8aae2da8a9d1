"""Property-based tests are deterministic in CI (issue 9): the root conftest selects the ``ci``
hypothesis profile unless AP_HYPOTHESIS_PROFILE names another (``make fuzz`` selects ``fuzz``)."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st


def draws_of_one_run() -> list[object]:
    seen: list[object] = []

    @settings(max_examples=20)
    @given(st.integers() | st.text())
    def property_under_test(value: object) -> None:
        seen.append(value)

    property_under_test()
    return seen


def test_the_selected_profile_is_ci_unless_the_environment_names_another() -> None:
    expected = os.environ.get("AP_HYPOTHESIS_PROFILE", "ci")
    assert settings.get_current_profile_name() == expected


def test_in_ci_two_runs_of_a_property_draw_the_same_examples_and_keep_no_database() -> None:
    if os.environ.get("AP_HYPOTHESIS_PROFILE", "ci") != "ci":
        return  # the fuzz profile is random on purpose
    assert settings.default.derandomize and settings.default.database is None
    assert settings.default.deadline is None  # a loaded 2-core machine must not fail a test by timing
    assert draws_of_one_run() == draws_of_one_run()
