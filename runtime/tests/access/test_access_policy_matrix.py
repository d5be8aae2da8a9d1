"""The access policy as a matrix: every role x every action x every relationship.

The tables in THIS module are the specification, written from BRIEF.md and STATUTORY.md and not
generated from policy.yaml; the packaged policy must agree with them cell by cell. Letters stand
for the caller's organisation being the pupil's provision (P), home school (H), commissioner (C),
the partnership (N), the owner of the resource (O), the local authority of the pupil's home school as
the register of organisations records it (L), an organisation sitting on the panel as its stored membership
records it (M); "*" means any organisation, even an unrelated one.
"""

from __future__ import annotations

import itertools
from uuid import uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.personal import RecordClass
from ap_runtime.access import Principal, ResourceContext, Role, decide
from ap_runtime.access.policy import PACKAGED_POLICY, ROLE_ORG_RULE, Policy, load_policy

# The vocabulary the packaged policy lists; the tables below are written independently of it.
ACTIONS = tuple(load_policy(PACKAGED_POLICY).actions.values())

PS, PM, DSL = Role.PROVISION_STAFF, Role.PROVISION_MANAGER, Role.DSL
HSS, HSH = Role.HOME_SCHOOL_STAFF, Role.HOME_SCHOOL_HEAD
COM, NP, LA = Role.COMMISSIONER, Role.PARTNERSHIP_LEAD, Role.LA_OFFICER
FO, HSF, DPO = Role.FINANCE_OFFICER, Role.HOST_SCHOOL_FINANCE, Role.DPO
SF, PARENT, ADMIN = Role.SCHOOLS_FORUM_MEMBER, Role.PARENT, Role.PLATFORM_ADMIN
VSH = Role.VIRTUAL_SCHOOL_HEAD

DAY_TO_DAY = {PS: "P", PM: "P"}
DAY_TO_DAY_WITH_DSL = {PS: "P", PM: "P", DSL: "P"}
HOST_SCHOOL_ONLY = {HSF: "O"}
LA_FINANCE_ONLY = {FO: "*"}
DATA_CONTROLLER_DPO = {DPO: "HC"}

