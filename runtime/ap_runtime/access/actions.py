"""Every action the access policy knows, one id per endpoint or command.

Services pass these ids to ``decide`` / ``Guard.check``; ``policy.yaml`` may grant only ids listed
here (the loader rejects unknown ones) and the policy matrix test iterates ``ACTIONS``. An id not
listed is denied. The vocabulary stays here, not in the services, because every service's process loads
and validates the one policy file, including processes that never import the service owning an action;
each service's command declarations name these ids and a test per service checks that the two agree
(incidents: ``services/incidents/tests/test_incidents_declarations.py``).
Ids are ``<service>.<verb>_<object>``; ``Action`` gives them typo-safe names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    # incidents: a pupil's path (BRIEF.md section 2)
    REGISTER_PUPIL = "incidents.register_pupil"
    UPDATE_PUPIL_DETAILS = "incidents.update_pupil_details"
    REQUEST_PUPIL_TRANSFER = "incidents.request_pupil_transfer"
    CONFIRM_PUPIL_TRANSFER = "incidents.confirm_pupil_transfer"
    RECORD_REFERRAL = "incidents.record_referral"
    CONSULT_PARENT = "incidents.consult_parent"
    EXPLAIN_SEARCH_POLICY = "incidents.explain_search_policy"
    DECIDE_ELIGIBILITY = "incidents.decide_eligibility"
    RECORD_MULTIDISCIPLINARY_MEETING = "incidents.record_multidisciplinary_meeting"
    APPROVE_OUT_OF_KEY_STAGE = "incidents.approve_out_of_key_stage"
    START_PLACEMENT = "incidents.start_placement"
    AGREE_ALERT_THRESHOLDS = "incidents.agree_alert_thresholds"
    RECORD_ATTENDANCE = "incidents.record_attendance"
    RECORD_INCIDENT = "incidents.record_incident"
    APPLY_SANCTION = "incidents.apply_sanction"
    GRANT_REWARD = "incidents.grant_reward"
    REDEEM_REWARD = "incidents.redeem_reward"
    RECORD_KEYWORKER_SESSION = "incidents.record_keyworker_session"
    RECORD_PHYSICAL_INTERVENTION = "incidents.record_physical_intervention"
    RECORD_SEARCH = "incidents.record_search"
    RAISE_SAFEGUARDING_CONCERN = "incidents.raise_safeguarding_concern"
    AGREE_BEHAVIOUR_CONTRACT = "incidents.agree_behaviour_contract"
    MAKE_EXTERNAL_REFERRAL = "incidents.make_external_referral"
    RECORD_REVIEW = "incidents.record_review"
    REVIEW_REDUCED_TIMETABLE = "incidents.review_reduced_timetable"
    PROPOSE_EXCLUSION = "incidents.propose_exclusion"
    RECORD_COMMISSIONER_DECISION = "incidents.record_commissioner_decision"
    ISSUE_EXCLUSION = "incidents.issue_exclusion"
    RECORD_REINSTATEMENT = "incidents.record_reinstatement"
    RECORD_TRANSITION_PLAN = "incidents.record_transition_plan"
    END_PLACEMENT = "incidents.end_placement"
    CONFIRM_REINTEGRATION = "incidents.confirm_reintegration"
    AMEND_RECORD = "incidents.amend_record"
    WITHDRAW_RECORD = "incidents.withdraw_record"
    MANAGE_STAFF_REGISTER = "incidents.manage_staff_register"
    REGISTER_ORGANISATION = "incidents.register_organisation"
    READ_BEHAVIOUR_LOG = "incidents.read_behaviour_log"
    READ_PLACEMENT_REGISTER = "incidents.read_placement_register"
    READ_SAFEGUARDING_DETAIL = "incidents.read_safeguarding_detail"
    # finance: ring-fenced behaviour budget (BRIEF.md section 3)
    SET_BUDGET = "finance.set_budget"
    RECORD_SPEND = "finance.record_spend"
    RAISE_COMMITMENT = "finance.raise_commitment"
    RELEASE_COMMITMENT = "finance.release_commitment"
    SIGN_ITEM = "finance.sign_item"
    RECORD_VIREMENT = "finance.record_virement"
    CLOSE_YEAR = "finance.close_year"
    ALLOCATE_SURPLUS = "finance.allocate_surplus"
    CLAW_BACK_SURPLUS = "finance.claw_back_surplus"
    CARRY_FORWARD = "finance.carry_forward"
    READ_LEDGER = "finance.read_ledger"
    READ_REPORTS = "finance.read_reports"
    # privacy: data protection duties (STATUTORY.md)
    ERASE_PUPIL = "privacy.erase_pupil"
    EXPORT_SUBJECT_ACCESS = "privacy.export_subject_access"
    RELEASE_SUBJECT_ACCESS_SAFEGUARDING = "privacy.release_subject_access_safeguarding"
    READ_AUDIT = "privacy.read_audit"
    PLACE_LEGAL_HOLD = "privacy.place_legal_hold"
    LIFT_LEGAL_HOLD = "privacy.lift_legal_hold"
    RUN_RETENTION = "privacy.run_retention"
    # notifications: alerts and the safeguarding file transfer (BRIEF.md section 5; KCSIE)
    READ_NOTIFICATIONS = "notifications.read_notifications"
    ACKNOWLEDGE_NOTIFICATION = "notifications.acknowledge_notification"
    OFFER_SAFEGUARDING_FILE = "notifications.offer_safeguarding_file"
    CONFIRM_SAFEGUARDING_FILE_RECEIPT = "notifications.confirm_safeguarding_file_receipt"
    # reporting: reports by audience (BRIEF.md section 4)
    READ_WEEKLY_REPORT = "reporting.read_weekly_report"
    READ_PARTNERSHIP_REPORT = "reporting.read_partnership_report"
    READ_ANNUAL_REPORT = "reporting.read_annual_report"
    READ_STRATEGY_REPORT = "reporting.read_strategy_report"


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One action: its id, a human phrase for denial reasons, and whether it only reads."""

    action: Action
    summary: str
    reads: bool = False

    @property
    def id(self) -> str:
        return self.action.value

    @property
    def service(self) -> str:
        return self.action.value.split(".", 1)[0]


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(Action.REGISTER_PUPIL, "register a pupil"),
    ActionSpec(Action.UPDATE_PUPIL_DETAILS, "update a pupil's details"),
    ActionSpec(Action.REQUEST_PUPIL_TRANSFER, "request a pupil's move to another school"),
    ActionSpec(Action.CONFIRM_PUPIL_TRANSFER, "confirm a pupil's move to another school"),
    ActionSpec(Action.RECORD_REFERRAL, "record a referral"),
    ActionSpec(Action.CONSULT_PARENT, "record a parent consultation"),
    ActionSpec(Action.EXPLAIN_SEARCH_POLICY, "record that parents were told of the random-search policy"),
    ActionSpec(Action.DECIDE_ELIGIBILITY, "decide eligibility for a place"),
    ActionSpec(Action.RECORD_MULTIDISCIPLINARY_MEETING, "record a multidisciplinary meeting"),
    ActionSpec(Action.APPROVE_OUT_OF_KEY_STAGE, "approve a placement outside the pupil's key stage"),
    ActionSpec(Action.START_PLACEMENT, "start a placement"),
    ActionSpec(Action.AGREE_ALERT_THRESHOLDS, "agree a placement's alert thresholds"),
    ActionSpec(Action.RECORD_ATTENDANCE, "record attendance"),
    ActionSpec(Action.RECORD_INCIDENT, "record an incident"),
    ActionSpec(Action.APPLY_SANCTION, "apply a sanction"),
    ActionSpec(Action.GRANT_REWARD, "grant a reward"),
    ActionSpec(Action.REDEEM_REWARD, "redeem a reward"),
    ActionSpec(Action.RECORD_KEYWORKER_SESSION, "record a keyworker session"),
    ActionSpec(Action.RECORD_PHYSICAL_INTERVENTION, "record a physical intervention"),
    ActionSpec(Action.RECORD_SEARCH, "record a search"),
    ActionSpec(Action.RAISE_SAFEGUARDING_CONCERN, "raise a safeguarding concern"),
    ActionSpec(Action.AGREE_BEHAVIOUR_CONTRACT, "agree a behaviour contract"),
    ActionSpec(Action.MAKE_EXTERNAL_REFERRAL, "refer to an external agency"),
    ActionSpec(Action.RECORD_REVIEW, "record a placement review"),
    ActionSpec(Action.REVIEW_REDUCED_TIMETABLE, "review a reduced timetable"),
    ActionSpec(Action.PROPOSE_EXCLUSION, "propose withdrawing a place"),
    ActionSpec(Action.RECORD_COMMISSIONER_DECISION, "record the commissioner's decision on a place"),
    ActionSpec(Action.ISSUE_EXCLUSION, "exclude a pupil from school"),
    ActionSpec(Action.RECORD_REINSTATEMENT, "record a governing board's reinstatement"),
    ActionSpec(Action.RECORD_TRANSITION_PLAN, "record a transition plan"),
    ActionSpec(Action.END_PLACEMENT, "end a placement"),
    ActionSpec(Action.CONFIRM_REINTEGRATION, "confirm a pupil's reintegration to the home school"),
    ActionSpec(Action.AMEND_RECORD, "amend a record"),
    ActionSpec(Action.WITHDRAW_RECORD, "withdraw a record"),
    ActionSpec(Action.MANAGE_STAFF_REGISTER, "change a provision's staff training register"),
    ActionSpec(Action.REGISTER_ORGANISATION, "register an organisation's facts"),
    ActionSpec(Action.READ_BEHAVIOUR_LOG, "read the behaviour log", reads=True),
    ActionSpec(Action.READ_PLACEMENT_REGISTER, "read the placement register", reads=True),
    ActionSpec(Action.READ_SAFEGUARDING_DETAIL, "read safeguarding detail", reads=True),
    ActionSpec(Action.SET_BUDGET, "set a budget"),
    ActionSpec(Action.RECORD_SPEND, "record spend"),
    ActionSpec(Action.RAISE_COMMITMENT, "raise a commitment"),
    ActionSpec(Action.RELEASE_COMMITMENT, "release a commitment"),
    ActionSpec(Action.SIGN_ITEM, "sign a high-value item"),
    ActionSpec(Action.RECORD_VIREMENT, "move budget between categories"),
    ActionSpec(Action.CLOSE_YEAR, "close a financial year"),
    ActionSpec(Action.ALLOCATE_SURPLUS, "allocate a surplus"),
    ActionSpec(Action.CLAW_BACK_SURPLUS, "claw back a surplus"),
    ActionSpec(Action.CARRY_FORWARD, "carry a balance forward"),
    ActionSpec(Action.READ_LEDGER, "read the ledger", reads=True),
    ActionSpec(Action.READ_REPORTS, "read financial reports", reads=True),
    ActionSpec(Action.ERASE_PUPIL, "erase a pupil's personal data"),
    ActionSpec(Action.EXPORT_SUBJECT_ACCESS, "export a subject access response", reads=True),
    ActionSpec(Action.RELEASE_SUBJECT_ACCESS_SAFEGUARDING, "release safeguarding records for subject access"),
    ActionSpec(Action.READ_AUDIT, "read the access audit", reads=True),
    ActionSpec(Action.PLACE_LEGAL_HOLD, "place a legal hold"),
    ActionSpec(Action.LIFT_LEGAL_HOLD, "lift a legal hold"),
    ActionSpec(Action.RUN_RETENTION, "run retention"),
    ActionSpec(Action.READ_NOTIFICATIONS, "read notifications", reads=True),
    ActionSpec(Action.ACKNOWLEDGE_NOTIFICATION, "acknowledge a notification"),
    ActionSpec(Action.OFFER_SAFEGUARDING_FILE, "send a child-protection file to a new setting"),
    ActionSpec(Action.CONFIRM_SAFEGUARDING_FILE_RECEIPT, "confirm receipt of a child-protection file"),
    ActionSpec(Action.READ_WEEKLY_REPORT, "read the weekly report on its pupils", reads=True),
    ActionSpec(Action.READ_PARTNERSHIP_REPORT, "read the termly partnership report", reads=True),
    ActionSpec(Action.READ_ANNUAL_REPORT, "read the local authority's annual figures", reads=True),
    ActionSpec(Action.READ_STRATEGY_REPORT, "read the exclusion strategy data", reads=True),
)

ACTION_SPECS: dict[str, ActionSpec] = {spec.id: spec for spec in ACTIONS}
