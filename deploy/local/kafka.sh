#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft) on loopback, fetched from Maven Central, idempotent.
# Usage: deploy/local/kafka.sh start|stop|restart|status|kill|pause|resume|url
# Fault tests: kill = crash (SIGKILL, recovery on next start); pause/resume = a broker that hangs
# (SIGSTOP/SIGCONT: connections stay open but nothing answers). stop/start keeps topics and records.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
KHOME="$AP_STATE_DIR/kafka"
# A second broker (fault tests) may share the jars of the first: AP_KAFKA_LIBS.
LIBS=${AP_KAFKA_LIBS:-$KHOME/libs}
DATA="$KHOME/data"
PIDFILE="$KHOME/kafka.pid"
LOG="$KHOME/kafka.log"

fetch() {
  [ -f "$LIBS/.complete" ] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka from Maven Central"
  command -v java >/dev/null || die "Java 17+ is needed to run Kafka"
  log "fetching Apache Kafka 4.1.1 from Maven Central"
  mkdir -p "$LIBS"
  mvn -q -f "$here/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIBS" || die "Maven could not fetch Kafka"
  touch "$LIBS/.complete"
}

configure() {
  mkdir -p "$KHOME"
  cat >"$KHOME/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA
num.partitions=6
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.retention.hours=-1
PROPS
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
    java -cp "$LIBS/*" kafka.tools.StorageTool format -t "$id" -c "$KHOME/server.properties" >/dev/null
  fi
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  if running && wait_for_port 127.0.0.1 "$KAFKA_PORT" 1; then log "Kafka already running: $(url)"; return 0; fi
  fetch; configure
  nohup java -Xms256m -Xmx1g -Dlog4j2.configurationFile="$KHOME/log4j2.properties" \
    -cp "$LIBS/*" kafka.Kafka "$KHOME/server.properties" >>"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  wait_for_port 127.0.0.1 "$KAFKA_PORT" "${AP_KAFKA_START_SECONDS:-180}" || { tail -30 "$LOG" >&2; die "Kafka did not answer on 127.0.0.1:$KAFKA_PORT"; }
  log "Kafka ready: $(url)"
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
  start) start ;; stop) stop ;; restart) stop; start ;; url) url ;;
  kill) running && kill -9 "$(cat "$PIDFILE")"; rm -f "$PIDFILE" ;;
  pause) running || die "Kafka is not running"; kill -STOP "$(cat "$PIDFILE")" ;;
  resume) running || die "Kafka is not running"; kill -CONT "$(cat "$PIDFILE")" ;;
  status) running && wait_for_port 127.0.0.1 "$KAFKA_PORT" 1 && echo up || { echo down; exit 1; } ;;
  *) echo "usage: $0 start|stop|restart|status|kill|pause|resume|url" >&2; exit 2 ;;
esac