# Who may do what, without break-glass and with a purpose stated.
SPEC: dict[str, dict[Role, str]] = {
    # Issue 9: an LA answers only for its own schools' pupils (L) or places it commissioned (C).
    "incidents.register_pupil": {HSS: "H", HSH: "H", LA: "L"},
    "incidents.update_pupil_details": {HSS: "H", HSH: "H", LA: "LC"},
    "incidents.request_pupil_transfer": {HSS: "H", HSH: "H", LA: "L"},
    "incidents.confirm_pupil_transfer": {HSS: "H", HSH: "H", LA: "L"},
    "incidents.confirm_reintegration": {HSS: "H", HSH: "H"},
    "incidents.record_referral": {HSS: "H", HSH: "H", DSL: "H"},
    "incidents.consult_parent": {HSS: "H", HSH: "H"},
    "incidents.explain_search_policy": DAY_TO_DAY,
    "incidents.decide_eligibility": {COM: "C", LA: "C", PM: "P"},
    "incidents.record_multidisciplinary_meeting": {HSS: "H", HSH: "H", PM: "P"},
    "incidents.approve_out_of_key_stage": {HSH: "H"},
    "incidents.start_placement": {PM: "P", COM: "C", LA: "C"},
    "incidents.agree_alert_thresholds": {PM: "P", COM: "C", LA: "C"},
    "incidents.record_attendance": DAY_TO_DAY,
    "incidents.record_incident": DAY_TO_DAY_WITH_DSL,
    "incidents.apply_sanction": DAY_TO_DAY,
    "incidents.grant_reward": DAY_TO_DAY,
    "incidents.redeem_reward": DAY_TO_DAY,
    # Issue 14, engagement (seed 002 sections 5 and 6.9): the provision's staff score, set targets, reduce scores.
    "incidents.set_engagement_target": DAY_TO_DAY,
    "incidents.record_engagement_score": DAY_TO_DAY,
    "incidents.reduce_engagement_score": DAY_TO_DAY,
    "incidents.amend_engagement_score": DAY_TO_DAY,
    "incidents.record_keyworker_session": DAY_TO_DAY_WITH_DSL,
    "incidents.record_physical_intervention": DAY_TO_DAY_WITH_DSL,
    "incidents.record_search": DAY_TO_DAY_WITH_DSL,
    "incidents.record_sent_home": DAY_TO_DAY_WITH_DSL,  # issue 14, seed 002 appendices 2 and 3 (DAY-6)
    # KCSIE: anyone at the provision records a concern; at the home school staff tell their DSL, who records
    # it for the pupil placed in AP (that a concern exists is for DSLs: BRIEF.md sections 2 and 5).
    "incidents.raise_safeguarding_concern": {PS: "P", PM: "P", DSL: "PH"},
    "incidents.agree_behaviour_contract": DAY_TO_DAY,
    "incidents.make_external_referral": {PM: "P", DSL: "PH"},
    "incidents.record_review": {PM: "P", HSS: "H", HSH: "H", COM: "C", LA: "C"},
    "incidents.review_reduced_timetable": {PM: "P", HSH: "H", COM: "C", LA: "C"},
    "incidents.propose_exclusion": {PM: "P"},
    "incidents.record_commissioner_decision": {COM: "C", LA: "C"},
    "incidents.issue_exclusion": {HSH: "H"},
    "incidents.record_reinstatement": {HSS: "H", HSH: "H"},
    "incidents.record_transition_plan": {HSS: "H", HSH: "H", PM: "P"},
    "incidents.end_placement": {PM: "P", COM: "C", LA: "C"},
    "incidents.amend_record": {PM: "P", DSL: "P", HSS: "H", HSH: "H", COM: "C", LA: "C"},
    "incidents.withdraw_record": {PM: "P", DSL: "P", HSS: "H", HSH: "H", COM: "C", LA: "C"},
    "incidents.manage_staff_register": {PM: "P"},
    "incidents.register_organisation": {ADMIN: "*"},
    # Issue 13: an LA keeps its own area's term dates, a school or provision its own (O: the organisation recording).
    "incidents.record_term_dates": {LA: "O", HSH: "O", PM: "O"},
    "incidents.read_term_dates": {LA: "*", HSH: "*", HSS: "*", PM: "*", PS: "*", DSL: "*", COM: "*"},
    # Issue 13: the staff training report, for the provision and the LA the register places it in (L here).
    "incidents.read_staff_training": {PM: "P", PS: "P", DSL: "P", LA: "L", COM: "L"},
    # Issue 16: exclusions awaiting the governing board, for the LA of the schools (L: the school's registered LA).
    "incidents.read_exclusions_awaiting_decision": {LA: "L", COM: "L"},
    # Issue 16: the marks of a day at a provision, for its own staff (the register page).
    "incidents.read_attendance_marks": DAY_TO_DAY,
    "incidents.read_behaviour_log": {PS: "P", PM: "P", DSL: "PH", HSS: "H", HSH: "H", COM: "C", LA: "C"},
    "incidents.read_placement_register": {
        PS: "P",
        PM: "P",
        DSL: "PH",
        HSS: "H",
        HSH: "H",
        COM: "C",
        LA: "LC",  # issue 9 follow-up: its own schools' pupils and the places it commissioned, not every pupil
        NP: "N",
    },
    "incidents.read_safeguarding_detail": {DSL: "PH"},
    "finance.set_budget": LA_FINANCE_ONLY,
    "finance.record_spend": HOST_SCHOOL_ONLY,
    "finance.raise_commitment": HOST_SCHOOL_ONLY,
    "finance.release_commitment": HOST_SCHOOL_ONLY,
    "finance.sign_item": {HSF: "O", NP: "N"},
    "finance.record_virement": HOST_SCHOOL_ONLY,
    # Issue 12: approval is its own step (the domain refuses the requester); the threshold needs both.
    "finance.approve_virement": {HSF: "O", NP: "N"},
    "finance.approve_overspend": {HSF: "O"},
    "finance.agree_signature_threshold": {HSF: "O", NP: "N"},
    "finance.close_year": LA_FINANCE_ONLY,
    "finance.allocate_surplus": {NP: "N"},
    "finance.claw_back_surplus": LA_FINANCE_ONLY,
    "finance.carry_forward": LA_FINANCE_ONLY,
    "finance.read_ledger": {HSF: "O", NP: "N", PM: "P", FO: "*", LA: "*"},
    "finance.read_reports": {HSF: "O", NP: "N", PM: "P", FO: "*", LA: "*", SF: "*"},
    # Issue 15: the host school publishes its return to the LA; the LA's finance officers publish any.
    "finance.publish_reports": {HSF: "O", FO: "*"},
    "privacy.erase_pupil": DATA_CONTROLLER_DPO,
    "privacy.export_subject_access": {DPO: "PHC"},
    "privacy.release_subject_access_safeguarding": {DPO: "PHC"},
    "privacy.read_audit": {DPO: "PHCO"},
    "privacy.place_legal_hold": DATA_CONTROLLER_DPO,
    "privacy.lift_legal_hold": DATA_CONTROLLER_DPO,
    "privacy.run_retention": {ADMIN: "*"},
    # The LA's virtual school head reads its own organisation's alerts; which of them are its audience is
    # the notifications service's to say (``inbox_audiences``).
    "notifications.read_notifications": {DSL: "O", HSS: "O", HSH: "O", COM: "O", LA: "O", VSH: "O"},
    # Issue 14: a provision's manager (its head) acknowledges what the escalation chain brought it (NOT-ESC-2).
    "notifications.acknowledge_notification": {DSL: "O", HSS: "O", HSH: "O", COM: "O", LA: "O", PM: "O", VSH: "O"},
    "notifications.offer_safeguarding_file": {DSL: "PH"},
    "notifications.confirm_safeguarding_file_receipt": {DSL: "O"},
    # Issue 14, escalation: a head (or a provision's manager) sets its own organisation's chain.
    "notifications.set_escalation_chain": {HSH: "O", PM: "O"},
    # Issue 14, early warning: the pupil's home school and the provision where it is placed, nobody else.
    "notifications.read_early_warnings": {PS: "P", PM: "P", DSL: "PH", HSS: "H", HSH: "H"},
    "reporting.read_weekly_report": {HSS: "H", HSH: "H", DSL: "H"},
    "reporting.read_partnership_report": {NP: "N", LA: "*"},
    "reporting.read_annual_report": {LA: "*"},
    "reporting.read_strategy_report": {LA: "*", SF: "*"},
    "reporting.publish_report": {NP: "N", LA: "*"},  # issue 15: records ReportPublished
    "reporting.publish_partnership_annual_report": {NP: "N"},  # issue 15, seed 001 appendix 3: its lead alone
    "reporting.trace_figure": {NP: "N", LA: "*"},  # issue 15: a shown figure's event ids, no pupil data
    # Issue 14: term averages and the trip list, and the Achievement Board, are internal to the provision.
    "reporting.read_engagement_term": DAY_TO_DAY,
    "reporting.read_achievement_board": DAY_TO_DAY,
    # Issue 13, service level agreements (C: the agreement's stored commissioner, P: its stored provision); the
    # commissioner drafts and completes reviews, both sign and answer, the provision's staff read.
    "commissioning.draft_sla": {COM: "C", NP: "C"},
    "commissioning.sign_sla": {COM: "C", NP: "C", PM: "P"},
    "commissioning.answer_sla_review": {COM: "C", NP: "C", PM: "P"},
    "commissioning.complete_sla_review": {COM: "C", NP: "C"},
    "commissioning.read_slas": {COM: "C", NP: "C", PM: "P", PS: "P"},
    "commissioning.read_review_templates": {COM: "*", NP: "*", PM: "*", PS: "*", LA: "*"},
    # Issue 13, the provider self-audit: one per provider, commissioner and year (C: the audit's commissioner).
    "commissioning.request_self_audit": {COM: "C", NP: "C"},
    "commissioning.rate_self_audit": {PM: "P"},
    "commissioning.moderate_self_audit": {COM: "C", NP: "C"},
    "commissioning.change_self_audit_due_date": {COM: "C", NP: "C"},
    "commissioning.read_self_audits": {COM: "C", NP: "C", PM: "P"},
    # Issue 13, panels: O the panel's local authority, M an organisation sitting on the panel (who decides is
    # also the domain's: the person must sit on the panel, panel.decided_by_member).
    "commissioning.manage_panel": {LA: "O"},
    "commissioning.record_panel_meeting": {LA: "OM", HSH: "M", COM: "M", NP: "M", PM: "M"},
    "commissioning.refer_to_panel": {LA: "O", HSH: "M", HSS: "M"},
    "commissioning.open_panel_case": {LA: "OM", HSH: "M", COM: "M", NP: "M", PM: "M"},
    "commissioning.decide_panel_case": {LA: "M", HSH: "M", COM: "M", NP: "M", PM: "M"},
    "commissioning.read_panel_cases": {LA: "OM", HSH: "M", COM: "M", NP: "M", PM: "M"},
    "commissioning.read_fair_access_table": {LA: "O"},
    "commissioning.record_commissioned_places": {LA: "O", COM: "O"},
    "commissioning.read_capacity": {LA: "O", COM: "O"},
    "commissioning.record_pupils_on_roll": {LA: "O"},  # issue 15: the denominators of exclusion rates
    # Issue 15: the annual report's narrative, the partnership's own leads (four eyes is the domain's rule).
    "commissioning.draft_narrative": {NP: "N"},
    "commissioning.approve_narrative": {NP: "N"},
    "commissioning.publish_narrative": {NP: "N"},
}

