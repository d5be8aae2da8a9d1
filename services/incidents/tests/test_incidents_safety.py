"""Physical intervention, searches, safeguarding concerns, contracts and agency referrals."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ap_contracts.events.provision_staff import StaffTrainingRecorded
from ap_contracts.events.pupil_record import (
    BehaviourContractAgreed,
    ExternalAgencyReferralMade,
    FoundItem,
    PhysicalInterventionRecorded,
    SafeguardingConcernRaised,
    SearchConducted,
)
from ap_contracts.events.pupil_vocabulary import (
    Agency,
    ItemDisposal,
    ProhibitedItem,
    Sex,
    TrainingKind,
)
from ap_incidents.domain import errors
from ap_incidents.domain.staff_register import StaffRegister, evolve_register

TRAINED, TRAINED_TOO, UNTRAINED = "staff-trained-1", "staff-trained-2", "staff-untrained-9"

# ----------------------------------------------------------------------------- physical intervention


def test_physical_intervention_by_trained_staff(story):
    story.placed()
    story.trained(TRAINED, TRAINED_TOO)
    incident_id = story.incident()
    event = story.one(story.cmd.physical_intervention(incident_id), story.who.provider)
    assert isinstance(event, PhysicalInterventionRecorded)
    assert event.staff_training_verified and event.rule_version == "england-2026.2"


def test_physical_intervention_only_by_trained_staff(story):
    story.placed()
    story.trained(TRAINED)
    incident_id = story.incident()
    with pytest.raises(errors.StaffNotTrained) as refused:
        story.run(story.cmd.physical_intervention(incident_id, staff_involved=(TRAINED, UNTRAINED)),
                  story.who.provider)
    assert refused.value.rule_id == "intervention.trained_staff_only"
    assert UNTRAINED in refused.value.message and TRAINED not in refused.value.message


def test_training_counts_from_completion_until_expiry(story):
    story.placed()
    incident_id = story.incident()
    story.trained(TRAINED, TRAINED_TOO, on=date(2025, 3, 11))
    with pytest.raises(errors.StaffNotTrained):
        story.run(story.cmd.physical_intervention(incident_id), story.who.provider)
    story.register = StaffRegister()
    story.trained(TRAINED, TRAINED_TOO, on=date(2023, 3, 1), expires_on=date(2025, 3, 10))
    with pytest.raises(errors.StaffNotTrained):
        story.run(story.cmd.physical_intervention(incident_id), story.who.provider)


def test_revoked_training_no_longer_counts(story):
    from ap_contracts.events.provision_staff import StaffTrainingRevoked

    story.placed()
    story.trained(TRAINED, TRAINED_TOO)
    story.register = evolve_register(story.register, StaffTrainingRevoked(
        provision_id="provision-north", staff_id=TRAINED_TOO, training=TrainingKind.PHYSICAL_INTERVENTION,
        revoked_on=date(2025, 1, 1), reason="certificate_invalid"))
    incident_id = story.incident()
    with pytest.raises(errors.StaffNotTrained):
        story.run(story.cmd.physical_intervention(incident_id), story.who.provider)


def test_other_training_does_not_qualify_for_physical_intervention(story):
    story.placed()
    story.register = evolve_register(StaffRegister(), StaffTrainingRecorded(
        provision_id="provision-north", staff_id=TRAINED, training=TrainingKind.SAFEGUARDING,
        completed_on=date(2024, 1, 1), expires_on=None))
    incident_id = story.incident()
    with pytest.raises(errors.StaffNotTrained):
        story.run(story.cmd.physical_intervention(incident_id, staff_involved=(TRAINED,)), story.who.provider)


def test_without_a_register_nobody_counts_as_trained(story):
    story.placed()
    incident_id = story.incident()
    with pytest.raises(errors.StaffNotTrained):
        story.run(story.cmd.physical_intervention(incident_id), story.who.provider)


def test_register_of_another_provision_is_a_wiring_error(story):
    story.placed()
    incident_id = story.incident()
    story.register = evolve_register(StaffRegister(), StaffTrainingRecorded(
        provision_id="provision-south", staff_id=TRAINED, training=TrainingKind.PHYSICAL_INTERVENTION,
        completed_on=date(2024, 1, 1), expires_on=None))
    with pytest.raises(ValueError, match="provision-south"):
        story.run(story.cmd.physical_intervention(incident_id), story.who.provider)


def test_physical_intervention_belongs_to_a_recorded_incident(story):
    story.placed()
    story.trained(TRAINED, TRAINED_TOO)
    with pytest.raises(errors.IncidentUnknown):
        story.run(story.cmd.physical_intervention(uuid4()), story.who.provider)


def test_an_injury_is_described(story):
    story.placed()
    story.trained(TRAINED, TRAINED_TOO)
    incident_id = story.incident()
    with pytest.raises(errors.NarrativeRequired):
        story.run(story.cmd.physical_intervention(incident_id, injury_occurred=True), story.who.provider)
    event = story.one(story.cmd.physical_intervention(incident_id, injury_occurred=True,
                                                      injury_details="Graze to left hand"), story.who.provider)
    assert isinstance(event, PhysicalInterventionRecorded) and event.injury_details == "Graze to left hand"


# ----------------------------------------------------------------------------- searches


def test_search_by_same_sex_with_witness(story):
    story.placed()
    event = story.one(story.cmd.search(), story.who.provider)
    assert isinstance(event, SearchConducted)
    assert event.learner_sex is Sex.MALE and event.witness_present and not event.serious_harm_exception


def test_search_by_a_different_sex_needs_the_serious_harm_exception(story):
    story.placed()
    with pytest.raises(errors.SearchSafeguardsNotMet) as refused:
        story.run(story.cmd.search(searcher_sex=Sex.FEMALE), story.who.provider)
    assert refused.value.rule_id == "search.same_sex_with_witness"


def test_search_without_a_witness_needs_the_serious_harm_exception(story):
    story.placed()
    with pytest.raises(errors.SearchSafeguardsNotMet):
        story.run(story.cmd.search(witness=None), story.who.provider)


def test_serious_harm_exception_needs_its_reason(story):
    story.placed()
    with pytest.raises(errors.SearchExceptionReasonRequired):
        story.run(story.cmd.search(witness=None, serious_harm_exception=True), story.who.provider)


def test_serious_harm_exception_with_reason_allows_the_search(story):
    story.placed()
    event = story.one(story.cmd.search(witness=None, searcher_sex=Sex.FEMALE, serious_harm_exception=True,
                                       exception_reason="Blade seen; no colleague within reach"),
                      story.who.provider)
    assert isinstance(event, SearchConducted)
    assert not event.witness_present and event.serious_harm_exception


def test_learner_sex_comes_from_the_record(story):
    story.placed()
    story.run(story.cmd.update_details(sex=Sex.FEMALE), story.who.head)
    with pytest.raises(errors.SearchSafeguardsNotMet):
        story.run(story.cmd.search(searcher_sex=Sex.MALE), story.who.provider)
    assert story.run(story.cmd.search(searcher_sex=Sex.FEMALE), story.who.provider)


def test_witness_is_a_second_member_of_staff(story):
    story.placed()
    with pytest.raises(errors.WitnessMustDifferFromSearcher):
        story.run(story.cmd.search(witness=TRAINED), story.who.provider)


def test_found_items_carry_a_disposal(story):
    story.placed()
    with pytest.raises(errors.DisposalRequired) as refused:
        story.run(story.cmd.search(items_found=[{"item": "firework"}]), story.who.provider)
    assert refused.value.rule_id == "search.found_item_disposal"


@pytest.mark.parametrize("item", [ProhibitedItem.KNIFE_OR_WEAPON, ProhibitedItem.CONTROLLED_DRUG,
                                  ProhibitedItem.STOLEN_ITEM])
@pytest.mark.parametrize("disposal", [ItemDisposal.RETAINED, ItemDisposal.RETURNED, ItemDisposal.DISPOSED])
def test_weapons_drugs_and_stolen_items_go_to_police(story, item, disposal):
    story.placed()
    with pytest.raises(errors.ItemMustGoToPolice):
        story.run(story.cmd.search(items_found=[{"item": item, "disposal": disposal}]), story.who.provider)


@pytest.mark.parametrize("item", [ProhibitedItem.ALCOHOL, ProhibitedItem.TOBACCO_OR_CIGARETTE_PAPERS,
                                  ProhibitedItem.FIREWORK])
def test_confiscated_substances_are_not_handed_back(story, item):
    story.placed()
    with pytest.raises(errors.ItemMayNotBeReturned):
        story.run(story.cmd.search(items_found=[{"item": item, "disposal": "returned"}]), story.who.provider)
    assert story.run(story.cmd.search(items_found=[{"item": item, "disposal": "disposed"}]), story.who.provider)


def test_items_found_are_recorded_with_their_disposal(story):
    story.placed()
    event = story.one(story.cmd.search(items_found=[
        {"item": "knife_or_weapon", "disposal": "handed_to_police"},
        {"item": "banned_by_school_rules", "quantity": 2, "disposal": "returned"},
    ]), story.who.provider)
    assert isinstance(event, SearchConducted)
    assert event.items_found == (
        FoundItem(item=ProhibitedItem.KNIFE_OR_WEAPON, disposal=ItemDisposal.HANDED_TO_POLICE),
        FoundItem(item=ProhibitedItem.BANNED_BY_SCHOOL_RULES, quantity=2, disposal=ItemDisposal.RETURNED),
    )


def test_search_grounds_are_recorded(story):
    story.placed()
    with pytest.raises(errors.NarrativeRequired):
        story.run(story.cmd.search(grounds=""), story.who.provider)


# ----------------------------------------------------------------------------- safeguarding, contracts, agencies


def test_safeguarding_concern_goes_to_the_dsl(story):
    story.placed()
    event = story.one(story.cmd.safeguarding_concern(), story.who.provider)
    assert isinstance(event, SafeguardingConcernRaised) and event.referred_to_dsl
    with pytest.raises(errors.ConcernMustGoToDsl):
        story.run(story.cmd.safeguarding_concern(referred_to_dsl=False), story.who.provider)


def test_safeguarding_concern_is_written_down(story):
    story.placed()
    with pytest.raises(errors.NarrativeRequired):
        story.run(story.cmd.safeguarding_concern(concern=""), story.who.provider)


def test_behaviour_contract_review_follows_agreement(story):
    story.placed()
    event = story.one(story.cmd.behaviour_contract(), story.who.provider)
    assert isinstance(event, BehaviourContractAgreed)
    with pytest.raises(errors.DatesOutOfOrder):
        story.run(story.cmd.behaviour_contract(review_date=date(2025, 3, 1)), story.who.provider)


def test_agency_referral_needs_parental_permission(story):
    story.placed()
    with pytest.raises(errors.ParentPermissionRequired):
        story.run(story.cmd.agency_referral(parent_permission=False), story.who.provider)
    event = story.one(story.cmd.agency_referral(), story.who.provider)
    assert isinstance(event, ExternalAgencyReferralMade) and event.agency is Agency.CAMHS


@pytest.mark.parametrize("agency", [Agency.CHILDRENS_SOCIAL_CARE, Agency.POLICE])
def test_safeguarding_referrals_do_not_wait_for_permission(story, agency):
    story.placed()
    assert story.run(story.cmd.agency_referral(agency=agency, parent_permission=False), story.who.provider)
