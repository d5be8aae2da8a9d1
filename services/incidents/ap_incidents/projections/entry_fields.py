"""How one pupil event splits into what the read models keep: clear facts, personal values, a summary.

Clear facts are the non-personal fields (codes, dates, counts, organisation ids); personal values
are the fields the contract marks personal, decrypted for the audience (None once erased). The
summary is one line built from clear facts only, so it survives erasure unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ap_contracts.events.base import UnknownEventType, event_model
from ap_contracts.money import format_pounds
from ap_contracts.personal import RecordClass, personal_fields
from ap_contracts.upcasting import UPCASTERS

# Whole entries whose very existence and codes are safeguarding detail (KCSIE: only for the DSL);
# the rule is the domain's (a correction takes the class of the entry it targets).
from ap_incidents.domain.entry_classes import ENTRY_CLASS as ENTRY_CLASS
from ap_incidents.domain.entry_classes import entry_class_of as entry_class_of

_IDENTITY_FIELDS = frozenset({"pupil_ref", "record_id"})

_SUMMARY_FIELDS: dict[str, tuple[str, ...]] = {
    "PupilRegistered": ("year_group", "home_school_id"),
    "ReferralReceived": ("provision_id", "received_on"),
    "ParentConsultationRecorded": ("consulted_on", "method", "parent_view"),
    "EligibilityDecided": ("outcome",),
    "MultidisciplinaryMeetingRecorded": ("held_on", "recommends_placement"),
    "OutOfKeyStagePlacementApproved": ("provision_key_stage",),
    "PlacementStarted": ("provision_id", "start_date", "timetable"),
    "AlertThresholdsAgreed": ("incident_severity_threshold", "attendance_threshold_percent"),
    "AttendanceRecorded": ("session_date", "session", "code"),
    "IncidentRecorded": ("category", "severity", "location"),
    "SanctionApplied": ("sanction",),
    "RewardGranted": ("kind", "quantity"),
    "RewardRedeemed": ("item", "slips_spent"),
    "KeyworkerSessionHeld": ("focus", "duration_minutes"),
    "EngagementTargetSet": ("area", "set_on", "due_by"),
    "EngagementScoreRecorded": ("scored_on", "session", "score"),
    "EngagementScoreReduced": ("reduced_on", "points"),
    "EngagementScoreAmended": ("score", "reason"),
    "PhysicalInterventionRecorded": ("reason", "duration_minutes", "injury_occurred"),
    "SearchConducted": ("searched_for", "witness_present", "serious_harm_exception"),
    "BehaviourContractAgreed": ("review_date",),
    "ExternalAgencyReferralMade": ("agency",),
    "ReviewHeld": ("outcome", "next_review_date"),
    "ReducedTimetableReviewed": ("outcome", "next_review_date"),
    "ExclusionProposed": ("primary_reason",),
    "CommissionerDecisionRecorded": ("decision",),
    "SuspensionIssued": ("first_day", "duration_half_days", "primary_reason"),
    "PermanentExclusionIssued": ("effective_from", "primary_reason"),
    "PermanentExclusionReinstated": ("board_met_on",),
    "SuspensionReinstated": ("board_met_on",),
    "ExclusionUpheld": ("board_met_on", "parents_told_of_independent_review"),
    "TransitionPlanRecorded": ("receiving_school_id",),
    "PlacementEnded": ("end_date", "reason"),
    "RecordAmended": ("target_event_type", "reason"),
    "RecordWithdrawnInError": ("target_event_type", "reason"),
    "PupilDataErased": ("reason", "legal_basis"),
}


def personal_map(event_type: str, schema_version: int) -> dict[str, RecordClass]:
    """Personal fields of the event's contract (none for an event this build does not know)."""
    try:
        model = event_model(event_type, schema_version)
    except UnknownEventType:
        return {}
    found: dict[str, RecordClass] = personal_fields(model)
    return found


@functools.lru_cache(maxsize=512)
def personal_since(event_type: str, schema_version: int) -> dict[str, RecordClass]:
    """Fields an old version carried in clear that its latest version (reached through the upcasters) marks
    personal: PlacementStarted v1's ``looked_after_by``, sealed since v2.

    The log keeps payloads sealed as received, so it cannot upcast them (``clear_event`` would drop the sealed
    values, ``reveal_model`` needs the keys); it reads these fields as personal instead, so no clear fact says
    that a pseudonymous pupil is looked after and an erasure removes them with the other personal values.
    """
    latest = schema_version
    while UPCASTERS.has_upcaster(event_type, latest):
        latest += 1
    if latest == schema_version:
        return {}
    stored = personal_map(event_type, schema_version)
    return {k: v for k, v in personal_map(event_type, latest).items() if k not in stored}


