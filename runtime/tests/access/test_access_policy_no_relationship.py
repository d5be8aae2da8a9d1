"""A rule with ``relationship: any`` never reaches pupil-level data (issue 9 follow-up).

REG-4 let any local authority officer read every pupil's placement-register row, other authorities'
pupils included. Rule served: share pupil-level data only with organisations responsible for the
pupil (STATUTORY.md, data protection). So a rule that needs no relationship may grant only actions
that return or change no pupil's record, and no record class; a new `any` rule on anything else is
refused here until it is scoped to the pupil (or the action is shown to hold no pupil data and added
below, with the reason).
"""

from __future__ import annotations

from ap_runtime.access.context import Relationship
from ap_runtime.access.policy import PACKAGED_POLICY, load_policy

# Actions that hold no pupil-level data, and why.
WITHOUT_PUPIL_DATA: dict[str, str] = {
    "incidents.register_organisation": "organisation facts only (LA, partnership, key stages)",
    "privacy.run_retention": "the job reads records itself; its caller sees pseudonymous references and outcomes",
    "finance.set_budget": "finance events carry no pupil data (contracts: events/finance.py)",
    "finance.close_year": "finance events carry no pupil data",
    "finance.claw_back_surplus": "finance events carry no pupil data",
    "finance.carry_forward": "finance events carry no pupil data",
    "finance.read_ledger": "ledgers name organisations, staff and suppliers, never a pupil",
    "finance.read_reports": "financial reports: money and placement counts, 1 and 2 shown as c",
    "finance.publish_reports": "records ReportPublished: figures' names, values and stream positions, no pupil",
    "reporting.read_partnership_report": "counts only, small numbers suppressed, fixed terms",
    "reporting.read_annual_report": "counts only, small numbers suppressed, academic years",
    "reporting.read_strategy_report": "counts only, small numbers suppressed, 1 to 3 academic years",
    "reporting.publish_report": "records ReportPublished: suppressed figures' names and values, offsets, no pupil",
    "reporting.trace_figure": "a shown figure and the ids of the events behind it; no pupil data, never a hidden cell",
    "incidents.read_term_dates": "an organisation's published term dates and INSET days (events/organisations.py)",
    "commissioning.read_review_templates": "the SLA review questionnaire: questions only, no answers, no organisation",
}


def test_no_rule_without_a_relationship_reaches_pupil_data() -> None:
    policy = load_policy(PACKAGED_POLICY)
    reaching = [
        f"{rule.id} grants {sorted(set(rule.actions) - set(WITHOUT_PUPIL_DATA))} and "
        f"{sorted(c.value for c in rule.record_classes)} to any organisation"
        for rule in policy.document.rules
        if rule.relationship is Relationship.ANY
        and (set(rule.actions) - set(WITHOUT_PUPIL_DATA) or rule.record_classes)
    ]
    assert not reaching, "\n".join(reaching)


def test_the_placement_register_is_read_only_by_organisations_responsible_for_the_pupil() -> None:
    policy = load_policy(PACKAGED_POLICY)
    rules = policy.rules_for("incidents.read_placement_register")
    assert rules and all(rule.relationship is not Relationship.ANY for rule in rules)