# What changes when the caller asks for break-glass access (with a purpose).
BREAK_GLASS_SPEC: dict[str, dict[Role, str]] = {
    "incidents.read_safeguarding_detail": {DSL: "PH", HSH: "H", PM: "P"},
}

# Actions refused, even to the right people, when no purpose is stated.
PURPOSE_REQUIRED = {
    "incidents.read_safeguarding_detail",
    "incidents.amend_record",
    "incidents.withdraw_record",
    "privacy.erase_pupil",
    "privacy.export_subject_access",
    "privacy.release_subject_access_safeguarding",
    "privacy.read_audit",
    "privacy.place_legal_hold",
    "privacy.lift_legal_hold",
}

# Kinds of organisation at which each role is real.
ROLE_KINDS: dict[Role, tuple[OrgKind, ...]] = {
    PS: (OrgKind.PROVISION,),
    PM: (OrgKind.PROVISION,),
    DSL: (OrgKind.PROVISION, OrgKind.HOME_SCHOOL),
    HSS: (OrgKind.HOME_SCHOOL,),
    HSH: (OrgKind.HOME_SCHOOL,),
    COM: (OrgKind.COMMISSIONER, OrgKind.LOCAL_AUTHORITY, OrgKind.HOME_SCHOOL),
    NP: (OrgKind.PARTNERSHIP,),
    LA: (OrgKind.LOCAL_AUTHORITY,),
    VSH: (OrgKind.LOCAL_AUTHORITY,),
    FO: (OrgKind.FINANCE_TEAM, OrgKind.LOCAL_AUTHORITY),
    HSF: (OrgKind.HOST_SCHOOL,),
    DPO: tuple(OrgKind),
    SF: (OrgKind.SCHOOLS_FORUM,),
    PARENT: (),
    ADMIN: (OrgKind.PLATFORM,),
}

