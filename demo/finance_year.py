"""A scripted financial year for one Neighbourhood Partnership, through the public HTTP API.

Used by the end-to-end test and by ``make demo``:
``python -m demo.finance_year --base-url http://127.0.0.1:8000`` (tokens are minted with
``$AP_TOKEN_PRIVATE_KEY``; the API must hold the matching public key, and the relay and the
finance projections must be running, since the carry-forward into the next year is read back from
the ledger as a finance officer would).

The year (2025-26 by default): the organisations are registered with their names (by the caller,
through the incidents service: ``demo_organisations``), so the reports read as names; the LA sets the
budget with its funding sources and lines; the host school records a year of spend and two commitments;
a £35,000 item waits for its second signature (the host school signs, then the Partnership's lead); a
virement moves budget from contingency to training; a second virement, which would leave a line below
its commitments, is only requested, and made when the Partnership's lead approves it; a coach-hire
spend past what is left on the transport line is refused (``budget_control.spend_within_line``), the
host school asks for an overspend with a reason, its second finance officer approves it, and the spend
is recorded; a £42,000 commitment signed by the host school is found by the Partnership's lead through
``GET /v1/budgets/awaiting-my-signature`` and signed; the LA closes the year with a surplus; the
Partnership shares part of it 50/30/20 (needs/equity/strategic) between its five schools and the host
school's strategic plan; the LA claws some back and carries the rest into the next year, whose budget
brings exactly that amount forward.

Command ids are derived from the cast and the step, so running the demo again replays the same
commands: every answer is the first one (``Idempotent-Replayed: true``) and nothing is recorded twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from ap_contracts.envelope import OrgKind
from ap_finance.domain.financial_year import next_financial_year
from ap_runtime.access import Role, TokenIssuer
from ap_runtime.access.tokens import ServiceAudience

DEMO_NAMESPACE = uuid.UUID("6f1c1d8e-3b0e-4a57-9d7c-2f8f3b1f0a11")
SCHOOLS: tuple[dict[str, Any], ...] = (
    {"school_id": "school-demo-a", "pupil_roll": 420, "deprivation_index": "0.28", "pupil_premium_count": 96,
     "free_school_meals_count": 88, "send_count": 52},
    {"school_id": "school-demo-b", "pupil_roll": 210, "deprivation_index": "0.35", "pupil_premium_count": 71,
     "free_school_meals_count": 65, "send_count": 30},
    {"school_id": "school-demo-c", "pupil_roll": 630, "deprivation_index": "0.18", "pupil_premium_count": 102,
     "free_school_meals_count": 90, "send_count": 75},
    {"school_id": "school-demo-d", "pupil_roll": 315, "deprivation_index": "0.41", "pupil_premium_count": 120,
     "free_school_meals_count": 110, "send_count": 44},
    {"school_id": "school-demo-e", "pupil_roll": 180, "deprivation_index": "0.22", "pupil_premium_count": 25,
     "free_school_meals_count": 21, "send_count": 19},
)
PROPORTIONS = {"needs_based": "50", "equity_based": "30", "strategic_plan": "20"}
NEEDS_WEIGHTS = {"pupil_roll": "0.30", "deprivation_index": "0.20", "pupil_premium": "0.20",
                 "free_school_meals": "0.15", "send": "0.15"}
MONTHLY_PAYROLL_PENCE = 1_150_000
SIGNED_ITEM_PENCE = 3_500_000
ALLOCATION_PENCE = 5_000_000
CLAWBACK_PENCE = 1_000_000
COACH_HIRE_PENCE = 1_150_000
OVERSPEND_PENCE = 35_040  # what the coach hire needs beyond what is left on the transport line
LARGE_COMMITMENT_PENCE = 4_200_000
APPROVED_VIREMENT_PENCE = 1_300_000  # would leave resources (top-up) below its £3,000 book commitment


@dataclass(frozen=True, slots=True)
class DemoCast:
    """The organisations and people of the demo (made up; no real names)."""

    provision_id: str = "pbp-demo-north"
    host_school_id: str = "school-demo-host"
    partnership_id: str = "np-demo-north"
    local_authority_id: str = "la-demo-county"
    finance_officer: str = "la-finance-officer-1"
    host_finance: str = "host-finance-officer-1"
    host_finance_2: str = "host-finance-officer-2"
    partnership_lead: str = "np-lead-1"


@dataclass(frozen=True, slots=True)
class DemoOrganisation:
    """An organisation of the demo as the platform administrator registers it (made-up names)."""

    organisation_id: str
    kind: str
    name: str
    local_authority_id: str | None = None
    partnership_id: str | None = None
    key_stages: tuple[str, ...] = ()

    def registration(self) -> dict[str, Any]:
        """The body of the incidents service's RegisterOrganisation command (without its command id)."""
        return {"organisation_id": self.organisation_id, "kind": self.kind, "name": self.name,
                "local_authority_id": self.local_authority_id, "partnership_id": self.partnership_id,
                "key_stages": list(self.key_stages)}


