#!/usr/bin/env bash
# scripts/with-validator.sh <command...>
# Runs <command...> next to a fresh local validator (maxwell + TEST ONLY mock Pyth preloaded),
# both inside a private network namespace with loopback only (the validator binds 0.0.0.0).
# The command sees MAXWELL_RPC_URL / MAXWELL_WS_URL. The validator is stopped afterwards, its
# log is target/validator.log, and the command's exit code is this script's exit code.
# Installs (npm install, cargo) must happen before: the namespace has no network.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 <command...>" >&2; exit 2; }

if [ "${MAXWELL_IN_NETNS:-}" != "1" ]; then
  source "$HERE/lib/validator-common.sh"
  validator_preflight
  exec unshare --net env MAXWELL_IN_NETNS=1 bash "$HERE/with-validator.sh" "$@"
fi

# ---- inside the namespace ----
source "$HERE/lib/validator-common.sh"
ip link set lo up
mkdir -p "$ROOT/target"
mapfile -t argv < <(validator_argv)
"${argv[@]}" >"$VALIDATOR_LOG" 2>&1 &
VPID=$!
trap 'validator_kill "$VPID"; wait "$VPID" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
validator_wait_ready "$VPID"

export MAXWELL_RPC_URL="$VALIDATOR_RPC_URL"
export MAXWELL_WS_URL="ws://127.0.0.1:$((VALIDATOR_RPC_PORT + 1))"
set +e
(cd "$ROOT" && "$@")
rc=$?
set -e
exit $rc
