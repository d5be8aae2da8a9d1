"""Incidents start-up checks its action ids against the loaded access policy (issue 10, one vocabulary).

Every command declaration names its action as a ``policy.yaml`` id string; a typo there, or a policy that
lost an id, would otherwise deny every call of that command at run time. ``bootstrap`` refuses to start
instead, naming the id, before it opens any connection (as finance's, notifications' and reporting's do).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ap_incidents.domain.declarations import DECLARATIONS
from ap_incidents.entrypoints.bootstrap import bootstrap, check_incidents_actions
from ap_incidents.entrypoints.settings import incidents_settings
from ap_runtime.access.policy import PACKAGED_POLICY, PolicyError, load_policy, parse_policy

pytestmark = pytest.mark.unit

POLICY = load_policy(PACKAGED_POLICY)


def test_the_packaged_policy_lists_every_declared_action() -> None:
    check_incidents_actions(POLICY)


def test_an_unknown_id_in_a_declaration_is_refused_by_name() -> None:
    typo = replace(DECLARATIONS[0], action="incidents.registr_pupil")
    with pytest.raises(PolicyError, match=r"incidents uses actions the access policy .* does not list: "
                                          r"\['incidents.registr_pupil'\]"):
        check_incidents_actions(POLICY, (typo, *DECLARATIONS[1:]))


async def test_start_up_fails_naming_an_action_the_configured_policy_lacks(tmp_path: Path) -> None:
    text = PACKAGED_POLICY.read_text(encoding="utf-8")
    listed = "  - {id: incidents.record_search, summary: record a search}\n"
    assert listed in text
    # The id leaves the vocabulary and the rules (which would otherwise name an unlisted id).
    edited = text.replace(listed, "").replace("incidents.record_physical_intervention, incidents.record_search]",
                                              "incidents.record_physical_intervention]")
    parse_policy(edited, "edited.yaml")  # still a valid policy: only the action is missing
    path = tmp_path / "policy.yaml"
    path.write_text(edited, encoding="utf-8")
    settings = incidents_settings({"AP_ACCESS_POLICY": str(path), "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"})
    with pytest.raises(PolicyError, match=r"\['incidents.record_search'\]"):
        await bootstrap(settings)
