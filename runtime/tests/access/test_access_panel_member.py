"""The ``panel_member`` relationship (issue 13): the caller's organisation sits on the panel, as the panel's
stored membership records it (``ResourceContext.panel_organisations``); an empty membership relates to no one."""

from __future__ import annotations

from ap_runtime.access import ResourceContext
from ap_runtime.access.context import Relationship


def test_an_organisation_sitting_on_the_panel_relates_as_panel_member() -> None:
    panel = ResourceContext(organisation_id="la-county", panel_organisations=frozenset({"school-a", "school-b"}))
    assert panel.relates("school-a", Relationship.PANEL_MEMBER)
    assert not panel.relates("school-c", Relationship.PANEL_MEMBER)
    assert not panel.relates("la-county", Relationship.PANEL_MEMBER)


def test_a_resource_with_no_recorded_membership_relates_to_no_one_as_panel_member() -> None:
    assert not ResourceContext(organisation_id="la-county").relates("la-county", Relationship.PANEL_MEMBER)
