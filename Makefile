# The one way to install, run and test the platform. `make test` is what CI runs (see .ci/run):
# on a fresh Debian machine, as root, it installs Python packages, PostgreSQL and Kafka by itself.
#
# Servers: DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS, when set, name the servers to use and nothing is
# started; otherwise `make up` starts the local ones managed by deploy/local (loopback only).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test
.PHONY: install up down test test-unit lint bench demo demo-web fuzz reports

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Bytecode compiled at install, as pip compiles it in the image (deploy/Dockerfile): uv does not by default, and
# with PYTHONDONTWRITEBYTECODE set nothing is ever cached, so every process compiled its libraries again at each
# start (issue 11: 0.7 s of CPU for each catch-up worker of a rebuild, before its first event).
UV := $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python
LOCAL := deploy/local
VALIDATION := contracts/validation
PYTEST_ARGS ?=

# Evaluated by the shell of each recipe: a caller's servers win over the local ones. The local Kafka
# runs SASL/SCRAM with ACLs: its admin's credentials (AP_KAFKA_*) go with it; a caller who names
# KAFKA_BOOTSTRAP_SERVERS sets AP_KAFKA_SECURITY_PROTOCOL/USERNAME/PASSWORD too when it needs them.
SERVERS = DATABASE_URL="$${DATABASE_URL:-$$($(LOCAL)/postgres.sh url)}" \
	KAFKA_BOOTSTRAP_SERVERS="$${KAFKA_BOOTSTRAP_SERVERS:-$$($(LOCAL)/kafka.sh url)}" \
	$$([ -n "$${KAFKA_BOOTSTRAP_SERVERS:-}" ] || $(LOCAL)/kafka.sh admin-env)

# Two hash-pinned locks, compiled by uv from pyproject.toml (each file's header has the command): the
# runtime set (requirements.lock, all the production image installs) and the development set
# (requirements-dev.lock: the runtime set plus the test and lint tools, same pins). An editable install
# adds testing/ (ap_testing, development only) to sys.path; the wheel ships the runtime packages only.
install: ## virtualenv with both hash-pinned locks and the project itself (editable)
	@if [ ! -x $(BIN)/python ]; then \
	  if ! $(PYTHON) -m venv $(VENV) 2>/dev/null; then \
	    echo "[make] $(PYTHON) cannot create a virtualenv: installing python3-venv" >&2; \
	    rm -rf $(VENV); \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null; \
	    $(PYTHON) -m venv $(VENV); \
	  fi; \
	fi
	@[ -x $(BIN)/uv ] || $(BIN)/python -m pip install --quiet uv
	@# WeasyPrint lays out report PDFs with Pango; the document tests render them to PNG and read their text
	@# with poppler-utils (pdftoppm, pdftotext). Installed from Debian only when missing.
	@if ! command -v pdftoppm >/dev/null || ! ldconfig -p | grep -q libpangoft2-1.0; then \
	  echo "[make] pdftoppm or Pango is missing: installing poppler-utils, Pango and fonts" >&2; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils libpango-1.0-0 libpangoft2-1.0-0 \
	    fonts-liberation >/dev/null; \
	fi
	$(UV) --require-hashes -r requirements.lock -r requirements-dev.lock
	$(UV) --no-deps -e .
	@# ajv (JSON Schema validator outside Python) for the wire-contract tests, exactly as locked.
	@command -v npm >/dev/null || { echo "[make] npm is missing: install Node 20 and npm" >&2; exit 1; }
	npm ci --prefix $(VALIDATION) --no-audit --no-fund --loglevel=error
	@# The web service (issue 16): GOV.UK Frontend's assets, the local OIDC provider and axe-core, exactly as locked.
	npm ci --prefix services/web --no-audit --no-fund --loglevel=error
	@# Debian's chromium for the web service's browser tests (Playwright cannot download browsers here).
	@if ! command -v chromium >/dev/null; then \
	  echo "[make] chromium is missing: installing it" >&2; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

