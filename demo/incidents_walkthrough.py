"""The incidents part of the demo: a scripted day through the public interfaces, then what it left."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from ap_contracts.topics import INCIDENTS_COMMAND_RESULTS, INCIDENTS_COMMANDS
from ap_incidents.adapters.command_topic_client import CommandTopicClient
from ap_runtime.access import TokenIssuer
from ap_runtime.access.keys import load_private_key
from demo.personas import Persona, tokens_from
from demo.processes import Fleet
from demo.runner import run_scripted_day
from demo.scripted_day import scripted_day

API_PORT = 8101
_META = {"stream_version", "occurred_at", "recorded_at", "event_type", "record_id", "pupil_ref", "organisation_id",
         "placement_id", "recorded_by", "record_class", "erased", "amended", "withdrawn"}


async def until(check: Callable[[], Awaitable[bool]], what: str, fleet: Fleet, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if await check():
                return
        except httpx.HTTPError:
            pass
        if fleet.dead():
            raise RuntimeError(f"processes stopped: {fleet.dead()} (see .demo/logs) while waiting for {what}")
        await asyncio.sleep(0.3)
    raise TimeoutError(f"timed out waiting for {what} (see .demo/logs)")


def start_incidents(fleet: Fleet, env: dict[str, str], logs: Path) -> None:
    api_env = {**env, "AP_HTTP_PORT": str(API_PORT)}
    fleet.start("incidents-api", ["-m", "ap_incidents.entrypoints.api"], api_env, logs)


def start_consumers(fleet: Fleet, env: dict[str, str], logs: Path) -> None:
    fleet.start("incidents-commands", ["-m", "ap_incidents.entrypoints.commands"], env, logs)
    fleet.start("incidents-relay", ["-m", "ap_runtime.relay", "--service", "incidents"], env, logs)
    fleet.start("incidents-projections", ["-m", "ap_incidents.entrypoints.projections"], env, logs)
    fleet.start("notifications-worker", ["-m", "ap_notifications.entrypoints.worker"], env, logs)
    fleet.start("notifications-relay", ["-m", "ap_runtime.relay", "--service", "notifications"], env, logs)
    fleet.start("reporting-projections", ["-m", "ap_reporting.entrypoints.projections"], env, logs)


async def run_incidents(console: Console, fleet: Fleet, env: dict[str, str], state: Path) -> bool:
    logs = state / "logs"
    console.rule("[bold]Incidents: a day at provision-demo-north")
    start_incidents(fleet, env, logs)
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{API_PORT}", timeout=30)

    async def ready() -> bool:
        return (await http.get("/readyz")).status_code == 200

    await until(ready, "the incidents API", fleet)
    start_consumers(fleet, env, logs)
    token_for = tokens_from(TokenIssuer(load_private_key(env["AP_TOKEN_PRIVATE_KEY"])))
    kafka = CommandTopicClient(env["KAFKA_BOOTSTRAP_SERVERS"], commands_topic=INCIDENTS_COMMANDS,
                               results_topic=INCIDENTS_COMMAND_RESULTS)
    await kafka.start()
    try:
        day = scripted_day(token_for)
        results = await run_scripted_day(day, http, kafka)
        steps = Table("#", "step", "via", "outcome", "status", "rule", title="What the provision sent")
        for i, r in enumerate(results, 1):
            colour = "green" if r.outcome.value == "accepted" else "yellow"
            steps.add_row(str(i), r.step.label, r.step.channel.value, f"[{colour}]{r.outcome.value}[/]",
                          str(r.http_status), r.rule or "")
        console.print(steps)
        surprises = [r.step.label for r in results if not r.as_expected]
        pupil = day.pupils["ashgrove"]
        dsl = {"Authorization": f"Bearer {token_for(Persona.PROVISION_DSL)}"}
        expected = len(day.accepted_event_types(pupil.pupil_ref))

        async def log_complete() -> bool:
            got = await http.get(f"/v1/pupils/{pupil.pupil_ref}/behaviour-log", headers=dsl)
            return got.status_code == 200 and len(got.json()["entries"]) >= expected

        await until(log_complete, "the behaviour log", fleet)
        entries = (await http.get(f"/v1/pupils/{pupil.pupil_ref}/behaviour-log", headers=dsl)).json()["entries"]
        log = Table("v", "when", "record", "detail", title=f"Behaviour log of pupil {pupil.pupil_ref} (as the DSL)")
        for e in entries:
            detail = e.get("summary") or json.dumps(
                {k: v for k, v in e.items() if k not in _META and v not in (None, [], {}, False)}, default=str)
            log.add_row(str(e["stream_version"]), str(e.get("occurred_at", ""))[11:16], e["event_type"],
                        str(detail)[:120])
        console.print(log)
        officer = {"Authorization": f"Bearer {token_for(Persona.LA_OFFICER)}"}
        register = (await http.get("/v1/placements", headers=officer)).json()["placements"]
        table = Table("pupil", "provision", "home school", "since", "timetable", "status", title="Placement register")
        for row in register:
            table.add_row(str(row.get("pupil_ref"))[:8], str(row.get("provision_id")), str(row.get("home_school_id")),
                          str(row.get("start_date", "")), str(row.get("timetable", "")),
                          str(row.get("status", "")))
        console.print(table)
        await asyncio.sleep(3)  # let the notifications worker deliver
        outbox = sorted((state / "outbox").glob("**/*.json"))
        alerts = Table("rule", "audience", "organisation", "pupil",
                       title=f"Alerts delivered ({len(outbox)} in the outbox, last 12 shown)")
        for path in outbox[-12:]:
            alert = json.loads(path.read_text())
            alerts.add_row(str(alert.get("rule_name", "")), str(alert.get("audience", "")),
                           str(alert.get("recipient_organisation_id", "")), str(alert.get("pupil_ref", ""))[:8])
        console.print(alerts)
        if surprises:
            console.print(f"[red]steps that did not end as scripted: {surprises}[/]")
        return not surprises
    finally:
        await kafka.stop()
        await http.aclose()