SCHOOL_NAMES = {"school-demo-a": "Alder Lane Primary School", "school-demo-b": "Beacon Hill Academy",
                "school-demo-c": "Castle Fields Primary", "school-demo-d": "Dene Park Junior School",
                "school-demo-e": "Elm Bank Infant School"}


def demo_organisations(cast: DemoCast = DemoCast()) -> tuple[DemoOrganisation, ...]:
    """The LA, the Partnership, the host school, the provision and the five schools, with their names."""
    la, np = cast.local_authority_id, cast.partnership_id
    return (
        DemoOrganisation(la, "local_authority", "Demo County Council"),
        DemoOrganisation(np, "partnership", "North Demo Neighbourhood Partnership", la),
        DemoOrganisation(cast.host_school_id, "host_school", "Riverside Host Primary School", la, np),
        DemoOrganisation(cast.provision_id, "provision", "Riverside Behaviour Base", la, np, ("KS2",)),
        *(DemoOrganisation(school, "home_school", name, la, np) for school, name in SCHOOL_NAMES.items()),
    )


@dataclass(frozen=True, slots=True)
class DemoTokens:
    """Authorization headers of each actor: a fresh finance token at each use, since a token carries
    one write command (a replayed token is refused)."""

    issuer: TokenIssuer
    cast: DemoCast
    ttl_seconds: int

    def _bearer(self, user: str, org: str, kind: OrgKind, role: Role) -> dict[str, str]:
        token = self.issuer.mint(user_id=user, organisation_id=org, org_kind=kind, roles=[role],
                                 ttl_seconds=self.ttl_seconds, audience=ServiceAudience.FINANCE)
        return {"Authorization": f"Bearer {token}"}

    @property
    def finance_officer(self) -> dict[str, str]:
        return self._bearer(self.cast.finance_officer, self.cast.local_authority_id, OrgKind.LOCAL_AUTHORITY,
                            Role.FINANCE_OFFICER)

    @property
    def host_finance(self) -> dict[str, str]:
        return self._bearer(self.cast.host_finance, self.cast.host_school_id, OrgKind.HOST_SCHOOL,
                            Role.HOST_SCHOOL_FINANCE)

    @property
    def host_finance_2(self) -> dict[str, str]:
        return self._bearer(self.cast.host_finance_2, self.cast.host_school_id, OrgKind.HOST_SCHOOL,
                            Role.HOST_SCHOOL_FINANCE)

    @property
    def partnership_lead(self) -> dict[str, str]:
        return self._bearer(self.cast.partnership_lead, self.cast.partnership_id, OrgKind.PARTNERSHIP,
                            Role.PARTNERSHIP_LEAD)


def demo_tokens(issuer: TokenIssuer, cast: DemoCast = DemoCast(), ttl_seconds: int = 3600) -> DemoTokens:
    return DemoTokens(issuer, cast, ttl_seconds)


class DemoStepFailed(RuntimeError):
    """A step of the demo was refused; the message carries the API's problem document."""


Observer = Callable[[str, "DemoYear"], Awaitable[None]]


async def _no_observer(step: str, demo: DemoYear) -> None:
    return None


