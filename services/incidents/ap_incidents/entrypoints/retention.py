"""Scheduled retention over the incidents event store.

    python -m ap_incidents.entrypoints.retention [--today YYYY-MM-DD] [--dry-run] [--policy FILE]

Run it once a day (cron, a Kubernetes CronJob). For every pupil it reads the facts the retention
schedule needs from the pupil's stream, destroys the data key of each pupil whose every record
class has expired with no legal hold in force (recording ``PupilDataErased`` first), and records
each decision that changed as ``RetentionDecisionRecorded`` (see ``application.retention_job``).
Running it twice records nothing more. ``--dry-run`` prints what it would do and changes nothing
(the reads are still audited). ``--today`` fixes the date (catching up, tests).

Environment: as the API (``adapters.dependencies``) without the token key: DATABASE_URL /
AP_DSN_AP_INCIDENTS, AP_DSN_AP_AUDIT, AP_DSN_AP_KEYS, AP_MASTER_KEYS, AP_ACTIVE_MASTER_KEY.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from ap_incidents.adapters.clear_fields_codec import ClearFieldsOnlyCodec
from ap_incidents.adapters.pupil_streams import pupil_refs
from ap_incidents.application.retention_job import RetentionJob, RetentionReport
from ap_incidents.entrypoints.bootstrap import EVENTS_DATABASE
from ap_incidents.entrypoints.settings import incidents_settings
from ap_runtime.access import AccessGuard, AuditLog, open_audit_pool
from ap_runtime.access.audit import drop_purpose_notes
from ap_runtime.access.audit_heads import AuditHeadPublisher
from ap_runtime.commands import migrate_commands
from ap_runtime.eventstore import EventStore, migrate
from ap_runtime.logging import configure_logging, get_logger
from ap_runtime.privacy.codec import PersonalDataCodec
from ap_runtime.privacy.factory import keystore_from_env
from ap_runtime.privacy.keystore import KeyStore
from ap_runtime.privacy.retention import RetentionPolicy
from ap_runtime.settings import database_dsn

log = get_logger("ap.incidents.retention")


def retention_job(events_pool: asyncpg.Pool, audit_pool: asyncpg.Pool, keystore: KeyStore,
                  policy: RetentionPolicy) -> RetentionJob:
    """The job wired to real adapters: decisions on clear fields, the date of birth revealed by the pupil key."""
    codec = PersonalDataCodec(keystore)
    store = EventStore(events_pool, ClearFieldsOnlyCodec(codec))
    return RetentionJob(store, codec, keystore, AccessGuard(AuditLog(audit_pool)), policy)


async def run(today: date, *, dry_run: bool = False, policy_file: Path | None = None,
              events_dsn: str | None = None, audit_dsn: str | None = None,
              keys_dsn: str | None = None) -> RetentionReport:
    """One retention run on the databases the environment (or the arguments) name."""
    policy = RetentionPolicy.load(policy_file)
    events_pool = await asyncpg.create_pool(events_dsn or database_dsn(EVENTS_DATABASE), min_size=1, max_size=4)
    audit_pool = await open_audit_pool(audit_dsn, max_size=2)
    keystore = await keystore_from_env(keys_dsn)
    try:
        await migrate(events_pool)
        await migrate_commands(events_pool)
        job = retention_job(events_pool, audit_pool, keystore, policy)
        report = await job.run(pupil_refs(events_pool), today, dry_run=dry_run)
        if not dry_run:
            # Storage limitation of the access audit's free-text purpose notes (the categories stay).
            try:
                dropped = await drop_purpose_notes(audit_pool)
            except asyncpg.InsufficientPrivilegeError:
                # Loud, but not a reason to leave the pupils' retention undone.
                log.error("audit purpose notes not dropped: the audit role needs UPDATE (purpose) on access_audit")
            else:
                log.info("audit purpose notes dropped", count=dropped)
        # The run's own audit records are anchored at once rather than at a service's next tick.
        await AuditHeadPublisher.from_env(audit_pool, "ap-incidents-retention").publish_now()
        return report
    finally:
        await keystore.close()
        await audit_pool.close()
        await events_pool.close()


def render_report(report: RetentionReport) -> str:
    """What the run did (or would do), one line per recorded event, then the totals."""
    verb = "would record" if report.dry_run else "recorded"
    lines = [f"retention run for {report.today.isoformat()} under policy {report.policy_version}"
             + (" (dry run: nothing recorded, no key destroyed)" if report.dry_run else "")]
    for line in report.lines:
        what = line.outcome if line.record_class is None else f"{line.record_class.value}: {line.outcome}"
        lines.append(f"  {verb} {line.event_type:<26} pupil {line.pupil_ref}  {what}")
    shredded = "would be shredded" if report.dry_run else "shredded"
    lines.append(f"{report.pupils_examined} pupil(s) examined, {report.pupils_shredded} {shredded}, "
                 f"{len(report.lines) if report.dry_run else report.events_recorded} event(s) {verb}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ap_incidents.entrypoints.retention",
                                     description="Apply the retention schedule to every pupil in the incidents store.")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--dry-run", action="store_true", help="print the decisions; record and destroy nothing")
    parser.add_argument("--policy", type=Path, default=None, help="retention policy YAML (default: the packaged one)")
    args = parser.parse_args(argv)
    configure_logging(incidents_settings().log_level)
    # Birthdays and placement ends are English dates, whatever the server's clock zone.
    today = args.today or datetime.now(ZoneInfo("Europe/London")).date()
    report = asyncio.run(run(today, dry_run=args.dry_run, policy_file=args.policy))
    log.info("retention run finished", today=today.isoformat(), dry_run=args.dry_run,
             pupils=report.pupils_examined, shredded=report.pupils_shredded, recorded=report.events_recorded)
    print(render_report(report))


if __name__ == "__main__":
    main()
