# Shared settings for the local infrastructure scripts (sourced, not run).
AP_STATE_DIR=${AP_STATE_DIR:-$HOME/.cache/ap-platform}
PG_PORT=${AP_PG_PORT:-55432}
KAFKA_PORT=${AP_KAFKA_PORT:-59092}
KAFKA_CONTROLLER_PORT=${AP_KAFKA_CONTROLLER_PORT:-59093}
mkdir -p "$AP_STATE_DIR"
log() { printf '[deploy] %s\n' "$*" >&2; }
die() { printf '[deploy] ERROR: %s\n' "$*" >&2; exit 1; }
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
wait_for_port() { # host port seconds
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && { exec 3>&- 3<&-; return 0; }
    sleep 0.2
  done
  return 1
}
