#!/usr/bin/env bash
# Runs every test: set-up (idempotent), formatting and lints, the risk engine's
# unit/golden/property tests, the lending math's and the health engine's tests, their WASM build, the LiteSVM integration tests on the real .so, a bounded fuzz run, the compute-unit table check, the IDL
# check, the TypeScript type check, the client package build, and the end-to-end tests on a real
# local validator (including the CLI, the README's examples and the Anchor client from the IDL).
# Exits non-zero on the first failure.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"
source "$HERE/versions.env"
unset RUSTUP_TOOLCHAIN
t0=$(date +%s)
step() { echo; echo "==== test: $* ($(( $(date +%s) - t0 )) s)"; }

step "set-up"
bash "$HERE/setup.sh" --bench

step "formatting (cargo fmt --check)"
cargo +"$HOST_TOOLCHAIN" fmt --all --check

step "lints (cargo clippy -D warnings: the pure crates and the program)"
cargo +"$HOST_TOOLCHAIN" clippy --profile host -q -p maxwell-risk -p maxwell-lending -p maxwell-engine -p maxwell -p maxwell-wasm -p maxwell-backtest --all-targets -- -D warnings

step "risk engine: unit, golden-vector and property tests"
cargo +"$HOST_TOOLCHAIN" test --profile host -p maxwell-risk

step "lending math: unit and conservation property tests"
cargo +"$HOST_TOOLCHAIN" test --profile host -p maxwell-lending

step "margin backtest harness: its own Black-76, RNG and reference rules (the report itself: crates/maxwell-backtest/README.md)"
cargo +"$HOST_TOOLCHAIN" test --profile host -p maxwell-backtest

step "account-health engine: valuation, drift, reputation, plans, health on plain snapshots"
cargo +"$HOST_TOOLCHAIN" test --profile host -p maxwell-engine

step "risk engine, lending math and health engine build for wasm32-unknown-unknown"
cargo +"$HOST_TOOLCHAIN" build --release -p maxwell-risk -p maxwell-lending -p maxwell-engine --target wasm32-unknown-unknown

step "program unit tests (state layouts)"
cargo +"$HOST_TOOLCHAIN" test --profile host -p maxwell --lib

step "the WASM module's rules on the host (app/wasm: share values, rate curve, policy window, quote values)"
cargo +"$HOST_TOOLCHAIN" test --profile host -p maxwell-wasm --lib

step "LiteSVM integration tests (target/deploy/maxwell.so)"
cargo +"$HOST_TOOLCHAIN" test --profile host -p tests-litesvm

step "stateful fuzzing: 2,000 random sequences on the real .so (scripts/fuzz.sh)"
bash "$HERE/fuzz.sh" 2000 1 target/fuzz/ci-report.md >/dev/null

step "compute-unit table is current (docs/compute-units.json)"
cp docs/compute-units.json target/compute-units.committed.json
cargo +"$HOST_TOOLCHAIN" run --profile host -q -p tests-litesvm --bin bench >/dev/null
if ! diff -u target/compute-units.committed.json docs/compute-units.json; then
  echo "docs/compute-units.json is stale: run scripts/bench.sh and commit the table" >&2
  exit 1
fi

step "IDL is current"
bash "$HERE/idl.sh" --check

step "TypeScript type check and client unit tests"
npm run -s typecheck
npm run -s test:unit

step "client package build (@maxwell/client: tsc with .d.ts, the WASM module, the maxwell CLI; app/build.mjs)"
npm run -s build

step "end-to-end tests on solana-test-validator"
npm test

step "all tests passed"
