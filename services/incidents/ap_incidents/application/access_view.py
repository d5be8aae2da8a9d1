"""Who is responsible for a pupil, folded from the pupil's stream: the input of every access decision.

Rule served: share pupil-level data only with the organisations responsible for the pupil
(STATUTORY.md, data protection). The policy compares organisation ids; this module works out
which organisations those are: the home school, the provision of the referral or placement, the
commissioner and the partnership. Only fields that are never personal are read, so the view can
be folded from sealed stored payloads (no decryption) or from domain events alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from ap_contracts.personal import RecordClass
from ap_incidents.domain.entry_classes import ENTRY_CLASS


@dataclass(frozen=True, slots=True)
class PlacementParties:
    """The organisations sharing responsibility for one placement."""

    placement_id: UUID
    provision_id: str
    home_school_id: str
    commissioner_id: str
    partnership_id: str
    active: bool = True
    ended_at_version: int | None = None  # the stream version of its PlacementEnded


@dataclass(slots=True)
class PupilAccessView:
    pupil_ref: UUID
    home_school_id: str | None = None
    erased: bool = False
    referral_provisions: dict[UUID, str] = field(default_factory=dict)
    latest_referral_provision: str | None = None
    placements: dict[UUID, PlacementParties] = field(default_factory=dict)
    latest_placement_id: UUID | None = None
    record_placements: dict[UUID, UUID] = field(default_factory=dict)
    # Each entry's event type, by record id: a correction is authorised against the class of the
    # STORED entry it targets (issue 9), never a class the caller names.
    record_types: dict[UUID, str] = field(default_factory=dict)
    # The commissioner each referral names (None on referrals recorded before it was named).
    referral_commissioners: dict[UUID, str | None] = field(default_factory=dict)
    version: int = 0  # events folded so far: the stream version of the latest (keep it the last field)

    def copy(self) -> PupilAccessView:
        """An independent copy, to extend without changing this one."""
        return PupilAccessView(
            self.pupil_ref, self.home_school_id, self.erased, dict(self.referral_provisions),
            self.latest_referral_provision, dict(self.placements), self.latest_placement_id,
            dict(self.record_placements), dict(self.record_types), dict(self.referral_commissioners),
            version=self.version,
        )

    @property
    def registered(self) -> bool:
        return self.home_school_id is not None

    def current_placement(self) -> PlacementParties | None:
        """The active placement, else the most recent one (its provision still answers for it)."""
        active = [p for p in self.placements.values() if p.active]
        if active:
            return active[-1]
        return None if self.latest_placement_id is None else self.placements[self.latest_placement_id]

    def placement_of_record(self, record_id: UUID) -> PlacementParties | None:
        placement_id = self.record_placements.get(record_id)
        return None if placement_id is None else self.placements.get(placement_id)

    def record_class_of(self, record_id: UUID) -> RecordClass | None:
        """The class of the stored entry ``record_id`` as a whole (None: judged field by field)."""
        event_type = self.record_types.get(record_id)
        return None if event_type is None else ENTRY_CLASS.get(event_type)

    def placement_of(self, organisation_id: str) -> PlacementParties | None:
        """The organisation's own placement of the pupil, as provision or commissioner: an active one, else
        the one that ended last (None when it never had one)."""
        own = [p for p in self.placements.values() if organisation_id in (p.provision_id, p.commissioner_id)]
        active = [p for p in own if p.active]
        if active:
            return active[-1]
        return max(own, key=lambda p: p.ended_at_version or 0, default=None)

    def readable_through(self, organisation_id: str) -> int | None:
        """The last stream version ``organisation_id`` may read; None: no limit from here.

        Rule served: access ends with the relationship (issue 9). A provision or commissioner whose
        placements of the pupil have all ended reads the record as it stood when the latest of them
        ended, nothing recorded after; the home school, and a party to an active placement, are not
        limited here (the policy still decides whether they read at all).
        """
        if organisation_id == self.home_school_id:
            return None
        ends: list[int] = []
        for placement in self.placements.values():
            if organisation_id in (placement.provision_id, placement.commissioner_id):
                if placement.active or placement.ended_at_version is None:
                    return None
                ends.append(placement.ended_at_version)
        return max(ends) if ends else None

    def apply(self, event_type: str, payload: Mapping[str, Any]) -> None:
        """Fold one event given as its type and (sealed or clear) field values."""
        self.version += 1
        record_id = _uuid(payload.get("record_id"))
        placement_id = _uuid(payload.get("placement_id"))
        if record_id is not None and placement_id is not None:
            self.record_placements[record_id] = placement_id
        if record_id is not None:
            self.record_types[record_id] = event_type
        handler = _HANDLERS.get(event_type)
        if handler is not None:
            handler(self, payload)


def _uuid(value: object) -> UUID | None:
    if value is None or isinstance(value, UUID):
        return value
    return UUID(str(value))


def _registered(view: PupilAccessView, p: Mapping[str, Any]) -> None:
    view.home_school_id = str(p["home_school_id"])


def _details_updated(view: PupilAccessView, p: Mapping[str, Any]) -> None:
    if p.get("home_school_id") is not None:
        view.home_school_id = str(p["home_school_id"])


def _referral(view: PupilAccessView, p: Mapping[str, Any]) -> None:
    referral_id = _uuid(p["referral_id"])
    assert referral_id is not None
    view.referral_provisions[referral_id] = str(p["provision_id"])
    commissioner = p.get("commissioner_id")
    view.referral_commissioners[referral_id] = None if commissioner is None else str(commissioner)
    view.latest_referral_provision = str(p["provision_id"])


def _transferred(view: PupilAccessView, p: Mapping[str, Any]) -> None:
    view.home_school_id = str(p["to_school_id"])


def _placement_started(view: PupilAccessView, p: Mapping[str, Any]) -> None:
    placement_id = _uuid(p["placement_id"])
    assert placement_id is not None
    view.placements[placement_id] = PlacementParties(
        placement_id, str(p["provision_id"]), str(p["home_school_id"]), str(p["commissioner_id"]),
        str(p["partnership_id"]),
    )
    view.latest_placement_id = placement_id


def _placement_ended(view: PupilAccessView, p: Mapping[str, Any]) -> None:
    placement_id = _uuid(p["placement_id"])
    current = None if placement_id is None else view.placements.get(placement_id)
    if current is not None:
        view.placements[current.placement_id] = replace(current, active=False, ended_at_version=view.version)


def _amended(view: PupilAccessView, p: Mapping[str, Any]) -> None:
    # The partnership of a placement is amendable (the others are locked by the domain).
    corrected = p.get("corrected_values") or {}
    target = _uuid(p.get("target_record_id"))
    if p.get("target_event_type") != "PlacementStarted" or target is None or "partnership_id" not in corrected:
        return
    placement = view.placement_of_record(target)
    if placement is not None:
        view.placements[placement.placement_id] = replace(placement, partnership_id=str(corrected["partnership_id"]))


def _erased(view: PupilAccessView, p: Mapping[str, Any]) -> None:
    view.erased = True


_HANDLERS = {
    "PupilRegistered": _registered,
    "PupilDetailsUpdated": _details_updated,
    "PupilTransferConfirmed": _transferred,
    "ReferralReceived": _referral,
    "PlacementStarted": _placement_started,
    "PlacementEnded": _placement_ended,
    "RecordAmended": _amended,
    "PupilDataErased": _erased,
}
