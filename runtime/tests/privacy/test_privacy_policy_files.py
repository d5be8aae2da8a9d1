"""The privacy policy files (retention, subject-access redaction) load one way, and a bad one is named.

Rule served: bad input gets a clear error saying what is wrong and where (the file), and a policy
that cannot be read never half-applies.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ap_runtime.privacy.policy_files import PolicyFileError
from ap_runtime.privacy.retention import RetentionPolicy
from ap_runtime.privacy.subject_access import RedactionPolicy


def test_the_packaged_policies_load() -> None:
    assert RetentionPolicy.load().policy_version
    assert RedactionPolicy.load().version


@pytest.mark.parametrize("policy", [RetentionPolicy, RedactionPolicy])
def test_a_missing_policy_file_is_named(policy: type[RetentionPolicy | RedactionPolicy], tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(PolicyFileError, match=f"^{re.escape(str(path))}: cannot read"):
        policy.load(path)


@pytest.mark.parametrize("policy", [RetentionPolicy, RedactionPolicy])
def test_a_policy_file_that_is_not_yaml_is_named(policy: type[RetentionPolicy | RedactionPolicy],
                                                 tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("rules: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyFileError, match=f"^{re.escape(str(path))}: not YAML"):
        policy.load(path)


@pytest.mark.parametrize("policy", [RetentionPolicy, RedactionPolicy])
def test_a_policy_file_of_the_wrong_shape_is_named_with_what_is_wrong(
    policy: type[RetentionPolicy | RedactionPolicy], tmp_path: Path
) -> None:
    path = tmp_path / "wrong.yaml"
    path.write_text("unexpected: 1\n", encoding="utf-8")
    with pytest.raises(PolicyFileError, match=f"^{re.escape(str(path))}: ") as refused:
        policy.load(path)
    assert "Field required" in str(refused.value)