ME = "org-me"
RELATIONS = ("P", "H", "C", "N", "O", "L", "M", None)  # None: the caller's organisation is unrelated


def context_for(relation: str | None) -> ResourceContext:
    """A pupil/resource where only ``relation`` (if any) points at the caller's organisation."""
    return ResourceContext(
        pupil_ref=uuid4(),
        provision_id=ME if relation == "P" else "org-provision-other",
        home_school_id=ME if relation == "H" else "org-school-other",
        commissioner_id=ME if relation == "C" else "org-commissioner-other",
        partnership_id=ME if relation == "N" else "org-partnership-other",
        organisation_id=ME if relation == "O" else "org-owner-other",
        local_authority_id=ME if relation == "L" else "org-local-authority-other",
        panel_organisations=frozenset({ME if relation == "M" else "org-member-other"}),
    )


def expected(spec: dict[str, dict[Role, str]], action: str, role: Role, relation: str | None) -> bool:
    letters = spec.get(action, {}).get(role, "")
    return "*" in letters or (relation is not None and relation in letters)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(PACKAGED_POLICY)


def test_the_spec_covers_every_action_and_only_known_ones() -> None:
    assert set(SPEC) == {spec.id for spec in ACTIONS}
    assert set(ROLE_KINDS) == set(Role)


