#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft) on loopback, fetched from Maven Central, idempotent.
# Usage: deploy/local/kafka.sh start|stop|restart|status|kill|pause|resume|url|admin-env
# Overrides: AP_KAFKA_PORT, AP_KAFKA_CONTROLLER_PORT, AP_KAFKA_HOME (broker directory), AP_KAFKA_LIBS,
# AP_KAFKA_SASL=0 (plaintext, no authentication: the broker before issue 9).
# Fault tests: kill = crash (SIGKILL, recovery on next start); pause/resume = a broker that hangs
# (SIGSTOP/SIGCONT: connections stay open but nothing answers). stop/start keeps topics and records.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
KHOME=${AP_KAFKA_HOME:-$AP_STATE_DIR/kafka}
# A second broker (fault tests) may share the jars of the first: AP_KAFKA_LIBS.
LIBS=${AP_KAFKA_LIBS:-$KHOME/libs}
# SASL/SCRAM-SHA-512 with ACLs per service principal (AP_KAFKA_SASL=0: the old plaintext broker).
# A SASL broker keeps its data in its own directory: an old plaintext data dir is never reused.
SASL=${AP_KAFKA_SASL:-1}
if [ "$SASL" = 1 ]; then DATA="$KHOME/data-sasl"; else DATA="$KHOME/data"; fi
PIDFILE="$KHOME/kafka.pid"
LOG="$KHOME/kafka.log"
# Generated once per broker home (mode 600): the admin's and each service principal's password.
CREDENTIALS="$KHOME/credentials.env"
ADMIN_PROPERTIES="$KHOME/admin.properties"
ADMIN=ap-admin
PY=${AP_PYTHON:-$here/../../.venv/bin/python}

fetch() {
  [ -f "$LIBS/.complete" ] && compgen -G "$LIBS/kafka-tools-[0-9]*.jar" >/dev/null && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka from Maven Central"
  command -v java >/dev/null || die "Java 17+ is needed to run Kafka"
  log "fetching Apache Kafka 4.1.1 from Maven Central"
  mkdir -p "$LIBS"
  mvn -q -f "$here/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIBS" || die "Maven could not fetch Kafka"
  touch "$LIBS/.complete"
}

secret() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

py() { [ -x "$PY" ] || die "$PY is missing: run 'make install' first"; "$PY" "$@"; }

# The principals come from the one definition of the ACLs (runtime/ap_runtime/kafka_acls.py).
credentials() {
  [ -s "$CREDENTIALS" ] && return 0
  mkdir -p "$KHOME"; umask 077
  # A private broker started by a test reuses the session's admin password (AP_KAFKA_PASSWORD).
  local admin_password=${AP_KAFKA_ADMIN_PASSWORD:-}
  [ -z "$admin_password" ] && [ "${AP_KAFKA_USERNAME:-}" = "$ADMIN" ] && admin_password=${AP_KAFKA_PASSWORD:-}
  {
    echo "AP_KAFKA_ADMIN_PASSWORD=${admin_password:-$(secret)}"
    local p; for p in $(py -m ap_runtime.kafka_acls principals); do
      echo "AP_KAFKA_PASSWORD_$(echo "$p" | tr 'a-z-' 'A-Z_')=$(secret)"
    done
  } >"$CREDENTIALS.tmp"
  mv "$CREDENTIALS.tmp" "$CREDENTIALS"
}

admin_password() { sed -n 's/^AP_KAFKA_ADMIN_PASSWORD=//p' "$CREDENTIALS"; }

# The listeners are the same in both modes but for their protocol (AP_KAFKA_SASL=0: PLAINTEXT).
listener_properties() {
  local protocol=PLAINTEXT; [ "$SASL" = 1 ] && protocol=SASL_PLAINTEXT
  cat <<PROPS
listeners=$protocol://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=$protocol://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=$protocol:$protocol,CONTROLLER:$protocol
inter.broker.listener.name=$protocol
PROPS
  [ "$SASL" = 1 ] || return 0
  # Clients: SCRAM-SHA-512 only; the SASL and ACL settings are compose's too (ap_runtime/kafka_broker.py).
  # The admin's password goes on stdin: never on a command line another user could read.
  admin_password | py -m ap_runtime.kafka_broker sasl-properties || die "could not write the broker's SASL settings"
}

