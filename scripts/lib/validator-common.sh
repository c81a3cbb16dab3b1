# Shared by scripts/with-validator.sh and scripts/validator.sh (sourced, not run).
# A solana-test-validator 4.2.2 with maxwell and the TEST ONLY mock Pyth receiver preloaded.
# It binds RPC, websocket and faucet to 0.0.0.0 whatever --bind-address says, so callers always
# start it inside a private network namespace (loopback only): see the two scripts.

VALIDATOR_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$VALIDATOR_LIB_DIR/../.." && pwd)
source "$VALIDATOR_LIB_DIR/../versions.env"

MAXWELL_PROGRAM_ID=4293dS1JYmRSUGpMzpPHmTpPZZwkXHw6MByMWU6Apbnn
PYTH_RECEIVER_ID=rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ   # mock-pyth is deployed here, TEST ONLY
VALIDATOR_BIN=${VALIDATOR_BIN:-$(command -v solana-test-validator || echo "$HOME/.cargo/bin/solana-test-validator")}
VALIDATOR_LEDGER="${MAXWELL_LEDGER:-$ROOT/target/test-ledger}"   # overridable: two suites at once
VALIDATOR_LOG="${MAXWELL_VALIDATOR_LOG:-$ROOT/target/validator.log}"
VALIDATOR_RPC_PORT=${VALIDATOR_RPC_PORT:-8899}
VALIDATOR_RPC_URL="http://127.0.0.1:$VALIDATOR_RPC_PORT"
# Slots to wait for after the first answer: the first transaction after boot is slow otherwise.
VALIDATOR_MIN_SLOT=${VALIDATOR_MIN_SLOT:-5}
VALIDATOR_READY_TIMEOUT_SECS=${VALIDATOR_READY_TIMEOUT_SECS:-120}

validator_preflight() {
  local so
  for so in maxwell mock_pyth; do
    [ -f "$ROOT/target/deploy/$so.so" ] || { echo "missing target/deploy/$so.so: run scripts/build-program.sh" >&2; return 1; }
  done
  [ -x "$VALIDATOR_BIN" ] || { echo "solana-test-validator not found: run scripts/setup-validator.sh" >&2; return 1; }
  "$VALIDATOR_BIN" --version | grep -q "$VALIDATOR_VERSION" \
    || { echo "solana-test-validator is not $VALIDATOR_VERSION: run scripts/setup-validator.sh" >&2; return 1; }
}

# Prints the validator's command line, one argument per line (for mapfile).
validator_argv() {
  printf '%s\n' "$VALIDATOR_BIN" \
    --bpf-program "$MAXWELL_PROGRAM_ID" "$ROOT/target/deploy/maxwell.so" \
    --bpf-program "$PYTH_RECEIVER_ID" "$ROOT/target/deploy/mock_pyth.so" \
    --ledger "$VALIDATOR_LEDGER" --rpc-port "$VALIDATOR_RPC_PORT" \
    --bind-address 127.0.0.1 --reset --log   # --log (instead of --quiet): the full log to stdout = target/validator.log
  # Accounts preloaded at genesis (JSON files as `solana account --output json` writes them), e.g.
  # the keeper benchmark's 10,000 margin accounts (scripts/keeper-bench.ts --preload).
  if [ -n "${MAXWELL_VALIDATOR_ACCOUNT_DIR:-}" ]; then printf '%s\n' --account-dir "$MAXWELL_VALIDATOR_ACCOUNT_DIR"; fi
}

# getSlot at `confirmed`; prints the slot or nothing. Runs inside the validator's namespace:
# With VALIDATOR_NETNS_PID set, enters that process's network namespace first (scripts/validator.sh).
validator_slot() {
  local enter=()
  if [ -n "${VALIDATOR_NETNS_PID:-}" ]; then enter=(nsenter --target "$VALIDATOR_NETNS_PID" --net); fi
  "${enter[@]}" curl -s --max-time 2 -H 'content-type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"getSlot","params":[{"commitment":"confirmed"}]}' \
    "$VALIDATOR_RPC_URL" 2>/dev/null | sed -n 's/.*"result":\([0-9]*\).*/\1/p' || true   # not up yet: print nothing
}

# Waits until the validator answers getSlot with a slot >= VALIDATOR_MIN_SLOT.
# Args: validator pid (fails early if it exits).
validator_wait_ready() {
  local pid=$1 start=$SECONDS slot
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "solana-test-validator exited during start-up; see $VALIDATOR_LOG" >&2; tail -n 20 "$VALIDATOR_LOG" >&2; return 1
    fi
    slot=$(validator_slot)
    if [ -n "$slot" ] && [ "$slot" -ge "$VALIDATOR_MIN_SLOT" ]; then
      echo "validator: ready at slot $slot after $((SECONDS - start)) s ($VALIDATOR_RPC_URL, log $VALIDATOR_LOG)" >&2
      return 0
    fi
    if [ $((SECONDS - start)) -ge "$VALIDATOR_READY_TIMEOUT_SECS" ]; then
      echo "validator: not ready after ${VALIDATOR_READY_TIMEOUT_SECS} s; see $VALIDATOR_LOG" >&2; return 1
    fi
    sleep 0.5
  done
}

# Stops the validator: SIGTERM, then SIGKILL after 15 s. Args: pid.
validator_kill() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  echo "validator: pid $pid ignored SIGTERM, killing" >&2
  kill -KILL "$pid" 2>/dev/null || true
}
