"""The finance part of the demo: the organisations registered with their names (through the incidents API, so
the reports read as names), a financial year through the public finance API with its approvals, budget
control and second signatures narrated, then its ledger, the allocation part by part and the return."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from rich.console import Console
from rich.table import Table

from ap_contracts.money import format_pounds
from ap_runtime.access import TokenIssuer
from ap_runtime.access.keys import load_private_key
from demo.finance_year import DemoYear, demo_organisations, demo_tokens
from demo.incidents_walkthrough import API_PORT as INCIDENTS_PORT
from demo.incidents_walkthrough import until
from demo.personas import Persona, tokens_from
from demo.processes import Fleet

API_PORT = 8102
METHODS = {"needs_based": "by need", "equity_based": "equally", "strategic_plan": "host school's strategic plan"}


async def register_organisations(console: Console, issuer: TokenIssuer) -> None:
    """The platform administrator registers the demo's organisations with their names (incidents API)."""
    token_for = tokens_from(issuer)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{INCIDENTS_PORT}", timeout=30) as incidents:
        for organisation in demo_organisations():
            response = await incidents.post(
                f"/v1/organisations/{organisation.organisation_id}/registration",
                json={"command_id": str(uuid4()), **organisation.registration()},
                headers={"Authorization": f"Bearer {token_for(Persona.PLATFORM_ADMIN)}"})
            mark = "[green]registered[/]" if response.status_code in (200, 201) else f"[red]{response.status_code}[/]"
            console.print(f"  {organisation.name} ({organisation.organisation_id}): {mark}")


def _narration(step: str, demo: DemoYear) -> str:
    """What a finance officer would see at this step, in words."""
    answers: dict[str, Any] = demo.answers
    if step == "virement_requested":
        return f"virement requested: {answers['premises-virement']['created']['state']} (nothing moves yet)"
    if step == "virement_approved":
        state = answers['premises-virement-approval']['created']['state']
        return f"virement approved by the Partnership's lead: {state}"
    if step == "overspend_refused":
        return f"coach hire past what is left on transport: refused ({demo.refusals.get('coach-hire-refused')})"
    if step == "overspend_approved":
        return "overspend asked for with a reason, approved by the second host officer; coach hire recorded"
    if step == "found_awaiting_signature":
        found = demo.found_awaiting.get("therapy-partnership-signature")
        if found is None:
            return "the £42,000 commitment is not waiting (signed already)"
        return (f"the Partnership's lead finds {found['supplier']} {found['evidence_reference']} "
                f"{format_pounds(int(found['amount_pence']))} awaiting its signature, and signs")
    return step.replace("_", " ")


async def run_finance(console: Console, fleet: Fleet, env: dict[str, str], state: Path) -> bool:
    logs = state / "logs"
    console.rule("[bold]Finance: a financial year of delegated behaviour funding")
    fleet.start("finance-api", ["-m", "ap_finance.entrypoints.api"], {**env, "AP_HTTP_PORT": str(API_PORT)}, logs)
    client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{API_PORT}", timeout=30)

    async def ready() -> bool:
        return (await client.get("/readyz")).status_code == 200

    try:
        await until(ready, "the finance API", fleet)
        fleet.start("finance-relay", ["-m", "ap_runtime.relay", "--service", "finance"], env, logs)
        fleet.start("finance-projections", ["-m", "ap_finance.entrypoints.projections"], env, logs)
        issuer = TokenIssuer(load_private_key(env["AP_TOKEN_PRIVATE_KEY"]))
        tokens = demo_tokens(issuer)
        await register_organisations(console, issuer)

        async def narrate(step: str, demo: DemoYear) -> None:
            console.print(f"  [cyan]{_narration(step, demo)}[/]")

        demo = DemoYear(client, tokens, observer=narrate)
        await demo.run()
        ledger = await demo.ledger(demo.financial_year)
        title = f"Ledger {ledger['provision_id']} {ledger['financial_year']} (closed {ledger['closed_on']})"
        table = Table("category", "budget", "actual", "committed", "remaining", title=title)
        for row in [*ledger["by_category"], {"category": "[bold]total", **ledger["total"]}]:
            table.add_row(row["category"], *(format_pounds(int(row[k])) for k in
                                             ("budget_pence", "actual_pence", "committed_pence", "remaining_pence")))
        console.print(table)
        console.print(allocation_table(ledger))
        path = demo.path(demo.financial_year, "")
        reconciliation = (await client.get(f"{path}/reconciliation", headers=tokens.finance_officer)).json()
        colour = "green" if reconciliation["ok"] else "red"
        console.print(f"Reconciliation: [{colour}]{'reconciles to the penny' if reconciliation['ok'] else 'FAILS'}[/]")
        workbook = await client.get(f"{path}/reports/quarterly-return", params={"quarter": 4, "format": "xlsx"},
                                    headers=tokens.finance_officer)
        out = state / f"quarterly-return-{demo.financial_year}-q4.xlsx"
        out.write_bytes(workbook.content)
        console.print(f"Quarterly return for the LA written to [bold]{out}[/]")
        return bool(reconciliation["ok"])
    finally:
        await client.aclose()


def allocation_table(ledger: dict[str, Any]) -> Table:
    """The allocation part by part: each school's share of each method's part, by name, and the totals."""
    [allocation] = ledger["allocations_in_full"]
    parts = allocation["parts"]
    names = {s["school_id"]: s["school_name"] or s["school_id"] for s in ledger["allocations"]}
    proportions = ", ".join(f"{METHODS[p['method']]} {p['proportion']}" for p in parts)
    table = Table("school", *(f"{METHODS[p['method']]}\n{format_pounds(int(p['amount_pence']))}" for p in parts),
                  "share", title=f"Surplus of {format_pounds(int(allocation['amount_pence']))} shared as a "
                                 f"{allocation['method']} ({proportions}; largest remainder, to the penny)")
    for total in allocation["shares"]:
        school = total["school_id"]
        of_part = [sum(s["amount_pence"] for s in p["shares"] if s["school_id"] == school) for p in parts]
        table.add_row(names.get(school, school), *(format_pounds(int(a)) for a in of_part),
                      format_pounds(int(total["amount_pence"])))
    return table