def read_personal_map(event_type: str, schema_version: int) -> dict[str, RecordClass]:
    """The personal fields of a stored event as its readers treat them: its version's, and ``personal_since``."""
    return {**personal_map(event_type, schema_version), **personal_since(event_type, schema_version)}


@functools.lru_cache(maxsize=512)
def _split_of(event_type: str, schema_version: int) -> tuple[tuple[str, ...], frozenset[str]]:
    """(personal field names, names that are not clear facts) of the event's contract.

    Cached: a rebuild splits a million payloads of a few dozen contracts (issue 11), and a build's
    contracts never change while it runs.
    """
    personal = tuple(personal_map(event_type, schema_version))
    return personal, frozenset(personal) | frozenset(personal_since(event_type, schema_version)) | _IDENTITY_FIELDS


def split_payload(event_type: str, schema_version: int,
                  payload: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(clear facts, personal values) of a revealed payload."""
    key = (event_type, schema_version, tuple(payload))
    plan = _SPLIT_PLANS.get(key)
    if plan is None:
        plan = _split_plan(*key)
    not_facts, personal = plan
    # The facts are the payload less a few keys: a copy and two deletions cost a third of a comprehension
    # over the rest (issue 11: 0.4 us of a rebuild's row); the copy keeps the payload's order.
    facts = dict(payload)
    for name in not_facts:
        del facts[name]
    return facts, ({k: payload.get(k) for k in personal} if personal else {})


# (event type, schema version, payload keys) -> (the payload's keys that are not facts, personal names).
# Issue 11: a contract's payloads carry the same keys in the same order, so a rebuild tests each key
# of a contract once, not in each of a million payloads; a plain dict, as an lru_cache's call costs more.
_SPLIT_PLANS: dict[tuple[str, int, tuple[str, ...]], tuple[tuple[str, ...], tuple[str, ...]]] = {}
_MAX_SPLIT_PLANS = 4096


def _split_plan(event_type: str, schema_version: int,
                keys: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    personal, not_facts = _split_of(event_type, schema_version)
    # A field personal only since a later version is kept when the payload holds it (PlacementStarted v1 may not).
    since = tuple(k for k in personal_since(event_type, schema_version) if k in keys)
    plan = tuple(k for k in keys if k in not_facts or k[:1] == "_"), personal + since
    if len(_SPLIT_PLANS) >= _MAX_SPLIT_PLANS:  # payloads of unusual shapes: bounded memory
        _SPLIT_PLANS.clear()
    _SPLIT_PLANS[(event_type, schema_version, keys)] = plan
    return plan


def summary(event_type: str, facts: Mapping[str, Any]) -> str:
    """One clear line: the kind of entry and its main codes."""
    title, labelled = _summary_plan(event_type)
    parts = []
    for name, label in labelled:
        value = facts.get(name)
        if value is None:
            continue
        if isinstance(value, list):
            value = "/".join(str(v) for v in value)
        parts.append(f"{label}{value}")
    if event_type == "RewardRedeemed" and isinstance(facts.get("cost_pence"), int):
        parts.append(f"cost {format_pounds(facts['cost_pence'])}")
    return title + (": " + ", ".join(parts) if parts else "")


@functools.lru_cache(maxsize=256)
def _summary_plan(event_type: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(the entry's title, each summary field with its label); a whole-class entry shows its title only.

    Cached (issue 11): the title and labels were rebuilt for each of a rebuild's million rows.
    """
    if event_type in ENTRY_CLASS:
        return _spaced(event_type), ()
    return _spaced(event_type), tuple((n, n.replace("_", " ") + " ") for n in _SUMMARY_FIELDS.get(event_type, ()))


@functools.lru_cache(maxsize=256)
def _spaced(name: str) -> str:
    spaced = "".join(f" {ch.lower()}" if ch.isupper() else ch for ch in name).strip()
    return spaced[:1].upper() + spaced[1:]