@dataclass
class DemoYear:
    """Runs the scripted year against one API; remembers the ids it used and every answer."""

    client: httpx.AsyncClient
    tokens: DemoTokens
    cast: DemoCast = field(default_factory=DemoCast)
    financial_year: str = "2025-26"
    observer: Observer = _no_observer
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Step -> the item as the second signatory found it in awaiting-my-signature (None: not listed, as on a
    # replay, when it is signed already).
    found_awaiting: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    # Step -> the rule a refused step was refused by (a refusal records nothing, so a replay meets the state
    # the later steps left: the year closed; ``replaying`` is set once an answer says it was replayed).
    refusals: dict[str, str] = field(default_factory=dict)
    replaying: bool = False

    @property
    def next_year(self) -> str:
        return next_financial_year(self.financial_year)

    def id_for(self, step: str) -> str:
        return str(uuid.uuid5(DEMO_NAMESPACE, f"{self.cast.provision_id}/{self.financial_year}/{step}"))

    def path(self, year: str, suffix: str) -> str:
        return f"/v1/budgets/{self.cast.provision_id}/{year}{suffix}"

    async def post(self, step: str, suffix: str, body: dict[str, Any], headers: dict[str, str],
                   year: str | None = None) -> dict[str, Any]:
        payload = {"command_id": self.id_for(step), **body}
        response = await self.client.post(self.path(year or self.financial_year, suffix), json=payload,
                                          headers=headers)
        if response.status_code != 200:
            raise DemoStepFailed(f"{step}: {response.status_code} {response.text}")
        answer: dict[str, Any] = response.json()
        self.answers[step] = answer
        self.replaying = self.replaying or response.headers.get("Idempotent-Replayed") == "true"
        return answer

    async def refused(self, step: str, suffix: str, body: dict[str, Any], headers: dict[str, str],
                      rule: str) -> dict[str, Any]:
        """A step the platform must refuse with ``rule``; its problem document is kept as the answer."""
        payload = {"command_id": self.id_for(step), **body}
        response = await self.client.post(self.path(self.financial_year, suffix), json=payload, headers=headers)
        problem: dict[str, Any] = response.json()
        refused_so = response.status_code == 422 and problem.get("rule") == rule
        # On a replay the year is closed by then: any refusal naming its rule is the expected answer.
        refused_on_replay = self.replaying and 400 <= response.status_code < 500 and bool(problem.get("rule"))
        if not (refused_so or refused_on_replay):
            raise DemoStepFailed(f"{step}: expected a 422 refusal by {rule}, got {response.status_code} "
                                 f"{response.text}")
        self.refusals[step] = str(problem["rule"])
        self.answers[step] = {"refused": True}
        return problem

    async def run(self) -> None:
        await self.set_budget()
        await self.spend_the_year()
        await self.sign_the_large_item()
        await self.vire()
        await self.vire_with_approval()
        await self.overspend_refused_then_approved()
        await self.commit_and_find_for_second_signature()
        await self.close_and_share()
        await self.carry_forward_into_next_year()

    async def set_budget(self) -> None:
        await self.post("budget", "/budget", {
            "budget_id": self.id_for("budget-id"), "host_school_id": self.cast.host_school_id,
            "partnership_id": self.cast.partnership_id, "dsg_allocation_pence": 30_000_000,
            "top_up_pence": 3_550_000, "carry_forward_pence": 0,
        }, self.tokens.finance_officer)
        lines = (("staffing", "dsg_allocation", 16_500_000), ("resources", "dsg_allocation", 1_800_000),
                 ("training_cpd", "dsg_allocation", 1_200_000), ("external_services", "dsg_allocation", 6_500_000),
                 ("contingency", "dsg_allocation", 1_000_000), ("transport", "top_up", 1_200_000),
                 ("resources", "top_up", 1_500_000), ("premises", "top_up", 850_000))
        for category, source, pence in lines:
            await self.post(f"line-{category}-{source}", "/lines",
                            {"category": category, "funding_source": source, "amount_pence": pence},
                            self.tokens.finance_officer)
        await self.observer("budget_set", self)

    async def spend(self, step: str, category: str, source: str, pence: int, day: date, supplier: str,
                    **extra: Any) -> dict[str, Any]:
        return await self.post(step, "/spend", {
            "spend_id": self.id_for(f"{step}-id"), "supplier": supplier, "category": category,
            "funding_source": source, "amount_pence": pence, "spent_on": day.isoformat(),
            "evidence_reference": f"INV-{step}", **extra,
        }, self.tokens.host_finance)

    async def spend_the_year(self) -> None:
        start = int(self.financial_year[:4])
        months = [date(start, month, 25) for month in range(4, 13)] + [date(start + 1, 1, 25), date(start + 1, 2, 25)]
        for day in months:
            await self.spend(f"payroll-{day:%Y-%m}", "staffing", "dsg_allocation", MONTHLY_PAYROLL_PENCE, day,
                             "Host school payroll")
        await self.spend("sensory-kit", "resources", "dsg_allocation", 123_456, date(start, 4, 30),
                         "Classroom resources supplier")
        await self.spend("de-escalation-course", "training_cpd", "dsg_allocation", 275_000, date(start, 5, 14),
                         "Training provider")
        await self.spend("taxi-transport", "transport", "top_up", 85_040, date(start, 6, 6), "Local taxi firm")
        await self.spend("room-refit", "premises", "top_up", 412_399, date(start, 7, 10), "Building contractor")
        await self.spend("autumn-cpd", "training_cpd", "dsg_allocation", 480_000, date(start, 10, 8),
                         "Training provider")
        await self.post("ep-commitment", "/commitments", {
            "commitment_id": self.id_for("ep-commitment-id"), "supplier": "Educational psychology service",
            "category": "external_services", "funding_source": "dsg_allocation", "amount_pence": 600_000,
            "raised_on": date(start, 5, 1).isoformat(), "evidence_reference": "PO-EP-1",
        }, self.tokens.host_finance)
        await self.spend("ep-invoice", "external_services", "dsg_allocation", 400_000, date(start, 6, 20),
                         "Educational psychology service", commitment_id=self.id_for("ep-commitment-id"))
        await self.post("books-commitment", "/commitments", {
            "commitment_id": self.id_for("books-commitment-id"), "supplier": "Book supplier",
            "category": "resources", "funding_source": "top_up", "amount_pence": 300_000,
            "raised_on": date(start + 1, 3, 2).isoformat(), "evidence_reference": "PO-BOOKS-1",
        }, self.tokens.host_finance)
        await self.observer("term_spent", self)

    async def sign_the_large_item(self) -> None:
        start = int(self.financial_year[:4])
        await self.spend("family-worker", "staffing", "dsg_allocation", SIGNED_ITEM_PENCE, date(start, 7, 15),
                         "Family support worker agency")
        item = self.id_for("family-worker-id")
        await self.post("family-worker-host-signature", f"/items/{item}/signatures", {}, self.tokens.host_finance)
        await self.observer("awaiting_second_signature", self)
        await self.post("family-worker-partnership-signature", f"/items/{item}/signatures", {},
                        self.tokens.partnership_lead)
        await self.observer("item_signed", self)

    async def vire(self) -> None:
        await self.post("virement", "/virements", {
            "virement_id": self.id_for("virement-id"), "from_category": "contingency", "to_category": "training_cpd",
            "funding_source": "dsg_allocation", "amount_pence": 300_000,
            "reason": "More staff to be trained in de-escalation than planned",
        }, self.tokens.host_finance)

    async def vire_with_approval(self) -> None:
        """A virement that would leave its line below its commitments waits for another person's approval."""
        virement = self.id_for("premises-virement-id")
        await self.post("premises-virement", "/virements", {
            "virement_id": virement, "from_category": "resources", "to_category": "premises",
            "funding_source": "top_up", "amount_pence": APPROVED_VIREMENT_PENCE,
            "reason": "Storm damage to the roof of the teaching block",
        }, self.tokens.host_finance)
        await self.observer("virement_requested", self)
        await self.post("premises-virement-approval", f"/virements/{virement}/approval", {},
                        self.tokens.partnership_lead)
        await self.observer("virement_approved", self)

    async def overspend_refused_then_approved(self) -> None:
        """Spend past what is left on its line is refused until the budget holder approves an overspend."""
        coach: dict[str, Any] = {"supplier": "Coach hire", "category": "transport", "funding_source": "top_up",
                                 "amount_pence": COACH_HIRE_PENCE,
                                 "spent_on": date(int(self.financial_year[:4]), 11, 14).isoformat(),
                                 "evidence_reference": "INV-COACH-11"}
        await self.refused("coach-hire-refused", "/spend", {"spend_id": self.id_for("coach-hire-refused-id"),
                                                             **coach},
                           self.tokens.host_finance, "budget_control.spend_within_line")
        await self.observer("overspend_refused", self)
        overspend = self.id_for("transport-overspend-id")
        await self.post("transport-overspend", "/overspends", {
            "overspend_id": overspend, "category": "transport", "funding_source": "top_up",
            "amount_pence": OVERSPEND_PENCE, "reason": "Extra trips to the farm school agreed by the Partnership",
        }, self.tokens.host_finance)
        await self.post("transport-overspend-approval", f"/overspends/{overspend}/approval", {},
                        self.tokens.host_finance_2)
        await self.post("coach-hire", "/spend", {"spend_id": self.id_for("coach-hire-id"), **coach},
                        self.tokens.host_finance)
        await self.observer("overspend_approved", self)

    async def awaiting_my_signature(self, headers: dict[str, str]) -> list[dict[str, Any]]:
        response = await self.client.get("/v1/budgets/awaiting-my-signature", headers=headers)
        if response.status_code != 200:
            raise DemoStepFailed(f"awaiting-my-signature: {response.status_code} {response.text}")
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def commit_and_find_for_second_signature(self) -> None:
        """A £42,000 commitment: the host school signs; the Partnership's lead finds it waiting and signs."""
        commitment = self.id_for("therapy-commitment-id")
        await self.post("therapy-commitment", "/commitments", {
            "commitment_id": commitment, "supplier": "Therapy Partners", "category": "external_services",
            "funding_source": "dsg_allocation", "amount_pence": LARGE_COMMITMENT_PENCE,
            "raised_on": date(int(self.financial_year[:4]), 12, 1).isoformat(), "evidence_reference": "PO-TP-1",
        }, self.tokens.host_finance)
        await self.post("therapy-host-signature", f"/items/{commitment}/signatures", {}, self.tokens.host_finance)
        found = next((item for item in await self.awaiting_my_signature(self.tokens.partnership_lead)
                      if item["evidence_reference"] == "PO-TP-1" and item["supplier"] == "Therapy Partners"), None)
        self.found_awaiting["therapy-partnership-signature"] = found
        await self.observer("found_awaiting_signature", self)
        item = found["item_id"] if found is not None else commitment
        await self.post("therapy-partnership-signature", f"/items/{item}/signatures", {},
                        self.tokens.partnership_lead)

    async def close_and_share(self) -> None:
        end = int(self.financial_year[:4]) + 1
        await self.post("close", "/close", {"closed_on": date(end, 4, 10).isoformat()}, self.tokens.finance_officer)
        await self.observer("closed", self)
        await self.post("allocation", "/surplus/allocations", {
            "allocation_id": self.id_for("allocation-id"), "method": "combination", "proportions": PROPORTIONS,
            "schools": list(SCHOOLS),
            "needs_weights": NEEDS_WEIGHTS, "amount_pence": ALLOCATION_PENCE,
            "consultation_reference": "NP-MEETING-SUMMER",
        }, self.tokens.partnership_lead)
        await self.observer("allocated", self)
        await self.post("clawback", "/surplus/clawbacks", {
            "clawback_id": self.id_for("clawback-id"), "amount_pence": CLAWBACK_PENCE,
            "reason": "Balance above the agreed retention level",
        }, self.tokens.finance_officer)
        await self.post("carry-forward", "/surplus/carry-forward",
                        {"carry_forward_id": self.id_for("carry-forward-id")}, self.tokens.finance_officer)

    async def ledger(self, year: str, timeout_seconds: float = 60.0) -> dict[str, Any]:
        """The ledger once the projection has caught up with the stream (as a finance officer reads it)."""
        deadline = asyncio.get_running_loop().time() + timeout_seconds
        while True:
            response = await self.client.get(self.path(year, "/ledger"), headers=self.tokens.finance_officer)
            if response.status_code == 200 and response.json()["up_to_date"]:
                ledger: dict[str, Any] = response.json()
                return ledger
            if response.status_code not in (200, 503) or asyncio.get_running_loop().time() > deadline:
                raise DemoStepFailed(f"ledger of {year} not ready: {response.status_code} {response.text}")
            await asyncio.sleep(0.1)

    async def carry_forward_into_next_year(self) -> None:
        closed = await self.ledger(self.financial_year)
        carried = int(closed["surplus"]["carried_forward_pence"])
        await self.post("next-year-budget", "/budget", {
            "budget_id": self.id_for("next-year-budget-id"), "host_school_id": self.cast.host_school_id,
            "partnership_id": self.cast.partnership_id, "dsg_allocation_pence": 24_000_000,
            "top_up_pence": 3_550_000, "carry_forward_pence": carried,
        }, self.tokens.finance_officer, year=self.next_year)
        await self.observer("next_year_set", self)


async def _main(base_url: str, financial_year: str) -> None:
    tokens = demo_tokens(TokenIssuer.from_env())
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        demo = DemoYear(client, tokens, financial_year=financial_year)
        await demo.run()
        for year in (demo.financial_year, demo.next_year):
            print(json.dumps(await demo.ledger(year), indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the scripted financial year against a finance API.")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--financial-year", default="2025-26")
    args = parser.parse_args()
    asyncio.run(_main(args.base_url, args.financial_year))


if __name__ == "__main__":
    main()
