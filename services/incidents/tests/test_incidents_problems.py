"""The incidents API answers a domain refusal in the one problem format (issue 10): the rule id
kept, the status chosen at the edge from the refusal's kind, never by the domain."""

from __future__ import annotations

from ap_incidents.domain import errors
from ap_incidents.entrypoints.problems import domain_problem, status_of


def _rule_classes() -> list[type[errors.DomainError]]:
    return [cls for cls in vars(errors).values()
            if isinstance(cls, type) and issubclass(cls, errors.DomainError) and "rule_id" in vars(cls)]


def test_a_domain_refusal_is_a_problem_naming_its_rule_with_the_status_of_its_kind() -> None:
    problem = domain_problem(errors.ParentNotConsulted("consult first"))
    assert problem.body("/v1/pupils/p/placement") == {
        "type": "urn:ap:problem:conflict", "title": "Parent not consulted", "status": 409,
        "detail": "consult first", "instance": "/v1/pupils/p/placement", "rule": "placement.parent_consulted"}


def test_every_domain_refusal_answers_403_409_or_422_by_its_kind() -> None:
    statuses = {cls.__name__: status_of(cls("m")) for cls in _rule_classes()}
    assert len(statuses) > 20 and set(statuses.values()) == {403, 409, 422}
    assert statuses["ParentNotConsulted"] == 409
