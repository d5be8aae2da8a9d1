"""The finance part of the demo: a financial year through the public API, then its ledger and return."""

from __future__ import annotations

from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from ap_contracts.money import format_pounds
from ap_runtime.access import TokenIssuer
from ap_runtime.access.keys import load_private_key
from demo.finance_year import DemoYear, demo_tokens
from demo.incidents_walkthrough import until
from demo.processes import Fleet

API_PORT = 8102


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
        tokens = demo_tokens(TokenIssuer(load_private_key(env["AP_TOKEN_PRIVATE_KEY"])))

        async def narrate(step: str, _demo: DemoYear) -> None:
            console.print(f"  [cyan]{step.replace('_', ' ')}[/]")

        demo = DemoYear(client, tokens, observer=narrate)
        await demo.run()
        ledger = await demo.ledger(demo.financial_year)
        title = f"Ledger {ledger['provision_id']} {ledger['financial_year']} (closed {ledger['closed_on']})"
        table = Table("category", "budget", "actual", "committed", "remaining", title=title)
        for row in [*ledger["by_category"], {"category": "[bold]total", **ledger["total"]}]:
            table.add_row(row["category"], *(format_pounds(int(row[k])) for k in
                                             ("budget_pence", "actual_pence", "committed_pence", "remaining_pence")))
        console.print(table)
        shares = Table("school", "share", title="Surplus shared by need (largest remainder, to the penny)")
        for share in ledger["allocations"]:
            shares.add_row(share["school_id"], format_pounds(int(share["amount_pence"])))
        console.print(shares)
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
