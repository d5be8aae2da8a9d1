"""A principal's Actor (``Principal.actor``), kept for the same person since issue 11: the same Actor as built
directly, and one the model refuses is refused at every call."""

from __future__ import annotations

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ap_contracts.envelope import Actor, OrgKind
from ap_runtime.access.principal import Principal
from ap_runtime.access.roles import Role

pytestmark = pytest.mark.unit

NAME = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=40).filter(str.strip)


@seed(11)
@settings(max_examples=300, deadline=None)
@given(user=NAME, organisation=NAME, roles=st.frozensets(st.sampled_from(list(Role))), token=st.none() | NAME)
def test_the_actor_is_the_one_built_from_the_principal(user: str, organisation: str, roles: frozenset[Role],
                                                      token: str | None) -> None:
    principal = Principal(user, organisation, OrgKind.PROVISION, roles, token_id=token)
    built = Actor(user_id=user, organisation_id=organisation, roles=tuple(sorted(role.value for role in roles)))

    assert principal.actor() == built
    assert Principal(user, organisation, OrgKind.PROVISION, roles, token_id="another").actor() == built


@pytest.mark.parametrize("user_id", ["u\x00", "u" * 201, "   "])
def test_an_actor_the_model_refuses_is_refused_at_every_call(user_id: str) -> None:
    principal = Principal(user_id, "prov-north", OrgKind.PROVISION, frozenset({Role.PROVISION_STAFF}))
    for _ in range(2):
        with pytest.raises(ValidationError):
            principal.actor()
