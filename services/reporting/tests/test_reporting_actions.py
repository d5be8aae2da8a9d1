"""Reporting names only actions the access policy lists, each a read some rule grants (issue 10), but the two
publishing actions, which record ``ReportPublished`` (issue 15).

Rule served: the action vocabulary lives in ``policy.yaml``; a service checks the ids it uses at start-up,
so a typo stops the process instead of denying every report. Unit level: no server.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from ap_reporting.domain.actions import PUBLISHING_ACTIONS, REPORTING_ACTIONS
from ap_reporting.entrypoints import api, publish_routes
from ap_reporting.entrypoints.bootstrap import check_reporting_actions
from ap_runtime.access.policy import PACKAGED_POLICY, PolicyError, load_policy, parse_policy

POLICY = load_policy(PACKAGED_POLICY)


@pytest.mark.parametrize("action", sorted(REPORTING_ACTIONS))
def test_every_reporting_action_is_a_listed_read_a_rule_grants(action: str) -> None:
    assert POLICY.action(action).reads is (action not in PUBLISHING_ACTIONS)
    assert POLICY.rules_for(action), f"no policy rule grants {action}"


def test_every_reporting_action_of_the_policy_is_used() -> None:
    assert {a for a in POLICY.actions if a.startswith("reporting.")} == REPORTING_ACTIONS


@pytest.mark.parametrize("module", [api, publish_routes])
def test_the_routes_write_no_action_id_of_their_own(module: object) -> None:
    tree = ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8"))  # type: ignore[arg-type]
    literals = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                and isinstance(node.value, str) and node.value.startswith("reporting.")]
    assert literals == []


def test_start_up_refuses_a_policy_that_lacks_a_reporting_action() -> None:
    check_reporting_actions(POLICY)
    line = ("  - {id: reporting.read_annual_report, summary: \"read the local authority's annual figures\","
            " reads: true}\n")
    text = PACKAGED_POLICY.read_text(encoding="utf-8")
    assert line in text
    text = text.replace(line, "").replace("reporting.read_annual_report", "reporting.read_strategy_report")
    with pytest.raises(PolicyError, match=r"reporting uses actions .* \['reporting.read_annual_report'\]"):
        check_reporting_actions(parse_policy(text, "edited.yaml"))