configure() {
  mkdir -p "$KHOME"
  [ "$SASL" = 1 ] && credentials
  # Computed before the file is written: a failure inside $(...) in the here-document would go
  # unnoticed and leave a broker without its SASL and ACL settings.
  local listeners node
  listeners=$(listener_properties)
  node=$(py -m ap_runtime.kafka_broker node-properties --log-dirs "$DATA") || die "could not write the broker's settings"
  ( umask 077; cat >"$KHOME/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
$listeners
controller.listener.names=CONTROLLER
$node
PROPS
  )
  cat >"$KHOME/log4j2.properties" <<L4J
rootLogger.level=WARN
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
L4J
  if [ ! -f "$DATA/meta.properties" ]; then
    local id; id=$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid)
    local scram=()
    if [ "$SASL" = 1 ]; then
      # SCRAM users are written into the new metadata log: the admin and each service principal.
      scram+=(--add-scram "SCRAM-SHA-512=[name=$ADMIN,password=$(admin_password)]")
      local p; for p in $(py -m ap_runtime.kafka_acls principals); do
        scram+=(--add-scram "SCRAM-SHA-512=[name=$p,password=$(principal_password "$p")]")
      done
      rm -f "$DATA/.acls"
    fi
    java -cp "$LIBS/*" kafka.tools.StorageTool format -t "$id" -c "$KHOME/server.properties" "${scram[@]}" >/dev/null
  fi
  if [ "$SASL" = 1 ]; then
    ( umask 077; py -c 'import sys; from ap_runtime.kafka_acls import admin_properties; sys.stdout.write(admin_properties(sys.argv[1]))' \
        "$(admin_password)" >"$ADMIN_PROPERTIES" )
  fi
}

principal_password() { sed -n "s/^AP_KAFKA_PASSWORD_$(echo "$1" | tr 'a-z-' 'A-Z_')=//p" "$CREDENTIALS"; }

# ACLs from runtime/ap_runtime/kafka_acls.py, applied again whenever that definition changes.
acls() {
  [ "$SASL" = 1 ] || return 0
  local digest; digest=$(sha256sum "$here/../../runtime/ap_runtime/kafka_acls.py" | cut -d' ' -f1)
  [ "$(cat "$DATA/.acls" 2>/dev/null)" = "$digest" ] && return 0
  log "adding the service principals' ACLs"
  py -m ap_runtime.kafka_acls apply --bootstrap "$(url)" --command-config "$ADMIN_PROPERTIES" --libs "$LIBS" ||
    die "could not add the Kafka ACLs"
  echo "$digest" >"$DATA/.acls"
}

# The admin's client settings, as the Makefile passes them to the tests (nothing for plaintext).
admin_env() {
  [ "$SASL" = 1 ] || return 0
  [ -s "$CREDENTIALS" ] || die "no $CREDENTIALS: start the SASL broker first ('$0 start')"
  printf 'AP_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT AP_KAFKA_USERNAME=%s AP_KAFKA_PASSWORD=%s\n' "$ADMIN" "$(admin_password)"
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  if running && wait_for_port 127.0.0.1 "$KAFKA_PORT" 1; then
    # A broker started before in the other mode (e.g. plaintext, before issue 9) must not be taken
    # for this one: its clients would fail to authenticate, or would not need to.
    local running_sasl=0; grep -q '^listeners=SASL_PLAINTEXT' "$KHOME/server.properties" 2>/dev/null && running_sasl=1
    [ "$running_sasl" = "$SASL" ] ||
      die "the Kafka running on $(url) has AP_KAFKA_SASL=$running_sasl: run '$0 stop' first (its data is kept)"
    log "Kafka already running: $(url)"; return 0
  fi
  fetch; configure
  nohup java -Xms256m -Xmx1g -Dlog4j2.configurationFile="$KHOME/log4j2.properties" \
    -cp "$LIBS/*" kafka.Kafka "$KHOME/server.properties" >>"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  wait_for_port 127.0.0.1 "$KAFKA_PORT" "${AP_KAFKA_START_SECONDS:-180}" || { tail -30 "$LOG" >&2; die "Kafka did not answer on 127.0.0.1:$KAFKA_PORT"; }
  acls
  log "Kafka ready: $(url)$([ "$SASL" = 1 ] && echo " (SASL/SCRAM-SHA-512, ACLs; credentials in $CREDENTIALS)")"
}

stop() {
  running || return 0
  local pid; pid=$(cat "$PIDFILE"); kill "$pid"
  kill -CONT "$pid" 2>/dev/null || true # a paused broker must wake up to shut down cleanly
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}

url() { echo "127.0.0.1:$KAFKA_PORT"; }

case "${1:-}" in
  start) start ;; stop) stop ;; restart) stop; start ;; url) url ;; admin-env) admin_env ;;
  kill) running && kill -9 "$(cat "$PIDFILE")"; rm -f "$PIDFILE" ;;
  pause) running || die "Kafka is not running"; kill -STOP "$(cat "$PIDFILE")" ;;
  resume) running || die "Kafka is not running"; kill -CONT "$(cat "$PIDFILE")" ;;
  status) running && wait_for_port 127.0.0.1 "$KAFKA_PORT" 1 && echo up || { echo down; exit 1; } ;;
  *) echo "usage: $0 start|stop|restart|status|kill|pause|resume|url|admin-env" >&2; exit 2 ;;
esac
