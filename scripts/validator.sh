#!/usr/bin/env bash
# scripts/validator.sh start|stop|status|exec <command...>
# A long-lived local validator for development (tests and the demo use scripts/with-validator.sh).
# `start` launches it in its own network namespace (loopback only: the validator binds 0.0.0.0),
# so it is reachable only through `exec`, which runs a command inside that namespace with
# MAXWELL_RPC_URL / MAXWELL_WS_URL set. Pid in target/validator.pid, log in target/validator.log.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/validator-common.sh"
PIDFILE="$ROOT/target/validator.pid"

running_pid() {
  local pid
  [ -f "$PIDFILE" ] || return 1
  pid=$(cat "$PIDFILE")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

case "${1:-}" in
  start)
    if pid=$(running_pid); then echo "validator: already running (pid $pid)"; exit 0; fi
    validator_preflight
    mkdir -p "$ROOT/target"
    mapfile -t argv < <(validator_argv)
    # unshare without --fork execs: the pid we get is the validator's own.
    setsid unshare --net bash -c 'ip link set lo up && exec "$@"' validator "${argv[@]}" \
      >"$VALIDATOR_LOG" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PIDFILE"
    sleep 0.5   # let unshare enter the namespace before nsenter looks at it
    if ! VALIDATOR_NETNS_PID=$pid validator_wait_ready "$pid"; then
      validator_kill "$pid"; rm -f "$PIDFILE"; exit 1
    fi
    echo "validator: pid $pid"
    ;;
  stop)
    if pid=$(running_pid); then validator_kill "$pid"; echo "validator: stopped (pid $pid)"; else echo "validator: not running"; fi
    rm -f "$PIDFILE"
    ;;
  status)
    if pid=$(running_pid); then
      echo "validator: running (pid $pid), slot $(VALIDATOR_NETNS_PID=$pid validator_slot)"
    else
      echo "validator: not running"; exit 1
    fi
    ;;
  exec)
    shift
    pid=$(running_pid) || { echo "validator: not running (scripts/validator.sh start)" >&2; exit 1; }
    exec nsenter --target "$pid" --net env MAXWELL_RPC_URL="$VALIDATOR_RPC_URL" \
      MAXWELL_WS_URL="ws://127.0.0.1:$((VALIDATOR_RPC_PORT + 1))" "$@"
    ;;
  *)
    echo "usage: $0 start|stop|status|exec <command...>" >&2; exit 2 ;;
esac
