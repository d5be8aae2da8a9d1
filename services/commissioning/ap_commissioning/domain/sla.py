"""A service level agreement between a provision and its commissioner: versions, signatures, the version in
force on a date (seed 001, section 2 and appendix 2; issue 13).

Rules served:
- a version's dates run forwards, its review dates fall within them, each phase is listed once;
- versions are numbered 1, 2, ... in the order drafted; a version, once drafted, is never changed;
- each party signs a version once, on or before its end date, and the second party's signature puts the version
  in force (``SlaVersionAgreed``) from the later of its start date and the day it was fully signed, until its end;
- on any date, the version in force is the highest-numbered agreed version whose period covers the date, so a
  later version supersedes an earlier one from the day it is in force.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, TypeVar
from uuid import UUID

from ap_commissioning.domain.context import DecisionContext
from ap_commissioning.domain.sla_commands import DraftSlaVersion, SignSlaVersion, SlaCommand
from ap_commissioning.domain.sla_errors import (
    SlaDatesRunForwards,
    SlaNotRecorded,
    SlaPartiesFixed,
    SlaPhaseListedOnce,
    SlaReviewDatesWithinTerm,
    SlaSignedBeforeItEnds,
    SlaSignedByAParty,
    SlaSignedOncePerParty,
    SlaVersionNotRecorded,
    VersionsNumberedInOrder,
)
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_sla import (
    SlaParty,
    SlaReviewAnswered,
    SlaReviewCompleted,
    SlaTerms,
    SlaVersionAgreed,
    SlaVersionDrafted,
    SlaVersionSigned,
)


def sla_stream_id(provision_id: str, commissioner_id: str) -> str:
    """One stream per agreement: ``sla-<provision>-<commissioner>``."""
    return f"sla-{provision_id}-{commissioner_id}"


@dataclass(frozen=True, slots=True)
class SlaVersion:
    terms: SlaTerms
    signatures: Mapping[SlaParty, SlaVersionSigned] = field(default_factory=lambda: MappingProxyType({}))
    agreed: SlaVersionAgreed | None = None


@dataclass(frozen=True, slots=True)
class SlaReview:
    version: int
    answers: Mapping[SlaParty, SlaReviewAnswered] = field(default_factory=lambda: MappingProxyType({}))
    completed: SlaReviewCompleted | None = None


@dataclass(frozen=True, slots=True)
class SlaState:
    provision_id: str | None = None
    commissioner_id: str | None = None
    versions: Mapping[int, SlaVersion] = field(default_factory=lambda: MappingProxyType({}))
    reviews: Mapping[UUID, SlaReview] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def recorded(self) -> bool:
        return self.provision_id is not None

    def party_of(self, organisation_id: str) -> SlaParty | None:
        """Which party the organisation is to this agreement, by its stored parties (never by a body field)."""
        if organisation_id == self.provision_id:
            return SlaParty.PROVIDER
        if organisation_id == self.commissioner_id:
            return SlaParty.COMMISSIONER
        return None

    def in_force_on(self, day: date) -> tuple[int, SlaVersion] | None:
        """The version in force on ``day``: the highest-numbered agreed version whose period covers it."""
        covering = [(number, v) for number, v in self.versions.items()
                    if v.agreed is not None and v.agreed.in_force_from <= day <= v.agreed.ends_on]
        return max(covering, key=lambda item: item[0]) if covering else None


K = TypeVar("K")
V = TypeVar("V")


def _with(mapping: Mapping[K, V], key: K, value: V) -> Mapping[K, V]:
    return MappingProxyType({**mapping, key: value})


def _drafted(state: SlaState, event: SlaVersionDrafted) -> SlaState:
    return replace(state, provision_id=event.provision_id, commissioner_id=event.commissioner_id,
                   versions=_with(state.versions, event.version, SlaVersion(event.terms)))


def _signed(state: SlaState, event: SlaVersionSigned) -> SlaState:
    version = state.versions[event.version]
    signed = replace(version, signatures=_with(version.signatures, event.party, event))
    return replace(state, versions=_with(state.versions, event.version, signed))


def _agreed(state: SlaState, event: SlaVersionAgreed) -> SlaState:
    agreed = replace(state.versions[event.version], agreed=event)
    return replace(state, versions=_with(state.versions, event.version, agreed))


def _answered(state: SlaState, event: SlaReviewAnswered) -> SlaState:
    review = state.reviews.get(event.review_id) or SlaReview(event.version)
    answered = replace(review, answers=_with(review.answers, event.party, event))
    return replace(state, reviews=_with(state.reviews, event.review_id, answered))


def _completed(state: SlaState, event: SlaReviewCompleted) -> SlaState:
    completed = replace(state.reviews[event.review_id], completed=event)
    return replace(state, reviews=_with(state.reviews, event.review_id, completed))


STEPS: Mapping[type[DomainEvent], Callable[[SlaState, Any], SlaState]] = MappingProxyType({
    SlaVersionDrafted: _drafted, SlaVersionSigned: _signed, SlaVersionAgreed: _agreed,
    SlaReviewAnswered: _answered, SlaReviewCompleted: _completed,
})
"""One fold step per event of an agreement's stream (``Aggregate.folds`` is its keys)."""