up: ## start local PostgreSQL and Kafka unless the environment names servers
	@if [ -n "$${DATABASE_URL:-}" ]; then echo "[make] PostgreSQL from DATABASE_URL"; else $(LOCAL)/postgres.sh start; fi
	@if [ -n "$${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then echo "[make] Kafka from KAFKA_BOOTSTRAP_SERVERS"; \
	  else $(LOCAL)/kafka.sh start; fi

down: ## stop the local servers that `make up` starts (data is kept)
	@if [ -z "$${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then $(LOCAL)/kafka.sh stop; fi
	@if [ -z "$${DATABASE_URL:-}" ]; then $(LOCAL)/postgres.sh stop; fi

# The whole suite against real servers. The plugin ap_testing.infra writes the integration
# tally to AP_TEST_SUMMARY_FILE; a skipped integration test fails the run.
test: install up ## run every test; PYTEST_ARGS="-x -k name" narrows it
	@summary=$$(mktemp); trap 'rm -f "$$summary"' EXIT; status=0; \
	env $(SERVERS) AP_TEST_SUMMARY_FILE="$$summary" $(BIN)/pytest $(PYTEST_ARGS) || status=$$?; \
	if [ -s "$$summary" ]; then \
	  $(BIN)/python -c 'import json, sys; s = json.load(open(sys.argv[1])); print("[make test] integration tests run: %d (passed %d, failed %d), skipped: %d" % (s["passed"] + s["failed"], s["passed"], s["failed"], s["skipped"]))' "$$summary"; \
	else \
	  echo "[make test] integration tests run: unknown (pytest exited $$status before its summary)"; \
	fi; \
	exit $$status

# The fast loop: unit tests only (-m unit: no server fixture, see ap_testing.levels), with no
# server named and AP_TEST_NO_SERVERS=1, so nothing finds, starts or connects to PostgreSQL or Kafka
# (a test that tries fails, naming the address). `make test` still runs every level on real servers.
# Two pytest processes, one per core, each on half of the test paths (together: every test path of
# pyproject's testpaths); the second half's report follows the first's. Exit 5 (no test selected,
# e.g. a -k matching one half only) counts as success unless both halves selected nothing.
UNIT_ENV = env -u DATABASE_URL -u KAFKA_BOOTSTRAP_SERVERS AP_TEST_NO_SERVERS=1 $(BIN)/pytest -m unit -q $(PYTEST_ARGS)
UNIT_HALF_1 = contracts/tests services tests --ignore=services/finance
UNIT_HALF_2 = runtime/tests services/finance
test-unit: install ## unit tests only, no server needed (about half a minute)
	@second=$$(mktemp); trap 'rm -f "$$second"' EXIT; \
	$(UNIT_ENV) $(UNIT_HALF_2) >"$$second" 2>&1 & pid=$$!; \
	one=0; $(UNIT_ENV) $(UNIT_HALF_1) || one=$$?; \
	two=0; wait $$pid || two=$$?; cat "$$second"; \
	if [ $$one -eq 5 ] && [ $$two -eq 5 ]; then exit 5; fi; \
	for code in $$one $$two; do if [ $$code -ne 0 ] && [ $$code -ne 5 ]; then exit $$code; fi; done

# Property-based tests unseeded and longer, on purpose (CI runs them derandomised: see conftest.py).
# Every hypothesis test (-m hypothesis, the schemathesis API tests included) with the ``fuzz`` profile:
# random draws, 1000 examples where a test does not set its own count, AP_FUZZ_FACTOR (default 10)
# times the schemathesis examples. A failure prints its example or curl request: make it a test.
FUZZ_FACTOR ?= 10
fuzz: install up ## property-based and API fuzz tests, random and longer (not run by CI)
	env $(SERVERS) AP_HYPOTHESIS_PROFILE=fuzz AP_FUZZ_FACTOR=$(FUZZ_FACTOR) $(BIN)/pytest -m hypothesis $(PYTEST_ARGS)

lint: install ## ruff, mypy --strict and bandit, configured by pyproject.toml
	$(BIN)/ruff check .
	$(BIN)/mypy --strict contracts runtime services testing demo bench
	$(BIN)/bandit --quiet -c pyproject.toml -r contracts runtime services testing demo -x '*/tests/*'

# Every benchmark (bench/run.py: command path, write path, rebuild, the pyeventsourcing peer, the
# field codec, the alerts), three repeats each, about half an hour on 2 cores; one JSON per benchmark and
# a summary in bench/results/, and a table on stdout. BENCH_QUICK=1: one small repeat (a smoke check).
BENCH_ARGS ?=
bench: install up ## every benchmark, medians of 3 repeats, one table (BENCH_QUICK=1: a smoke check)
	env $(SERVERS) $(BIN)/python -m bench.run $(BENCH_ARGS)

demo: install up ## end-to-end walk through the platform, then (in a terminal) the web service to sign in to
	env $(SERVERS) $(BIN)/python -m demo
	@if [ -t 0 ]; then env $(SERVERS) PYTHONPATH=. $(BIN)/python services/web/web_demo.py; \
	  else echo "[make demo] the web service: run 'make demo-web' in a terminal (it prints the address and the people)"; fi

demo-web: install up ## every service and the web one on the demo's data: prints its address and the people to sign in as
	env $(SERVERS) PYTHONPATH=. $(BIN)/python services/web/web_demo.py

# A synthetic LA (seeded; REPORTS_ARGS="--schools 78 --provisions 4 --years 3 --seed 1") appended to fresh
# event stores, relayed to the run's own topics and applied by reporting's projection runners; every report
# of every audience written to reports-out/.
REPORTS_ARGS ?=
reports: install up ## every report for every audience of a synthetic LA, in reports-out/
	env $(SERVERS) $(BIN)/python -m demo.reports $(REPORTS_ARGS)