@pytest.mark.parametrize(
    ("role", "action"),
    list(itertools.product(Role, [spec.id for spec in ACTIONS])),
    ids=lambda value: str(value),
)
def test_policy_matches_the_matrix(policy: Policy, role: Role, action: str) -> None:
    mismatches = []
    for kind, relation, break_glass, purpose in itertools.product(
        ROLE_KINDS[role], RELATIONS, (False, True), ("matrix check", None)
    ):
        principal = Principal(user_id="u-matrix", organisation_id=ME, org_kind=kind, roles=frozenset({role}))
        spec = {**SPEC, **BREAK_GLASS_SPEC} if break_glass else SPEC
        want = expected(spec, action, role, relation) and (purpose is not None or action not in PURPOSE_REQUIRED)
        decision = decide(
            principal, action, context_for(relation), purpose=purpose, break_glass=break_glass, policy=policy
        )
        if decision.allowed != want:
            mismatches.append(
                f"{kind}/{relation or 'unrelated'}/break_glass={break_glass}/purpose={purpose is not None}: "
                f"expected {'allow' if want else 'deny'}, got {decision.rule_id}: {decision.reason}"
            )
        if not decision.allowed:
            assert decision.reason and decision.rule_id
            assert decision.visible_record_classes == frozenset()
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("role", list(Role))
def test_a_role_held_at_the_wrong_kind_of_organisation_grants_nothing(policy: Policy, role: Role) -> None:
    for kind in set(OrgKind) - set(ROLE_KINDS[role]):
        principal = Principal(user_id="u-wrong", organisation_id=ME, org_kind=kind, roles=frozenset({role}))
        for spec, relation in itertools.product(ACTIONS, RELATIONS):
            decision = decide(principal, spec.id, context_for(relation), purpose="x", break_glass=True, policy=policy)
            assert not decision.allowed
            assert decision.rule_id == ROLE_ORG_RULE


ALL = frozenset(RecordClass)
PUPIL_FILE = ALL - {RecordClass.SAFEGUARDING}
IDENTITY = frozenset({RecordClass.PUPIL_IDENTITY})
COMMISSIONER_VIEW = frozenset({RecordClass.PUPIL_IDENTITY, RecordClass.BEHAVIOUR, RecordClass.EXCLUSION})
BREAK_GLASS_VIEW = frozenset({RecordClass.PUPIL_IDENTITY, RecordClass.SAFEGUARDING})

