"""Issue 12: the API description lists every rule id a route can answer with, derived from the code.

``entrypoints/rule_ids.py`` reads each command's decider (and the steps around it) for the refusals it can
raise; these tests check the derivation finds rules several calls deep, that no finance rule goes unlisted,
and that the derivation is not a fixed list (a function that raises nothing lists nothing). Unit level.
"""

from __future__ import annotations

from ap_finance.domain import errors
from ap_finance.domain.declarations import DECLARATIONS
from ap_finance.domain.guards import require_in_year, scope
from ap_finance.entrypoints.command_routes import COMMAND_ROUTES, rules_description
from ap_finance.entrypoints.rule_ids import command_rules, rules_raised

ROUTES = {route.path: route for route in COMMAND_ROUTES}


def test_spend_lists_the_rules_its_decider_reaches_at_any_depth() -> None:
    spend = ROUTES["/spend"].rules
    # budget_control (budget_control.require_within_line), the commitment awaiting signatures (spending's own
    # helper), the guards (guards.require_*), the command id (the application) and the repeated id.
    for rule, status in {"budget_control.spend_within_line": 422, "commitment.signed_before_spend": 409,
                         "financial_year.date_in_year": 422, "budget.item_id_unique": 409,
                         "budget_command.id_unique": 409, "budget.exists": 404}.items():
        assert spend.get(rule) == status, rule
    assert "virement.approver_not_requester" not in spend


def test_approval_routes_list_their_requester_rule() -> None:
    assert ROUTES["/virements/{virement_id}/approval"].rules["virement.approver_not_requester"] == 403
    assert ROUTES["/overspends/{overspend_id}/approval"].rules["overspend.approver_not_requester"] == 403
    assert ROUTES["/budget"].rules["signature.threshold_agreed_by_both"] == 403
    assert "carry_forward.matches_previous_year" in ROUTES["/budget"].rules  # the year-boundary check


def test_every_finance_rule_is_listed_on_some_route() -> None:
    listed = set().union(*(route.rules for route in COMMAND_ROUTES))
    assert set(errors.rule_catalogue()) - listed == set()


def test_the_derivation_follows_the_code_not_a_list() -> None:
    assert rules_raised(scope) == set()
    assert rules_raised(require_in_year) == {errors.DateOutsideFinancialYear}
    for declaration in DECLARATIONS:
        assert ROUTES[declaration.path].rules == command_rules(declaration)


def test_the_route_description_names_each_rule_with_its_status() -> None:
    text = rules_description(ROUTES["/spend"])
    assert "`budget_control.spend_within_line` (422)" in text
    assert "`commitment.signed_before_spend` (409)" in text