def evolve(state: SlaState, event: DomainEvent) -> SlaState:
    """Fold one event of the agreement's stream; an event of no step changes nothing."""
    step = STEPS.get(type(event))
    return state if step is None else step(state, event)


def fold(history: Iterable[DomainEvent]) -> SlaState:
    state = SlaState()
    for event in history:
        state = evolve(state, event)
    return state


def recorded_for(command: SlaCommand, state: SlaState) -> SlaState:
    """The agreement the command names, recorded between the parties the command's path names."""
    if not state.recorded:
        raise SlaNotRecorded(command.provision_id, command.commissioner_id)
    if (state.provision_id, state.commissioner_id) != (command.provision_id, command.commissioner_id):
        raise SlaPartiesFixed()
    return state


def party_in(state: SlaState, ctx: DecisionContext) -> SlaParty:
    party = state.party_of(ctx.organisation_id)
    if party is None:
        raise SlaSignedByAParty(ctx.organisation_id)
    return party


def check_terms(terms: SlaTerms) -> None:
    """The facts of a version agree with each other (dates forwards, reviews within, phases once)."""
    if terms.ends_on <= terms.starts_on:
        raise SlaDatesRunForwards(terms.starts_on, terms.ends_on)
    for review_on in terms.review_dates:
        if not terms.starts_on <= review_on <= terms.ends_on:
            raise SlaReviewDatesWithinTerm(review_on)
    phases = [p.phase for p in terms.places_by_phase]
    for phase in phases:
        if phases.count(phase) > 1:
            raise SlaPhaseListedOnce(phase.value)


def draft_version(command: DraftSlaVersion, state: SlaState, ctx: DecisionContext) -> Sequence[DomainEvent]:
    """Record the terms of the next version; the first version opens the agreement between the path's parties."""
    if state.recorded:
        recorded_for(command, state)
    expected = len(state.versions) + 1
    if command.version != expected:
        raise VersionsNumberedInOrder(command.version, expected)
    check_terms(command.terms)
    return [SlaVersionDrafted(provision_id=command.provision_id, commissioner_id=command.commissioner_id,
                              version=command.version, terms=command.terms, drafted_by=ctx.user_id)]


def sign_version(command: SignSlaVersion, state: SlaState, ctx: DecisionContext) -> Sequence[DomainEvent]:
    """The caller's organisation signs as the party the agreement records; the second signature agrees it."""
    recorded_for(command, state)
    version = state.versions.get(command.version)
    if version is None:
        raise SlaVersionNotRecorded(command.version)
    party = party_in(state, ctx)
    if party in version.signatures:
        raise SlaSignedOncePerParty(command.version, party.value)
    if ctx.today > version.terms.ends_on:
        raise SlaSignedBeforeItEnds(command.version, version.terms.ends_on)
    parties = {"provision_id": command.provision_id, "commissioner_id": command.commissioner_id}
    events: list[DomainEvent] = [SlaVersionSigned(**parties, version=command.version, party=party,
                                                  signed_by=ctx.user_id, signed_on=ctx.today)]
    if len(version.signatures) + 1 == len(SlaParty):
        in_force_from = max(version.terms.starts_on, ctx.today)
        earlier = state.in_force_on(in_force_from)
        events.append(SlaVersionAgreed(
            **parties, version=command.version, in_force_from=in_force_from, ends_on=version.terms.ends_on,
            attendance_threshold_percent=version.terms.attendance_threshold_percent,
            supersedes_version=earlier[0] if earlier is not None and earlier[0] < command.version else None,
            next_review_on=next_review_on(last_completed_review(state), version.terms.review_dates, in_force_from)))
    return events


def last_completed_review(state: SlaState) -> SlaReviewCompleted | None:
    """The agreement's latest completed review (by completion day, then next review date)."""
    completed = [r.completed for r in state.reviews.values() if r.completed is not None]
    return max(completed, key=lambda c: (c.completed_on, c.next_review_on)) if completed else None


def next_review_on(last_completed: SlaReviewCompleted | None, review_dates: Sequence[date],
                   in_force_from: date) -> date:
    """When the next review falls due: the last completed review's next date; before any, the version's first
    review date, else a year after it came into force."""
    if last_completed is not None:
        return last_completed.next_review_on
    return min(review_dates, default=in_force_from + timedelta(days=365))
