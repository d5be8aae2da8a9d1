#!/usr/bin/env bash
# The local OpenID Connect provider (development and tests only), with the demo organisations' people.
# Usage: deploy/local/oidc.sh people            # the people as JSON (sub, name, org, org_kind, roles)
#        deploy/local/oidc.sh run [port]        # run in the foreground (the web demo starts it this way)
# Needs `make install` (npm ci in services/web installs oidc-provider).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/common.sh"

people() {
  PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" "$root/.venv/bin/python" - <<'PY'
import json
from demo.personas import PERSONAS
print(json.dumps([{"sub": spec.user_id, "name": spec.user_id, "org": spec.organisation_id,
                   "org_kind": spec.org_kind.value, "roles": [role.value for role in spec.roles]}
                  for spec in PERSONAS.values()], indent=1))
PY
}

run() {
  local port=${1:-${AP_OIDC_PORT:-59400}} file
  file="$AP_STATE_DIR/oidc-people.json"
  people >"$file"
  [ -n "${AP_OIDC_CLIENT_SECRET:-}" ] || die "set AP_OIDC_CLIENT_SECRET (the web service's client secret)"
  AP_OIDC_PORT=$port AP_OIDC_PEOPLE=$file exec node "$here/oidc-provider.mjs"
}

case "${1:-}" in
  people) people ;;
  run) shift; run "$@" ;;
  *) die "usage: $0 people|run [port]" ;;
esac