# What each reader sees: (action, role, organisation kind, relation, break-glass) -> record classes.
VISIBLE: dict[tuple[str, Role, OrgKind, str, bool], frozenset[RecordClass]] = {
    ("incidents.read_behaviour_log", PS, OrgKind.PROVISION, "P", False): PUPIL_FILE,
    ("incidents.read_behaviour_log", PM, OrgKind.PROVISION, "P", False): PUPIL_FILE,
    ("incidents.read_behaviour_log", DSL, OrgKind.PROVISION, "P", False): ALL,
    ("incidents.read_behaviour_log", DSL, OrgKind.HOME_SCHOOL, "H", False): ALL,
    ("incidents.read_behaviour_log", HSS, OrgKind.HOME_SCHOOL, "H", False): PUPIL_FILE,
    ("incidents.read_behaviour_log", HSH, OrgKind.HOME_SCHOOL, "H", False): PUPIL_FILE,
    ("incidents.read_behaviour_log", COM, OrgKind.COMMISSIONER, "C", False): COMMISSIONER_VIEW,
    ("incidents.read_behaviour_log", LA, OrgKind.LOCAL_AUTHORITY, "C", False): COMMISSIONER_VIEW,
    ("incidents.read_placement_register", NP, OrgKind.PARTNERSHIP, "N", False): frozenset(),
    ("incidents.read_placement_register", LA, OrgKind.LOCAL_AUTHORITY, "L", False): IDENTITY,
    ("incidents.read_placement_register", HSS, OrgKind.HOME_SCHOOL, "H", False): IDENTITY,
    ("incidents.read_safeguarding_detail", DSL, OrgKind.PROVISION, "P", False): ALL,
    ("incidents.read_safeguarding_detail", DSL, OrgKind.HOME_SCHOOL, "H", False): ALL,
    ("incidents.read_safeguarding_detail", HSH, OrgKind.HOME_SCHOOL, "H", True): BREAK_GLASS_VIEW,
    ("incidents.read_safeguarding_detail", PM, OrgKind.PROVISION, "P", True): BREAK_GLASS_VIEW,
    ("privacy.export_subject_access", DPO, OrgKind.HOME_SCHOOL, "H", False): ALL,
    ("finance.read_ledger", HSF, OrgKind.HOST_SCHOOL, "O", False): frozenset(),
    ("notifications.read_notifications", DSL, OrgKind.HOME_SCHOOL, "O", False): frozenset({RecordClass.SAFEGUARDING}),
    ("notifications.read_notifications", HSH, OrgKind.HOME_SCHOOL, "O", False): frozenset(),
    ("notifications.read_notifications", COM, OrgKind.COMMISSIONER, "O", False): frozenset(),
    ("reporting.read_partnership_report", NP, OrgKind.PARTNERSHIP, "N", False): frozenset(),
}


@pytest.mark.parametrize(("action", "role", "kind", "relation", "break_glass"), list(VISIBLE))
def test_each_reader_sees_only_its_record_classes(
    policy: Policy, action: str, role: Role, kind: OrgKind, relation: str, break_glass: bool
) -> None:
    principal = Principal(user_id="u-reader", organisation_id=ME, org_kind=kind, roles=frozenset({role}))
    decision = decide(
        principal, action, context_for(relation), purpose="reading", break_glass=break_glass, policy=policy
    )
    assert decision.allowed, decision.reason
    assert decision.visible_record_classes == VISIBLE[(action, role, kind, relation, break_glass)]
    assert decision.break_glass is break_glass


def test_safeguarding_detail_is_visible_only_to_dsls_dpos_or_by_break_glass(policy: Policy) -> None:
    for role, spec, relation in itertools.product(Role, ACTIONS, RELATIONS):
        for kind, break_glass in itertools.product(ROLE_KINDS[role], (False, True)):
            principal = Principal(user_id="u", organisation_id=ME, org_kind=kind, roles=frozenset({role}))
            decision = decide(
                principal, spec.id, context_for(relation), purpose="p", break_glass=break_glass, policy=policy
            )
            if RecordClass.SAFEGUARDING in decision.visible_record_classes:
                assert role in {DSL, DPO} or decision.break_glass or (role, spec.id) in ESCALATED_TO_THE_HEAD, \
                    (role, spec.id, relation)


# Issue 14 (NOT-ESC-2): the head acknowledges a safeguarding alert the escalation chain brought to it; a write that
# shows nothing of the alert, which the notifications domain refuses to a head the chain has not reached.
ESCALATED_TO_THE_HEAD = {(HSH, "notifications.acknowledge_notification"),
                         (PM, "notifications.acknowledge_notification")}


def test_break_glass_decisions_always_require_a_purpose(policy: Policy) -> None:
    for rule in policy.document.rules:
        if rule.break_glass:
            assert set(rule.roles) <= {HSH, PM}, rule.id
            assert rule.actions == ("incidents.read_safeguarding_detail",), rule.id
