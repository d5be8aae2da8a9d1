"""Reporting benchmark (issue 15): rebuild of the reporting projections, then the time to produce reports.

    python -m bench.reports [--events 1000000] [--repeats 3] [--pupils 5000] [--workers 2]
                            [--ledger-provisions 8] [--ledger-spends 1200]

Issue 15's must-show: "rebuild of every reporting projection over 1,000,000 events, and the time to produce the
LA annual tables and the quarterly return from the read models". The events are a year of pupil records as
the incidents topic carries them (``ap_testing.reporting.events.Pupil``): each pupil registered and placed,
then daily register marks, an incident in fifty, a suspension in a hundred, a permanent exclusion for one
pupil in twenty and half the placements ended, in pupil streams, produced once to a fresh topic with the
relay's key and headers (``bench.rebuild.produce_encoded``). The other two reporting projections read other
topics: ``reporting_commissioning`` a commissioning topic and ``reporting_finance`` a finance topic, each of
``--events`` events of their own kinds (``bench.reports_topics``). Each repeat rebuilds every reporting projection
from its topic into its next generation, timed from the start of ``rebuild`` to its return, then times the reports
built from the read models as the API builds them (``application.reports``): the LA annual report (its tables
and rates) and the exclusions strategy tables, and the quarterly return as finance produces it from its ledger
read model (``bench.reports_ledger``: a ledger of ``--ledger-provisions`` budgets of ``--ledger-spends`` spends
each, applied once by finance's projection).

Medians of the repeats; the Python CPU per event counts the catch-up workers too. JSON to
``bench/results/reports-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import asyncpg
import uvloop

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupil_vocabulary import AttendanceCode, IncidentCategory, PlacementEndReason, Session, Severity
from ap_reporting.adapters.exclusions_by_phase import PostgresExclusionsByPhase
from ap_reporting.application.reports import annual_report, strategy_report
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.facts_reader import PostgresFactsReader
from ap_reporting.projections.finance_ledger import ReportingFinanceProjection
from ap_runtime.eventstore.models import EncodedEvent
from ap_runtime.projection import Projection
from ap_runtime.projection.runner import ProjectionRunner
from ap_testing.infra import create_database, create_topic, dsn_for_database, resolve_infrastructure
from ap_testing.reporting.events import Pupil
from bench.publish import publish
from bench.rebuild import catch_up_command, produce_encoded, timed_rebuild
from bench.reports_ledger import load_ledger, quarterly_return_ms
from bench.reports_topics import commissioning_events, finance_events

YEAR = "2024/25"
STRATEGY_YEARS = ("2022/23", "2023/24", "2024/25")
FIRST_DAY = date(2024, 9, 2)
# each reporting projection and the events of the topic it reads (``--events`` of them)
SOURCES: tuple[tuple[str, Callable[[int, int], Iterable[EncodedEvent]], tuple[type[Projection], ...]], ...] = (
    ("incidents", lambda count, pupils: events(count, pupils), (ReportingFactsProjection, ExclusionReasonsProjection)),
    ("commissioning", lambda count, _: commissioning_events(count), (ReportingCommissioningFactsProjection,)),
    ("finance", lambda count, _: finance_events(count), (ReportingFinanceProjection,)),
)
PROJECTIONS = tuple(p for _, _, projections in SOURCES for p in projections)
_ACTOR = Actor(user_id="provision-admin-1", organisation_id="prov-1", roles=("provision_admin",))


def _pupil_events(pupil: Pupil, index: int, count: int) -> Iterator[DomainEvent]:
    """``count`` events of one pupil's year, in the order they are recorded."""
    yield pupil.registered()
    yield pupil.started(FIRST_DAY)
    ends = index % 2 == 0
    marks = count - 2 - ends - (index % 20 == 0)
    for k in range(marks):
        day = FIRST_DAY + timedelta(days=k // 2)
        if k % 100 == 99:
            yield pupil.suspended(day, 2, YEAR)
        elif k % 50 == 49:
            yield pupil.incident(day, IncidentCategory.LOW_LEVEL_DISRUPTION, Severity.MODERATE)
        else:
            yield (pupil.mark(day, AttendanceCode.PRESENT_AM, Session.AM) if k % 2 == 0
                   else pupil.mark(day, AttendanceCode.PRESENT_PM, Session.PM))
    if index % 20 == 0:
        yield pupil.excluded(date(2025, 3, 3), YEAR)
    if ends:
        yield pupil.ended(date(2025, 7, 18), PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL)


def _encoded(event: DomainEvent, position: int, version: int) -> EncodedEvent:
    """``event`` as the relay produces it, recorded ``position`` seconds after the year began."""
    event_id = vars(event)["record_id"]
    at = datetime(2024, 9, 2, 9, tzinfo=UTC) + timedelta(seconds=position)
    envelope = EventEnvelope(
        event_id=event_id, event_type=event.event_type, schema_version=event.schema_version,
        stream_id=f"pupil-{event.pii_subject()}", stream_version=version, occurred_at=at, recorded_at=at,
        actor=_ACTOR, organisation_id="prov-1", correlation_id=event_id, pii_subject=event.pii_subject(),
        payload=event.model_dump(mode="json"))
    return EncodedEvent(transaction_id=1, position=position, stream_id=envelope.stream_id,
                        event_type=event.event_type, schema_version=event.schema_version, event_id=event_id,
                        correlation_id=event_id, causation_id=None, envelope_json=envelope.model_dump_json().encode(),
                        occurred_at=at)


def events(count: int, pupils: int) -> list[EncodedEvent]:
    """``count`` events over ``pupils`` streams, interleaved round-robin as a day's registers are."""
    per_pupil = [count // pupils + (1 if i < count % pupils else 0) for i in range(pupils)]
    if min(per_pupil) < 6:
        raise ValueError(f"--events {count} over --pupils {pupils} gives a pupil fewer than 6 events")
    streams = [(i, _pupil_events(Pupil(f"school-{i % 40}", f"np-{i % 4}"), i, n)) for i, n in enumerate(per_pupil)]
    versions = [0] * pupils
    out: list[EncodedEvent] = []
    while streams:
        alive = []
        for i, stream in streams:
            event = next(stream, None)
            if event is not None:
                versions[i] += 1
                out.append(_encoded(event, len(out) + 1, versions[i]))
                alive.append((i, stream))
        streams = alive
    return out


async def _one_rebuild(projection_class: type[Projection], pool: asyncpg.Pool, dsn: str, bootstrap: str,
                       topic: str, count: int, workers: int) -> dict[str, float]:
    """One projection rebuilt from the topic into its next generation, as ``ap projections rebuild`` does."""
    runner = ProjectionRunner(projection_class(topics=(topic,)), pool, bootstrap,
                              group_id=f"bench.reports.{projection_class.name}.{uuid4().hex[:8]}")
    _, figures = await timed_rebuild(runner, pool, bootstrap, catch_up_command(projection_class, dsn, topic),
                                     workers, count)
    return figures


async def _timed(make: Callable[[], Awaitable[Any]], times: int = 3) -> tuple[float, Any]:
    """The median milliseconds of ``times`` builds (a report is cheap next to a rebuild: each repeat times it
    thrice, so a run of one repeat still gives a median), and the last build."""
    taken = []
    for _ in range(times):
        started = time.perf_counter()
        made = await make()
        taken.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(taken), 2), made


async def _reports(pool: asyncpg.Pool, pupils: int) -> dict[str, float]:
    """Milliseconds to build each report from the rebuilt read models, and a check of what they counted."""
    reader = PostgresFactsReader(pool)
    # the strategy tables are by phase of school, from the rolls the LA records through commissioning
    annual_ms, annual = await _timed(lambda: annual_report(reader, YEAR))
    strategy_ms, _ = await _timed(lambda: strategy_report(PostgresExclusionsByPhase(pool), STRATEGY_YEARS))
    ended = annual.tables[3].grand_total
    if ended != (pupils + 1) // 2:
        raise AssertionError(f"the annual report counts {ended} placements ended, not {(pupils + 1) // 2}")
    return {"la_annual_ms": annual_ms, "strategy_tables_ms": strategy_ms}


async def _repeat(pool: asyncpg.Pool, dsn: str, bootstrap: str, topics: dict[str, str], count: int, pupils: int,
                  workers: int, ledger_spends: int) -> dict[str, Any]:
    rebuilds = {p.name: await _one_rebuild(p, pool, dsn, bootstrap, topics[source], count, workers)
                for source, _, projections in SOURCES for p in projections}
    return {"rebuilds": rebuilds, "rebuild_all_seconds": round(sum(r["seconds"] for r in rebuilds.values()), 3),
            **await _reports(pool, pupils), **await _quarterly_return(pool, ledger_spends)}


async def _quarterly_return(pool: asyncpg.Pool, spends: int) -> dict[str, float]:
    """Each figure of ``quarterly_return_ms``, the median of three productions."""
    runs = [await quarterly_return_ms(pool, spends) for _ in range(3)]
    return {name: round(statistics.median(run[name] for run in runs), 2) for name in runs[0]}


def _median(runs: list[dict[str, Any]], *keys: str) -> float:
    def pick(run: dict[str, Any]) -> float:
        value: Any = run
        for key in keys:
            value = value[key]
        return float(value)
    return statistics.median(pick(r) for r in runs)


async def run(repeats: int = 3, count: int = 1_000_000, pupils: int = 5_000, workers: int = 2,
              ledger: tuple[int, int] = (8, 1_200)) -> dict[str, Any]:
    """Produce ``count`` events and project the ledger (``ledger``: provisions, spends each) once; rebuild every
    reporting projection and build the reports ``repeats`` times."""
    pg_admin, bootstrap = resolve_infrastructure()
    dsn = dsn_for_database(pg_admin, await create_database(pg_admin, "bench_reports"))
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=8)
    run_id = uuid4().hex[:10]
    topics = {source: f"bench-reports-{source}-{run_id}" for source, _, _ in SOURCES}
    load_at_start = [round(v, 2) for v in os.getloadavg()]
    try:
        produce_seconds = {}
        for source, make, _ in SOURCES:  # one topic's events in memory at a time
            await create_topic(bootstrap, topics[source])
            seconds = await produce_encoded(bootstrap, topics[source], list(make(count, pupils)))
            produce_seconds[source] = round(seconds, 2)
        ledger_seconds = await load_ledger(pool, *ledger)
        runs = [await _repeat(pool, dsn, bootstrap, topics, count, pupils, workers, ledger[1]) for _ in range(repeats)]
    finally:
        await pool.close()
    return {
        "benchmark": "reports",
        "at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average_at_start": load_at_start,
                    "load_average_at_end": [round(v, 2) for v in os.getloadavg()]},
        "parameters": {"events_per_topic": count, "topics": {s: [p.name for p in ps] for s, _, ps in SOURCES},
                       "repeats": repeats, "pupils": pupils, "partitions": 6, "catch_up_workers": workers,
                       "academic_year": YEAR, "strategy_years": list(STRATEGY_YEARS),
                       "ledger_provisions": ledger[0], "ledger_spends_per_provision": ledger[1]},
        "produce_seconds": produce_seconds,
        "ledger_load_seconds": round(ledger_seconds, 2),
        "runs": runs,
        "median": _medians(runs),
    }


def _medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    medians = {"rebuild_all_seconds": _median(runs, "rebuild_all_seconds"),
               "la_annual_ms": _median(runs, "la_annual_ms"), "strategy_tables_ms": _median(runs, "strategy_tables_ms"),
               "quarterly_return_ms": _median(runs, "quarterly_return_ms")}
    for p in PROJECTIONS:
        for figure in ("events_per_second", "python_cpu_us_per_event"):
            medians[f"{p.name}_{figure}"] = _median(runs, "rebuilds", p.name, figure)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pupils", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=2, help="catch-up processes (1: the rebuild's own only)")
    parser.add_argument("--ledger-provisions", type=int, default=8, help="budgets in the finance ledger read model")
    parser.add_argument("--ledger-spends", type=int, default=1_200, help="spend records of each budget's year")
    args = parser.parse_args()
    started = time.time()
    result = uvloop.run(run(args.repeats, args.events, args.pupils, args.workers,
                            (args.ledger_provisions, args.ledger_spends)))  # as `ap projections rebuild` runs
    publish("reports", result, started)


if __name__ == "__main__":
    main()
