"""``python -m ap_contracts generate | check``: keep the committed schemas equal to the models.

generate  writes contracts/schemas/**.json and contracts/asyncapi.yaml; refuses (exit 1) to overwrite
          a published schema version with a breaking change.
check     changes nothing; exit 1 when a generated file is missing or stale, or a committed schema
          version is broken by the current models.
"""

from __future__ import annotations

import argparse
import sys

from ap_contracts.generation import (
    ASYNCAPI_FILE,
    REGENERATE_HINT,
    compatibility_problems,
    expected_files,
    find_drift,
    shown_path,
    write_files,
)
from ap_contracts.schema_tools import SCHEMAS_DIR


def generate() -> int:
    report = write_files(SCHEMAS_DIR, ASYNCAPI_FILE)
    for path in report.written:
        print(f"wrote {shown_path(path)}")
    print(f"{len(report.written)} written, {len(report.unchanged)} unchanged")
    for problem in report.refused:
        print(f"REFUSED {problem}", file=sys.stderr)
    return 1 if report.refused else 0


def check() -> int:
    drift = find_drift(expected_files(SCHEMAS_DIR, ASYNCAPI_FILE))
    problems = compatibility_problems(SCHEMAS_DIR)
    for item in drift:
        print(f"stale: {item}", file=sys.stderr)
    if drift:
        print(f"generated contract files are out of date: {REGENERATE_HINT}", file=sys.stderr)
    for problem in problems:
        print(f"breaking: {problem}", file=sys.stderr)
    if not drift and not problems:
        print("contract files are up to date and compatible")
    return 1 if drift or problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ap_contracts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["generate", "check"])
    args = parser.parse_args(argv)
    return generate() if args.command == "generate" else check()


if __name__ == "__main__":
    sys.exit(main())
